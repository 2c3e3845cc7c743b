"""X2 / M7: public bookings cannot be flooded — codes, requests and bookings are limited per phone,
per document and per client address, and made-up couples cannot fill a day's seats or the register."""

import pytest

from shouhu.campaigns.services import policy_update
from shouhu.marriage.models import Booking
from shouhu.marriage.tests.factories import (
    first_slot,
    make_registry,
    phone,
    public_book,
    resident_id,
    sent_codes,
)
from shouhu.marriage.tests.test_public import form_data
from shouhu.notifications.models import OutboxMessage, PhoneCode
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
    policy_update(actor=None, policy=plan_campaign.policy, public_codes_per_phone_per_day=3)
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
    policy_update(actor=None, policy=plan_campaign.policy, public_requests_per_document_per_day=2)
    number = resident_id()
    slot = first_slot(registry)
    statuses = []
    for _attempt in range(3):
        response = client.post("/marriage/book/", form_data(registry, slot, a_id=number))
        statuses.append(response.status_code)
    assert statuses == [302, 302, 429]
    assert "申请过于频繁" in response.content.decode()


def test_x2_codes_per_client_address_are_limited(client, registry, plan_campaign):
    policy_update(actor=None, policy=plan_campaign.policy, public_codes_per_address_per_hour=4)
    slot = first_slot(registry)
    statuses = [client.post("/marriage/book/", form_data(registry, slot)).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]  # two codes a request


def test_x2_a_code_dies_after_the_policys_wrong_tries(client, registry, plan_campaign):
    policy_update(actor=None, policy=plan_campaign.policy, public_code_tries=2)
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
    minutes = plan_campaign.policy.public_code_valid_minutes
    with clock.frozen(fixed_clock + dt.timedelta(minutes=minutes, seconds=1)):
        late = client.post(
            "/marriage/book/verify/", {"action": "confirm", "code_a": codes["a"], "code_b": codes["b"]}
        )
    assert late.status_code == 410
    assert not Booking.objects.exists()
