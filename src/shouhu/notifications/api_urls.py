from django.urls import path

from shouhu.notifications import api

urlpatterns = [
    path("notifications/messages/", api.MessageListApi.as_view(), name="api-outbox-list"),
    path(
        "notifications/messages/<int:outbox_message_id>/resend/",
        api.MessageResendApi.as_view(),
        name="api-outbox-resend",
    ),
]
