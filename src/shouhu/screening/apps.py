from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "shouhu.screening"
    label = "screening"
    verbose_name = "入口查验"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from shouhu.common.crypto import register_blind_index
        from shouhu.people.idcard import stored_phone_key

        from . import importers, models  # noqa: F401  importers register themselves

        # Screenings are not in the audit log: each row names who screened and who confirmed,
        # and a copy of a visitor's data in the log would outlive the retention period (PIPL).
        auditlog.register(models.RiskArea)
        auditlog.register(models.IsolationRecord)
        auditlog.register(models.VenueCode, exclude_fields=["token"])
        register_blind_index(
            "screening.Screening", "visitor_phone_index", lambda row: stored_phone_key(row.visitor_phone)
        )
        register_blind_index(
            "screening.Screening", "visitor_name_index", lambda row: models.visitor_name_key(row.visitor_name)
        )
