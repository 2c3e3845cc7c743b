"""The admin site, behind the same login lockout as the login page (accounts.lockout)."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from shouhu.accounts import lockout
from shouhu.accounts.forms import AdminLoginForm


class ShouhuAdminSite(admin.AdminSite):
    """Its login tells a locked client so, with HTTP 429, as the login page does."""

    login_form = AdminLoginForm

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().login(request, extra_context)
        if lockout.refused(request):
            response.status_code = 429
        return response
