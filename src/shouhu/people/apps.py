from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "shouhu.people"
    label = "people"
    verbose_name = "人员登记"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from shouhu.common.crypto import register_blind_index
        from shouhu.people.idcard import document_key, stored_phone_key

        from . import importers, models  # noqa: F401  importers register themselves

        # Encrypted numbers are masked in the audit log; their blind indexes say nothing useful.
        # Only the person's own columns are compared: by default auditlog also walks the reverse
        # relations, logging "people.PersonCategory.None" and reading each one-to-one (a query
        # per save for every module that hangs a one-to-one record on a person).
        auditlog.register(
            models.Person,
            include_fields=[
                f.name
                for f in models.Person._meta.concrete_fields
                if f.name not in {"id_index", "phone_index"}
            ],
            mask_fields=["id_number", "phone"],
        )
        auditlog.register(models.PersonCategory)
        register_blind_index(
            "people.Person", "id_index", lambda row: document_key(row.id_number) if row.id_number else ""
        )
        register_blind_index("people.Person", "phone_index", lambda row: stored_phone_key(row.phone))
