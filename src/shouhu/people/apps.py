from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "shouhu.people"
    label = "people"
    verbose_name = "人员登记"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import importers, models  # noqa: F401  importers register themselves

        # Encrypted numbers are masked in the audit log; their blind indexes say nothing useful.
        auditlog.register(
            models.Person,
            mask_fields=["id_number", "phone"],
            exclude_fields=["id_index", "phone_index"],
        )
        auditlog.register(models.PersonCategory)
