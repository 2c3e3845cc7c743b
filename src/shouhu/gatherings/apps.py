from django.apps import AppConfig


class GatheringsConfig(AppConfig):
    name = "shouhu.gatherings"
    label = "gatherings"
    verbose_name = "聚集性活动"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from shouhu.common.crypto import register_blind_index
        from shouhu.people.idcard import document_key

        from . import models

        # The organiser's phone and the participants' numbers are personal data: the log keeps only
        # that they changed; the search key and its masked copy say nothing useful.
        auditlog.register(models.Gathering, mask_fields=["organiser_phone"])
        auditlog.register(
            models.Participant,
            mask_fields=["id_number", "phone"],
            exclude_fields=["id_index", "id_masked"],
        )
        register_blind_index(
            "gatherings.Participant",
            "id_index",
            lambda row: document_key(row.id_number) if row.id_number else "",
        )
