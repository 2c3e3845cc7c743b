from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_safe

from shouhu.accounts import lockout
from shouhu.accounts.forms import LoginForm
from shouhu.accounts.types import AuthedHttpRequest
from shouhu.campaigns.selectors import SuspensionFilters, suspension_list
from shouhu.common import clock
from shouhu.orgs.selectors import unit_list
from shouhu.screening.permissions import ScreeningPerm
from shouhu.screening.selectors import screening_chart


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if lockout.refused(self.request):
            response.status_code = 429
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@login_required
@require_safe
def dashboard(request: AuthedHttpRequest) -> HttpResponse:
    today = clock.today()
    units = unit_list(viewer=request.user)
    sees_screening = request.user.has_code(ScreeningPerm.VIEW)
    context = {
        "today": today,
        "unit_count": units.count(),
        "institution_count": units.filter(kind="institution").count(),
        "suspensions_today": suspension_list(viewer=request.user, filters=SuspensionFilters(active_on=today))[
            :10
        ],
        "screening_chart": sees_screening,
        "screening_chart_data": screening_chart(viewer=request.user, today=today) if sees_screening else None,
    }
    return render(request, "accounts/dashboard.html", context)
