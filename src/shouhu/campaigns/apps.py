from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "shouhu.campaigns"
    label = "campaigns"
    verbose_name = "行动与政策"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models
        from .policy import policy_models

        for model in (
            models.Campaign,
            models.Phase,
            models.KeyDate,
            models.Holiday,
            *policy_models(),  # every module's, wherever it is declared
            models.ServiceSuspension,
        ):
            auditlog.register(model)
