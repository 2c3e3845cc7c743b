from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from shouhu.accounts.models import User
from shouhu.common.bounds import BoundedAdminMixin


@admin.register(User)
class UserAdmin(BoundedAdminMixin, DjangoUserAdmin):
    list_display = ["username", "display_name", "role", "unit", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "display_name", "unit__name"]
    raw_id_fields = ["unit"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("守护", {"fields": ("display_name", "role", "unit")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("守护", {"fields": ("display_name", "role", "unit")}),
    )
