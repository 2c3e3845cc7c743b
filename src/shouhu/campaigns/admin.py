from django.contrib import admin
from django.http import HttpRequest

from shouhu.campaigns import models
from shouhu.campaigns.policy import policy_models
from shouhu.common.bounds import BoundedAdminMixin


class PhaseInline(BoundedAdminMixin, admin.TabularInline):
    model = models.Phase
    extra = 0


@admin.register(models.Campaign)
class CampaignAdmin(BoundedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on"]
    inlines = [PhaseInline]


@admin.register(models.KeyDate)
class KeyDateAdmin(BoundedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "campaign", "category", "starts_on", "ends_on", "is_computed"]
    list_filter = ["campaign", "category"]


@admin.register(models.Holiday)
class HolidayAdmin(BoundedAdminMixin, admin.ModelAdmin):
    list_display = ["date", "name", "kind"]
    list_filter = ["kind"]
    date_hierarchy = "date"


class ModulePolicyAdmin(BoundedAdminMixin, admin.ModelAdmin):
    list_display = ["campaign", "updated_at"]


# Every module's policy, wherever it is declared (they are audited like the campaign's page).
for policy_model in policy_models():
    admin.site.register(policy_model, ModulePolicyAdmin)


@admin.register(models.ServiceSuspension)
class ServiceSuspensionAdmin(BoundedAdminMixin, admin.ModelAdmin):
    list_display = ["unit", "service", "mode", "starts_on", "ends_on", "reason", "lifted_at"]
    list_filter = ["service", "mode"]
    raw_id_fields = ["unit", "created_by"]

    # Suspensions are registered and lifted on their own pages and in the API, through the
    # service: it bounds their dates to the campaign (C4) and tells the holders of bookings.
    # The admin only shows them.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
