"""The admin site, behind the same login lockout as the login page (accounts.lockout)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from shouhu.accounts import lockout
from shouhu.accounts.forms import AdminLoginForm

# Models of other projects whose names ship in English only, by "app_label.ModelName" (their apps'
# own names: config/vendor_apps). Their Meta is theirs: renaming them there would need a migration
# in their package.
_MODEL_NAMES = {
    "auditlog.LogEntry": _("变更记录"),
    "django_tasks_database.DBTaskResult": _("任务记录"),
}


class ShouhuAdminSite(admin.AdminSite):
    """Its login tells a locked client so, with HTTP 429, as the login page does; its index names
    other projects' models in the reader's language."""

    login_form = AdminLoginForm

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            for model in app["models"]:
                name = _MODEL_NAMES.get(f"{app['app_label']}.{model['object_name']}")
                if name is not None:
                    model["name"] = name
        return app_list

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().login(request, extra_context)
        if lockout.refused(request):
            response.status_code = 429
        return response
