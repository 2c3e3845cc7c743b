from django.apps import AppConfig


class VaccinationConfig(AppConfig):
    name = "shouhu.vaccination"
    label = "vaccination"
    verbose_name = "疫苗接种"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import importers, models  # noqa: F401  importers register themselves

        for model in (
            models.VaccineProduct,
            models.VaccineDose,
            models.Contraindication,
            models.Deferral,
            models.Mobilisation,
            models.MobilisationContact,
            models.VaccinationReport,
        ):
            auditlog.register(model)
