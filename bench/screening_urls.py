"""The project's URLs plus the bare screening view that `bench_screening` compares with.

Served by gunicorn through `bench.screening_wsgi`, so the bare view goes through exactly the
same middleware (sessions, CSRF, authentication) as the API it is compared with.
"""

import json
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from shouhu.config.urls import urlpatterns as project_urlpatterns
from shouhu.orgs.models import OrgUnit
from shouhu.screening.models import Screening


@require_POST
@login_required
def bare_screening(request: HttpRequest) -> HttpResponse:
    """What a hand-written view needs to record a screening: parse the body, find the
    institution in the user's subtree, insert one row, answer its id."""
    data = json.loads(request.body)
    scope = request.user.unit  # type: ignore[union-attr]
    unit = OrgUnit.objects.filter(pk=data["unit"], path__startswith=scope.path).first()
    if unit is None:
        return JsonResponse({"detail": "not found"}, status=404)
    now = timezone.now()
    screening = Screening.objects.create(
        unit=unit,
        visitor_name=data.get("visitor_name", ""),
        screened_at=now,
        health_code=data["health_code"],
        itinerary_code=data["itinerary_code"],
        temperature=Decimal(data["temperature"]),
        verdict="admitted",
        source="api",
        screened_by=request.user,  # type: ignore[misc]
        confirmed_at=now,
    )
    return JsonResponse({"id": screening.pk, "verdict": screening.verdict}, status=201)


urlpatterns = [
    path("bench/bare-screening/", bare_screening, name="bench_bare_screening"),
    *project_urlpatterns,
]
