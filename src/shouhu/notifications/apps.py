from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "shouhu.notifications"
    label = "notifications"
    verbose_name = "通知发送"
