from django.urls import path

from shouhu.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.message_list, name="message_list"),
    path("<int:outbox_message_id>/resend/", views.message_resend, name="message_resend"),
]
