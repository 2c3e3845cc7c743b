from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "shouhu.campaigns"
    label = "campaigns"
    verbose_name = "行动与政策"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.Campaign,
            models.Phase,
            models.KeyDate,
            models.Holiday,
            models.Policy,
            models.ServiceSuspension,
        ):
            auditlog.register(model)
