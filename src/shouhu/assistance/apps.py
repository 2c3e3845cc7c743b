from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "shouhu.assistance"
    label = "assistance"
    verbose_name = "困难群众救助"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from shouhu.people.lifecycle import (
            register_confirmed_case_handler,
            register_death_handler,
            register_isolation_end_handler,
            register_isolation_handler,
        )

        from . import importers, models, services  # noqa: F401  importers register themselves

        # Phones of responsible people are personal data: the log keeps only that they changed.
        auditlog.register(models.Household, mask_fields=["bank_account"])
        auditlog.register(models.HouseholdMember)
        auditlog.register(models.Responsibility, mask_fields=["phone"])
        auditlog.register(models.Visit)
        auditlog.register(models.FollowUp)
        auditlog.register(models.Standard)
        auditlog.register(models.IncomeAssessment)
        auditlog.register(models.CareTask)
        auditlog.register(models.CareDelivery)
        auditlog.register(models.CaseByCaseReview)
        auditlog.register(models.TemporaryAssistance)
        auditlog.register(models.PaymentRoll)
        auditlog.register(models.Payment)
        auditlog.register(models.Application)
        # 早发现 (A2): the register's isolation, confirmed case and death open a follow-up on the member's household.
        register_isolation_handler("assistance.follow_up", services.on_isolation)
        register_isolation_end_handler("assistance.care", services.on_isolation_end)
        register_death_handler("assistance.follow_up", services.follow_up_on_death)
        register_confirmed_case_handler("assistance.follow_up", services.follow_up_on_confirmed_case)
