"""A funeral case tells the person register of the death, and the death ends what the person held."""

import datetime as dt

import pytest

from shouhu.common.errors import DomainError
from shouhu.funerals import services
from shouhu.funerals.tests.factories import case_input
from shouhu.marriage.models import BookingStatus, PartyRole
from shouhu.marriage.tests.factories import book, make_registry, party
from shouhu.notifications.models import OutboxMessage
from shouhu.people.services import person_record_death

DIED_ON = dt.date(2022, 1, 4)


@pytest.fixture
def booking(tree):
    return book(make_registry(tree.county_a, "加格达奇区婚姻登记处"))


def test_f1_a_funeral_case_records_the_death_and_ends_the_persons_marriage_booking(booking, home_a):
    groom = booking.parties.get(role=PartyRole.A).person
    bride_phone = booking.parties.get(role=PartyRole.B).phone
    sent_before = OutboxMessage.objects.filter(kind="marriage.cancel").count()

    services.case_register(
        actor=None, home=home_a, data=case_input(groom.name, deceased=groom, died_on=DIED_ON)
    )

    groom.refresh_from_db()
    booking.refresh_from_db()
    booking.slot.refresh_from_db()
    assert groom.deceased_on == DIED_ON
    assert booking.status == BookingStatus.CANCELLED
    assert booking.status_note == "当事人已故"
    assert booking.slot.booked == 0, "the seat goes back to the slot"
    assert not booking.parties.filter(is_active=True).exists()
    told = OutboxMessage.objects.filter(kind="marriage.cancel")
    assert told.count() == sent_before + 1, "only the living party is told"
    assert told.latest("pk").phone == bride_phone


def test_f1_a_deceased_person_cannot_book_again(booking, home_a):
    groom = booking.parties.get(role=PartyRole.A).person
    services.case_register(
        actor=None, home=home_a, data=case_input(groom.name, deceased=groom, died_on=DIED_ON)
    )
    registry = booking.unit
    with pytest.raises(DomainError) as refused:
        book(registry, a=party(groom.name, id_number=groom.id_number))
    assert refused.value.code == "party_deceased"


def test_f1_a_death_in_the_future_or_before_birth_is_refused_and_nothing_changes(booking):
    groom = booking.parties.get(role=PartyRole.A).person
    with pytest.raises(DomainError, match="不能晚于今天"):
        person_record_death(actor=None, person=groom, died_on=dt.date(2022, 1, 6))
    with pytest.raises(DomainError, match="不能早于出生日期"):
        person_record_death(actor=None, person=groom, died_on=groom.birth_date - dt.timedelta(days=1))
    groom.refresh_from_db()
    booking.refresh_from_db()
    assert groom.deceased_on is None
    assert booking.status == BookingStatus.BOOKED
