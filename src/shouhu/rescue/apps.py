from django.apps import AppConfig


class RescueConfig(AppConfig):
    name = "shouhu.rescue"
    label = "rescue"
    verbose_name = "流浪乞讨人员救助"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import importers, models  # noqa: F401  importers register themselves

        # No personal numbers are kept here: the register holds those (people.Person).
        auditlog.register(models.StreetPatrol)
        auditlog.register(models.PatrolEncounter)
        auditlog.register(models.RescuedPerson)
        auditlog.register(models.Provision)
        auditlog.register(models.Guidance)
        auditlog.register(models.ReturnTrip)
        auditlog.register(models.StaffAssignment)
        auditlog.register(models.Incident)
        auditlog.register(models.IncidentReport)
