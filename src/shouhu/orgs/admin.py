from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from shouhu.common.bounds import BoundedAdminMixin
from shouhu.orgs.models import OrgUnit


@admin.register(OrgUnit)
class OrgUnitAdmin(BoundedAdminMixin, TreeAdmin):
    form = movenodeform_factory(OrgUnit)
    list_display = ["name", "code", "kind", "institution_type", "status", "is_demo"]
    list_filter = ["kind", "institution_type", "status", "is_demo"]
    search_fields = ["name", "code"]
