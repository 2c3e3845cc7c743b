from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "shouhu.community"
    label = "community"
    verbose_name = "村（社区）防控"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import importers, models  # noqa: F401  importers register themselves

        # Roster phones are personal data: the log keeps only that they changed.
        auditlog.register(models.RosterMember, mask_fields=["phone"])
        auditlog.register(models.Checkpoint, m2m_fields={"staff"})
        auditlog.register(models.ClosurePlan)
        auditlog.register(models.PlanPost, m2m_fields={"members"})
        auditlog.register(models.EmergencyState)
        auditlog.register(models.DutyCheck)
        auditlog.register(models.SupplyMovement)
        auditlog.register(models.FieldVisit)
        # Stock rows change by guarded UPDATEs (no save()); their movements are the audit trail.
