from django.contrib import admin

from shouhu.campaigns import models


class PhaseInline(admin.TabularInline):
    model = models.Phase
    extra = 0


@admin.register(models.Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on"]
    inlines = [PhaseInline]


@admin.register(models.KeyDate)
class KeyDateAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "category", "starts_on", "ends_on", "is_computed"]
    list_filter = ["campaign", "category"]


@admin.register(models.Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "kind"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(models.Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["campaign", "temperature_limit", "risk_lookback_days", "gathering_application_persons"]


@admin.register(models.ServiceSuspension)
class ServiceSuspensionAdmin(admin.ModelAdmin):
    list_display = ["unit", "service", "mode", "starts_on", "ends_on", "reason", "lifted_at"]
    list_filter = ["service", "mode"]
    raw_id_fields = ["unit", "created_by"]
