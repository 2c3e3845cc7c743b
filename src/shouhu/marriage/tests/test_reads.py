"""A GET never writes (M1): slot rows are made by writes that mean to make them — a registry's
rules saved, `marriage_tick` — never by a page or an API answer that shows the calendar."""

import datetime as dt

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouhu.marriage.models import Slot
from shouhu.marriage.tests.factories import MONDAY, book, make_registry

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _writes(captured: list[dict[str, str]]) -> list[str]:
    return [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(WRITES)]


def test_m1_calendar_and_slot_pages_and_apis_write_nothing(client, tree, plan_campaign, county_user):
    registry = make_registry(tree.county_a, "加格达奇区婚姻登记处", quota=4)
    booking = book(registry)
    # A bookable day whose rows are not there (as on a day that entered the window since the
    # last tick): before, the first page to show it made them.
    tuesday = MONDAY + dt.timedelta(days=1)
    Slot.objects.filter(unit=registry, date=tuesday).delete()
    public = [
        f"/marriage/book/?unit={registry.pk}&date={tuesday}",
        f"/marriage/book/slots/?unit={registry.pk}&date={tuesday}",
        f"/marriage/book/slots/?unit={registry.pk}&date={MONDAY}",
        "/marriage/book/manage/",
    ]
    staff = [
        "/marriage/",
        f"/marriage/registries/{registry.pk}/",
        f"/marriage/registries/{registry.pk}/day/?date={tuesday}",
        f"/marriage/registries/{registry.pk}/day/?date={MONDAY}",
        f"/marriage/daily-counts/?date={tuesday}",
        "/marriage/surge-dates/",
        "/marriage/counter/",
        f"/marriage/bookings/{booking.pk}/",
        "/api/v1/marriage/bookings/",
        f"/api/v1/marriage/bookings/?date={tuesday}",
        f"/api/v1/marriage/bookings/{booking.pk}/",
        "/api/v1/marriage/reports/",
        "/api/v1/marriage/report-recipients/",
    ]
    with CaptureQueriesContext(connection) as queries:
        for url in public:
            assert client.get(url).status_code == 200, url
    client.force_login(county_user)
    with CaptureQueriesContext(connection) as staff_queries:
        for url in staff:
            assert client.get(url).status_code == 200, url
    assert _writes(queries.captured_queries + staff_queries.captured_queries) == []
    assert not Slot.objects.filter(unit=registry, date=tuesday).exists()
    call_command("marriage_tick")
    assert Slot.objects.filter(unit=registry, date=tuesday).count() == 2
