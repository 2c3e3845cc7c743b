from django.apps import AppConfig


class FuneralsConfig(AppConfig):
    name = "shouhu.funerals"
    label = "funerals"
    verbose_name = "殡葬服务"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from shouhu.campaigns.models import ServiceType
        from shouhu.campaigns.selectors import register_affected_provider
        from shouhu.campaigns.services import register_suspension_handler

        from . import models, selectors, services

        # The family's phone is personal data: the log keeps only that it changed.
        auditlog.register(models.FuneralCase, mask_fields=["contact_phone"])
        auditlog.register(models.RemainsStepRecord)
        auditlog.register(models.PPEMovement)
        # Stock rows change by guarded UPDATEs (no save()); their movements are the audit trail.
        # C4: a new suspension lists the ceremonies in its window, and their families are told.
        register_affected_provider(ServiceType.FUNERAL_CEREMONY, selectors.cases_affected_by)
        register_suspension_handler(ServiceType.FUNERAL_CEREMONY, services.ceremonies_notify)
