from django.apps import AppConfig


class EldercareConfig(AppConfig):
    name = "shouhu.eldercare"
    label = "eldercare"
    verbose_name = "养老机构"
