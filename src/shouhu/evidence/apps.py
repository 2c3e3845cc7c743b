from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "shouhu.evidence"
    label = "evidence"
    verbose_name = "证明材料"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.EvidenceFile)
