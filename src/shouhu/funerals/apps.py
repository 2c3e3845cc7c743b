from django.apps import AppConfig


class FuneralsConfig(AppConfig):
    name = "shouhu.funerals"
    label = "funerals"
    verbose_name = "殡葬服务"
