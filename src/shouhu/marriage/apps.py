from django.apps import AppConfig


class MarriageConfig(AppConfig):
    name = "shouhu.marriage"
    label = "marriage"
    verbose_name = "婚姻登记"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.utils.translation import gettext_lazy

        from shouhu.common.expiry import register_purge
        from shouhu.marriage.booking_requests import booking_requests_purge

        register_purge("未确认的在线预约申请", booking_requests_purge)

        from shouhu.alerts.registry import register_kind
        from shouhu.campaigns.models import ServiceType
        from shouhu.campaigns.selectors import register_affected_provider
        from shouhu.campaigns.services import register_suspension_handler
        from shouhu.common.crypto import register_blind_index
        from shouhu.people.idcard import stored_phone_key
        from shouhu.people.lifecycle import register_death_handler

        from . import models, selectors, services

        register_affected_provider(ServiceType.MARRIAGE_REGISTRATION, selectors.affected_lines)
        register_suspension_handler(ServiceType.MARRIAGE_REGISTRATION, services.suspension_notify)
        register_death_handler("marriage.bookings", services.bookings_end_on_death)
        register_blind_index("marriage.BookingParty", "phone_index", lambda row: stored_phone_key(row.phone))
        register_kind(services.NON_COMPLIANCE_ALERT, gettext_lazy("婚姻登记当事人不符合防控要求"))
        # Bookings and parties hold personal data and change by the thousand on surge days: the
        # rows themselves record their state; staff-made settings and counter work are audited.
        for model in (
            models.RegistrySettings,
            models.SlotTemplate,
            models.DateOverride,
            models.SurgeDate,
            models.CounterCheck,
            models.NonComplianceReport,
            models.ReportRecipient,
            models.HallLog,
        ):
            auditlog.register(model)
