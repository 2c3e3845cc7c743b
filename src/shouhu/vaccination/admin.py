from django.contrib import admin

from shouhu.common.bounds import BoundedAdminMixin
from shouhu.vaccination import models


@admin.register(models.VaccineProduct)
class VaccineProductAdmin(BoundedAdminMixin, admin.ModelAdmin):
    """Products and their schedules are data: the region administrator keeps them current."""

    list_display = [
        "short_name",
        "name",
        "manufacturer",
        "doses_for_completion",
        "min_interval_days",
        "booster_after_days",
    ]


@admin.register(models.VaccinationReport)
class VaccinationReportAdmin(BoundedAdminMixin, admin.ModelAdmin):
    list_display = ["unit", "period_start", "period_end", "baseline", "completed", "submitted_at", "is_late"]
    list_filter = ["is_late", "period_start"]
    raw_id_fields = ["unit", "submitted_by"]
