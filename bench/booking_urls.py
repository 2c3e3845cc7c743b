"""The project's URLs plus the two reference views that `bench_booking` compares with.

The bare view is what a hand-written "never overbook" booking needs: parse the body, lock the
slot row (select_for_update), count it up if a seat is left, insert the booking row. It is the
baseline of the issue's goal.

The hand-written view does the work the API does, with the same checks and the same statements
written as SQL by hand (no ORM query building, no serializers): both parties validated and
registered (encrypted, blind-indexed, audited), the day's policy, plan and suspensions, the
parties' look-up, booking, parties, seat, two texts. It is not a second implementation of the
rules (it skips the refusal branches the bench never takes); it measures what the same statements
cost on this machine, whatever code issues them: the floor any implementation of the issue's
booking stands on.
"""

import datetime as dt
import json
import secrets

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST

from shouhu.campaigns.policy import current_policy
from shouhu.common.audit import audit_bulk
from shouhu.config.urls import urlpatterns as project_urlpatterns
from shouhu.marriage import notices, selectors, services
from shouhu.marriage.models import Booking, BookingStatus, MarriagePolicy, Slot
from shouhu.notifications.models import OutboxMessage
from shouhu.orgs.models import OrgUnit
from shouhu.people.idcard import phone_key
from shouhu.people.models import Person
from shouhu.people.services import PersonInput, clean_person


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


_SLOT_SQL = """
    SELECT s.id, s.unit_id, s.date, s.starts_at, s.ends_at, s.capacity, s.booked, u.path, u.name,
           u.kind, u.institution_type, u.status
    FROM marriage_slot s JOIN orgs_orgunit u ON u.id = s.unit_id
    WHERE s.id = %s AND u.kind = 'institution' AND u.institution_type = 'marriage_registry'
      AND u.status = 'active'
"""
_PEOPLE_SQL = (
    "SELECT id, id_type, id_index, deceased_on FROM people_person"
    " WHERE id_index IN (%s, %s) AND merged_into_id IS NULL"
)
_PERSON_COLUMNS = (
    "created_at, updated_at, name, gender, birth_date, id_type, id_number, id_index, phone,"
    " phone_index, address, household_registration, home_unit_id, is_demo"
)
_PERSONS_SQL = (
    f"INSERT INTO people_person ({_PERSON_COLUMNS}) VALUES"
    f" ({', '.join(['%s'] * 14)}), ({', '.join(['%s'] * 14)}) RETURNING id"
)
_BOOKING_SQL = (
    "INSERT INTO marriage_booking (created_at, updated_at, code, unit_id, slot_id, date, status, status_note)"
    " VALUES (%s, %s, %s, %s, %s, %s, 'booked', '') RETURNING id"
)
_PARTIES_SQL = (
    "INSERT INTO marriage_bookingparty (booking_id, person_id, role, name, phone, phone_index, is_hmt, is_active)"
    " VALUES (%s, %s, 'a', %s, %s, %s, false, true), (%s, %s, 'b', %s, %s, %s, false, true) RETURNING id"
)
_SEAT_SQL = "UPDATE marriage_slot SET booked = booked + 1 WHERE id = %s AND booked < capacity"
_TEXTS_SQL = (
    "INSERT INTO notifications_outboxmessage"
    " (created_at, updated_at, unit_id, kind, phone, phone_index, body, status, attempts, last_error)"
    " VALUES (%s, %s, %s, 'marriage.booking', %s, %s, %s, 'pending', 0, ''),"
    " (%s, %s, %s, 'marriage.booking', %s, %s, %s, 'pending', 0, '') RETURNING id"
)


@require_POST
@login_required
def hand_written_booking(request: HttpRequest) -> HttpResponse:
    data = json.loads(request.body)
    with connection.cursor() as cursor:
        cursor.execute(_SLOT_SQL, [data["slot"]])
        row = cursor.fetchone()
        if row is None:
            return JsonResponse({"detail": "not found"}, status=404)
        unit = OrgUnit(
            pk=row[1], path=row[7], name=row[8], kind=row[9], institution_type=row[10], status=row[11]
        )
        slot = Slot(pk=row[0], unit=unit, date=row[2], starts_at=row[3], ends_at=row[4], capacity=row[5])
        values = []
        for key in ("party_a", "party_b"):
            party = data[key]
            values.append(
                clean_person(
                    PersonInput(
                        name=party["name"],
                        home_unit=unit,
                        id_type=party["id_type"],
                        id_number=party["id_number"],
                        phone=party["phone"],
                    )
                ).values
            )
        policy = current_policy(MarriagePolicy, slot.date)
        refusal = selectors.day_refusal(unit=unit, day=slot.date, policy=policy)
        if refusal:
            return JsonResponse({"detail": refusal}, status=409)
        cursor.execute(_PEOPLE_SQL, [v["id_index"] for v in values])
        if cursor.fetchall():
            return JsonResponse({"detail": "registered: the bench sends new people only"}, status=409)
        now = dt.datetime.now(dt.UTC)
        encrypt = Person._meta.get_field("id_number").get_db_prep_save
        people = [Person(**v, created_at=now, updated_at=now) for v in values]
        booking = Booking(code=services.new_booking_code(), unit=unit, slot=slot, date=slot.date)
        body = notices.booked_text(booking, policy)
        texts = [
            OutboxMessage(
                unit=unit, kind="marriage.booking", phone=p.phone, phone_index=phone_key(p.phone), body=body
            )
            for p in people
        ]
        with transaction.atomic():
            params: list[object] = []
            for p in people:
                params += [now, now, p.name, p.gender, p.birth_date, p.id_type]
                params += [encrypt(p.id_number, connection), p.id_index, encrypt(p.phone, connection)]
                params += [p.phone_index, "", "", unit.pk, False]
            cursor.execute(_PERSONS_SQL, params)
            for p, (pk,) in zip(people, cursor.fetchall(), strict=True):
                p.pk = pk
            cursor.execute(_BOOKING_SQL, [now, now, booking.code, unit.pk, slot.pk, slot.date])
            (booking.pk,) = cursor.fetchone()
            params = []
            for p in people:
                params += [booking.pk, p.pk, p.name, encrypt(p.phone, connection), p.phone_index]
            cursor.execute(_PARTIES_SQL, params)
            cursor.fetchall()
            cursor.execute(_SEAT_SQL, [slot.pk])
            if cursor.rowcount != 1:
                transaction.set_rollback(True)
                return JsonResponse({"detail": "full"}, status=409)
            params = []
            for t in texts:
                params += [now, now, unit.pk, encrypt(t.phone, connection), t.phone_index, t.body]
            cursor.execute(_TEXTS_SQL, params)
            for t, (pk,) in zip(texts, cursor.fetchall(), strict=True):
                t.pk, t.created_at, t.updated_at = pk, now, now
            audit_bulk(actor=None, created=[*people, *texts])
    return JsonResponse(
        {
            "id": booking.pk,
            "code": booking.code,
            "status": BookingStatus.BOOKED,
            "parties": [{"name": p.name, "id_number_masked": p.id_number_masked} for p in people],
        },
        status=201,
    )


urlpatterns = [
    path("bench/bare-booking/", bare_booking, name="bench_bare_booking"),
    path("bench/hand-written-booking/", hand_written_booking, name="bench_hand_written_booking"),
    *project_urlpatterns,
]
