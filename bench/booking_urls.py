"""The project's URLs plus the bare booking view that `bench_booking` compares with.

The bare view is what a hand-written "never overbook" booking needs: parse the body, lock the
slot row (select_for_update), count it up if a seat is left, insert the booking row.
"""

import json
import secrets

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST

from shouhu.config.urls import urlpatterns as project_urlpatterns
from shouhu.marriage.models import Booking, Slot


@require_POST
@login_required
def bare_booking(request: HttpRequest) -> HttpResponse:
    data = json.loads(request.body)
    with transaction.atomic():
        slot = Slot.objects.select_for_update().filter(pk=data["slot"]).first()
        if slot is None:
            return JsonResponse({"detail": "not found"}, status=404)
        if slot.booked >= slot.capacity:
            return JsonResponse({"detail": "full"}, status=409)
        Slot.objects.filter(pk=slot.pk).update(booked=F("booked") + 1)
        booking = Booking.objects.create(
            code=secrets.token_hex(4).upper(), unit_id=slot.unit_id, slot=slot, date=slot.date
        )
    return JsonResponse({"id": booking.pk, "code": booking.code}, status=201)


urlpatterns = [
    path("bench/bare-booking/", bare_booking, name="bench_bare_booking"),
    *project_urlpatterns,
]
