"""The home page (工作台): what the viewer has to do today, who is behind (X5, X6)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.campaigns.selectors import SuspensionFilters, suspension_list
from shouhu.common import clock
from shouhu.site.selectors import today_work

SUSPENSIONS_SHOWN = 10  # not a policy threshold: how many of today's suspensions the page lists


@login_required
@require_safe
def dashboard(request: AuthedHttpRequest) -> HttpResponse:
    today = clock.today()
    work = today_work(viewer=request.user, today=today)
    context = {
        "today": today,
        "items": work.items,
        "board": work.board,
        "suspensions_today": suspension_list(viewer=request.user, filters=SuspensionFilters(active_on=today))[
            :SUSPENSIONS_SHOWN
        ],
    }
    return render(request, "site/dashboard.html", context)
