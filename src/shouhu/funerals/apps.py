from django.apps import AppConfig


class FuneralsConfig(AppConfig):
    name = "shouhu.funerals"
    label = "funerals"
    verbose_name = "殡葬服务"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from shouhu.campaigns.models import ServiceType
        from shouhu.campaigns.selectors import register_affected_provider

        from . import models, selectors

        # The family's phone is personal data: the log keeps only that it changed.
        auditlog.register(models.FuneralCase, mask_fields=["contact_phone"])
        auditlog.register(models.RemainsStepRecord)
        auditlog.register(models.PPEMovement)
        # Stock rows change by guarded UPDATEs (no save()); their movements are the audit trail.
        register_affected_provider(ServiceType.FUNERAL_CEREMONY, selectors.cases_affected_by)
