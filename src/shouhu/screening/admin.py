from django.contrib import admin

from shouhu.common.bounds import BoundedAdminMixin
from shouhu.screening import models


@admin.register(models.RiskArea)
class RiskAreaAdmin(BoundedAdminMixin, admin.ModelAdmin):
    """Read-only here: risk areas change by ending a record and adding one (the pages do it)."""

    list_display = ["place_label", "level", "effective_from", "effective_to", "source"]
    list_filter = ["level", "source"]
    search_fields = ["province", "city", "county", "township", "community", "admin_code"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(models.DailyScreeningCount)
class DailyScreeningCountAdmin(BoundedAdminMixin, admin.ModelAdmin):
    list_display = ["day", "unit", "screenings", "admitted", "refused", "pending"]
    raw_id_fields = ["unit"]
