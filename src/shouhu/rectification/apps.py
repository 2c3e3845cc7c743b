from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "shouhu.rectification"
    label = "rectification"
    verbose_name = "问题整改"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.Finding, m2m_fields={"evidence"})
        auditlog.register(models.FindingEvent)
