from django.urls import path

from shouhu.notifications import api

urlpatterns = [
    path("messages/", api.MessageListApi.as_view(), name="api-outbox-list"),
    path(
        "messages/<int:outbox_message_id>/resend/",
        api.MessageResendApi.as_view(),
        name="api-outbox-resend",
    ),
]
