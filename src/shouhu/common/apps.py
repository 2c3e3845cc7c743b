from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "shouhu.common"
    label = "common"
    verbose_name = "通用"
