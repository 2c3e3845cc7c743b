"""X2 / M7: public bookings cannot be flooded — codes, requests and bookings are limited per phone,
per document and per client address, and made-up couples cannot fill a day's seats or the register."""

import datetime as dt

import pytest

from shouhu.campaigns.services import policy_update
from shouhu.marriage.models import Booking, MarriagePolicy
from shouhu.marriage.tests.factories import (
    first_slot,
    make_registry,
    phone,
    public_book,
    resident_id,
    sent_codes,
)
from shouhu.marriage.tests.test_public import form_data
from shouhu.notifications.models import OutboxMessage, PhoneCode, PhoneCodePolicy
from shouhu.people.idcard import document_key
from shouhu.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(tree, plan_campaign):
    return make_registry(tree.county_a, "加格达奇区婚姻登记处", quota=20, slots=((9, 10, 1),))


def test_x2_one_client_with_two_phones_books_one_couple_however_many_it_makes_up(
    client, registry, plan_campaign
):
    """The probe's flood: ten made-up couples from one client, each proved with the same two phones."""
    tel_a, tel_b = phone(), phone()
    slot = first_slot(registry)
    answers = [
        public_book(
            client,
            form_data(
                registry,
                slot,
                a_id=resident_id(),
                b_id=resident_id(female=True),
                a_phone=tel_a,
                extra={"b_phone": tel_b},
            ),
        ).status_code
        for _couple in range(10)
    ]
    assert Booking.objects.count() == 1
    assert answers[0] == 302
    assert set(answers[1:]) <= {409, 429}
    assert Person.objects.count() == 2  # nobody else was added to the register


def test_x2_codes_per_phone_are_limited(client, registry, plan_campaign):
    policy_update(
        actor=None, campaign=plan_campaign, model=PhoneCodePolicy, values={"codes_per_phone_per_day": 3}
    )
    tel = phone()
    slot = first_slot(registry)
    statuses = [
        client.post("/marriage/book/", form_data(registry, slot, a_phone=tel)).status_code for _ in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    assert OutboxMessage.objects.filter(phone_index=PhoneCode.objects.first().phone_index).count() <= 3


def test_x2_requests_per_document_are_limited_with_one_answer_for_every_limit(
    client, registry, plan_campaign
):
    policy_update(
        actor=None,
        campaign=plan_campaign,
        model=MarriagePolicy,
        values={"public_requests_per_document_per_day": 2},
    )
    number = resident_id()
    slot = first_slot(registry)
    statuses = []
    for _attempt in range(3):
        response = client.post("/marriage/book/", form_data(registry, slot, a_id=number))
        statuses.append(response.status_code)
    assert statuses == [302, 302, 429]
    assert "申请过于频繁" in response.content.decode()


def test_x2_codes_per_client_address_are_limited(client, registry, plan_campaign):
    policy_update(
        actor=None, campaign=plan_campaign, model=PhoneCodePolicy, values={"codes_per_address_per_hour": 4}
    )
    slot = first_slot(registry)
    statuses = [client.post("/marriage/book/", form_data(registry, slot)).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]  # two codes a request


def test_x2_a_code_dies_after_the_policys_wrong_tries(client, registry, plan_campaign):
    policy_update(actor=None, campaign=plan_campaign, model=PhoneCodePolicy, values={"code_tries": 2})
    client.post("/marriage/book/", form_data(registry, first_slot(registry)))
    codes = sent_codes()
    for _wrong in range(2):
        client.post("/marriage/book/verify/", {"action": "confirm", "code_a": "000000", "code_b": codes["b"]})
    right = client.post(
        "/marriage/book/verify/", {"action": "confirm", "code_a": codes["a"], "code_b": codes["b"]}
    )
    assert right.status_code == 400
    assert "验证码已失效" in right.content.decode()
    assert not Booking.objects.exists()
    resent = client.post("/marriage/book/verify/", {"action": "resend"})
    assert resent.status_code == 200
    fresh = sent_codes()
    done = client.post(
        "/marriage/book/verify/", {"action": "confirm", "code_a": fresh["a"], "code_b": codes["b"]}
    )
    assert done.status_code == 302
    assert Booking.objects.count() == 1


def test_x2_an_expired_request_books_nothing(client, registry, plan_campaign, fixed_clock):
    import datetime as dt

    from shouhu.common import clock

    client.post("/marriage/book/", form_data(registry, first_slot(registry)))
    codes = sent_codes()
    minutes = plan_campaign.notifications_policy.code_valid_minutes
    with clock.frozen(fixed_clock + dt.timedelta(minutes=minutes, seconds=1)):
        late = client.post(
            "/marriage/book/verify/", {"action": "confirm", "code_a": codes["a"], "code_b": codes["b"]}
        )
    assert late.status_code == 410
    assert not Booking.objects.exists()


def test_x2_a_phone_proved_on_the_public_page_never_becomes_the_registers(client, registry):
    """Otherwise whoever booked first with someone's ID would from then on receive their codes
    and be told why they cannot book (their isolation, with its dates)."""
    from shouhu.common import clock
    from shouhu.screening import services as screening
    from shouhu.screening.models import IsolationKind

    number, own_phone = resident_id(), phone()
    assert (
        public_book(
            client, form_data(registry, first_slot(registry), a_id=number, a_phone=own_phone)
        ).status_code
        == 302
    )
    person = Person.objects.get(id_index=document_key(number))
    assert person.phone == ""  # the booking keeps the phone; the register does not
    Booking.objects.update(status="cancelled")
    from shouhu.marriage.models import BookingParty

    BookingParty.objects.update(is_active=False)
    screening.isolation_record(
        actor=None, person=person, kind=IsolationKind.CENTRALISED, starts_on=clock.today(), source="推送"
    )
    again = public_book(
        client.__class__(), form_data(registry, first_slot(registry), a_id=number, a_phone=own_phone)
    )
    html = again.content.decode()
    assert again.status_code == 409
    assert "隔离" not in html
    assert "现场核实" in html


@pytest.mark.parametrize("spelling", ["fullwidth", "passport"])
def test_m3_the_same_number_spelled_otherwise_is_still_the_registered_person(client, registry, spelling):
    from shouhu.common import clock
    from shouhu.people.services import PersonInput, person_register
    from shouhu.screening import services as screening
    from shouhu.screening.models import IsolationKind

    number = resident_id()
    person = person_register(
        actor=None, data=PersonInput(name="王五", home_unit=registry, id_number=number)
    ).person
    screening.isolation_record(
        actor=None, person=person, kind=IsolationKind.CENTRALISED, starts_on=clock.today(), source="推送"
    )
    if spelling == "fullwidth":
        typed = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        answer = public_book(client, form_data(registry, first_slot(registry), a_id=typed))
        assert answer.status_code == 409  # found, checked, refused (without the reason: no phone on record)
    else:
        answer = public_book(
            client, form_data(registry, first_slot(registry), a_id=number, extra={"a_id_type": "passport"})
        )
        assert answer.status_code == 400
        assert "证件类型请选择“居民身份证”" in answer.content.decode()
    assert not Booking.objects.exists()
    assert Person.objects.count() == 1


def test_x2_every_limit_answers_in_the_same_words(client, registry, plan_campaign):
    """Which limit was met would tell whether a document or a phone had been used today."""
    policy_update(
        actor=None, campaign=plan_campaign, model=PhoneCodePolicy, values={"codes_per_phone_per_day": 1}
    )
    tel = phone()
    slot = first_slot(registry)
    client.post("/marriage/book/", form_data(registry, slot, a_phone=tel))
    by_phone = client.post("/marriage/book/", form_data(registry, slot, a_phone=tel))
    policy_update(
        actor=None, campaign=plan_campaign, model=PhoneCodePolicy, values={"codes_per_phone_per_day": 10}
    )
    policy_update(
        actor=None,
        campaign=plan_campaign,
        model=MarriagePolicy,
        values={"public_requests_per_document_per_day": 1},
    )
    number = resident_id()
    client.post("/marriage/book/", form_data(registry, slot, a_id=number))
    by_document = client.post("/marriage/book/", form_data(registry, slot, a_id=number))
    assert by_phone.status_code == by_document.status_code == 429
    assert "申请过于频繁" in by_phone.content.decode()
    assert "申请过于频繁" in by_document.content.decode()


def test_x2_rescheduling_is_limited_like_requests(client, registry, plan_campaign):
    from shouhu.marriage import services
    from shouhu.marriage.tests.factories import MONDAY

    policy_update(
        actor=None,
        campaign=plan_campaign,
        model=MarriagePolicy,
        values={"public_requests_per_document_per_day": 2},
    )
    tel = phone()
    public_book(client, form_data(registry, first_slot(registry), a_phone=tel))
    booking = Booking.objects.get()
    manager = client.__class__()
    manager.post("/marriage/book/manage/", {"action": "lookup", "code": booking.code, "phone": tel})
    statuses = []
    for offset in (1, 2, 3):
        day = MONDAY + dt.timedelta(days=offset)
        slot = services.slots_make(unit=registry, day=day)[0]
        statuses.append(
            manager.post(
                "/marriage/book/manage/",
                {"action": "reschedule", "unit": registry.pk, "date": day.isoformat(), "slot": slot.pk},
            ).status_code
        )
    assert statuses == [200, 200, 429]


def test_x1_an_ipv6_client_is_counted_by_its_64():
    from django.test import RequestFactory

    from shouhu.common.clients import client_address

    factory = RequestFactory()
    one = client_address(factory.get("/", REMOTE_ADDR="2001:db8:1:2::1"))
    other = client_address(factory.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9"))
    elsewhere = client_address(factory.get("/", REMOTE_ADDR="2001:db8:1:3::1"))
    assert one == other == "2001:db8:1:2::/64"
    assert elsewhere != one
    assert client_address(factory.get("/", REMOTE_ADDR="::ffff:10.0.0.7")) == "10.0.0.7"
    assert client_address(factory.get("/", REMOTE_ADDR="10.0.0.7")) == "10.0.0.7"


@pytest.mark.django_db(transaction=True)
def test_x2_two_requests_proving_one_phone_confirmed_at_once_book_one(tree, plan_campaign):
    """The per-phone limit holds under concurrency: the phone's count and the booking run one at a
    time for that phone (on SQLite a transaction already holds the one write lock)."""
    import threading

    from django.db import connection

    from shouhu.common.errors import DomainError
    from shouhu.marriage import booking_requests, services
    from shouhu.marriage.models import BookingRequest

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    unit = make_registry(tree.county_a, "并发登记处", quota=20, slots=((9, 10, 4),))
    slot = first_slot(unit)
    shared = phone()
    requests = []
    for _couple in range(2):
        made = booking_requests.booking_request_start(
            unit=unit,
            slot=slot,
            party_a=services.PartyInput("甲", "resident_id", resident_id(), shared),
            party_b=services.PartyInput("乙", "resident_id", resident_id(female=True), phone()),
            join_waitlist=False,
            client_address="10.0.0.1",
        )
        requests.append((made, sent_codes()))
    results: list[str] = []
    barrier = threading.Barrier(2)

    def confirm(request: BookingRequest, codes: dict[str, str]) -> None:
        try:
            barrier.wait()
            booking_requests.booking_request_confirm(request=request, code_a=codes["a"], code_b=codes["b"])
            results.append("booked")
        except DomainError as error:
            results.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=pair) for pair in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["booked", "phone_has_booking"]
    assert Booking.objects.count() == 1
