from django.contrib import admin

from shouhu.common.bounds import BoundedAdminMixin
from shouhu.eldercare import models


@admin.register(models.ChecklistItem)
class ChecklistItemAdmin(BoundedAdminMixin, admin.ModelAdmin):
    """The daily log's checklist is data: the region adds, reorders or retires items here."""

    list_display = ["label", "order", "is_active", "hint"]
    list_editable = ["order", "is_active"]
    search_fields = ["label"]
