import datetime as dt
import re
from itertools import count

from shouhu.marriage import services
from shouhu.marriage.models import Slot
from shouhu.orgs.models import UnitKind
from shouhu.orgs.tests.factories import make_unit
from shouhu.people.idcard import check_digit
from shouhu.people.models import IdType

_serial = count(1)
# The fixed clock is 2022-01-05 (a Wednesday); the next Monday is a plain working day.
MONDAY = dt.date(2022, 1, 10)


def resident_id(serial: int | None = None, *, female: bool = False) -> str:
    serial = next(_serial) if serial is None else serial
    day = dt.date(1990, 1, 1) + dt.timedelta(days=serial % 3000)
    sequence = (serial // 3000) % 100 * 10 + (serial % 5) * 2 + (0 if female else 1)
    first17 = f"232701{day:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)


def phone(serial: int | None = None) -> str:
    serial = next(_serial) if serial is None else serial
    return f"139{serial % 100000000:08d}"


def party(name: str = "张三", *, id_number: str = "", id_type: str = IdType.RESIDENT_ID, tel: str = ""):
    return services.PartyInput(
        name=name, id_type=id_type, id_number=id_number or resident_id(), phone=tel or phone()
    )


def make_registry(county, name: str = "", *, quota: int | None = None, slots=((9, 10, 1), (10, 11, 1))):
    unit = make_unit(county, UnitKind.INSTITUTION, name or None, institution_type="marriage_registry")
    for start, end, share in slots:
        services.slot_template_add(
            actor=None, unit=unit, starts_at=dt.time(start), ends_at=dt.time(end), share=share
        )
    if quota is not None:
        services.registry_settings_update(actor=None, unit=unit, daily_quota=quota, open_weekdays="12345")  # type: ignore[arg-type]
    return unit


def first_slot(unit, day=MONDAY) -> Slot:
    return services.slots_make(unit=unit, day=day)[0]


def book(unit, slot=None, *, a=None, b=None, waitlist=False):
    return services.booking_create(
        unit=unit,
        slot=slot or first_slot(unit),
        party_a=a or party("张三"),
        party_b=b or party("李四", id_number=resident_id(female=True)),
        join_waitlist=waitlist,
        disclose=services.disclose_everything,
    )


def sent_codes() -> dict[str, str]:
    """The codes of the last public booking request, by role ("a", "b"), read from the outbox."""
    from shouhu.marriage.booking_requests import PURPOSE
    from shouhu.notifications.models import OutboxMessage

    codes: dict[str, str] = {}
    for message in OutboxMessage.objects.filter(kind=PURPOSE).order_by("-pk")[:2]:
        found = re.search(r"当事人([甲乙])验证码 (\d{6})", message.body)
        assert found, message.body
        codes.setdefault("a" if found[1] == "甲" else "b", found[2])
    return codes


def public_book(client, data, *, follow=False, **extra):
    """Book on the public page as a couple does: the form, then both codes from their phones.
    The answer of the form when it refuses, else the answer of the code page."""
    typed = client.post("/marriage/book/", data, **extra)
    if typed.status_code != 302 or not typed["Location"].endswith("/verify/"):
        return typed
    codes = sent_codes()
    return client.post(
        "/marriage/book/verify/",
        {"action": "confirm", "code_a": codes["a"], "code_b": codes["b"]},
        follow=follow,
        **extra,
    )


def suspend(unit, day, reason="本地出现疫情", *, actor=None, ends_on=None, **extra):
    """A marriage-registration suspension of `unit` from `day`, with the notices that run once it
    commits (a test's transaction never commits, so they are run here)."""
    from django.test import TestCase

    from shouhu.campaigns.services import suspension_create

    with TestCase.captureOnCommitCallbacks(execute=True):
        return suspension_create(
            actor=actor,
            unit=unit,
            service="marriage_registration",
            starts_on=day,
            ends_on=ends_on or day,
            reason=reason,
            **extra,
        )
