from django.apps import AppConfig


class EldercareConfig(AppConfig):
    name = "shouhu.eldercare"
    label = "eldercare"
    verbose_name = "养老机构"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from shouhu.screening.rules import register_closure_check

        from . import models, selectors

        # A closed home refuses visitors at the entrance (E1 × S2): screening asks this check.
        register_closure_check(selectors.closure_check, over_span=selectors.closure_check_over)
        auditlog.register(models.Closure)
        auditlog.register(models.Movement)
        auditlog.register(models.Shift)
        auditlog.register(models.TestRound)
        auditlog.register(models.TestResult)
        auditlog.register(models.ChecklistItem)
        auditlog.register(models.DailyLog, m2m_fields={"done_items"})
        # Health checks are not in the audit log: each row names who recorded it, and health
        # data copied into the log would outlive the record itself.
