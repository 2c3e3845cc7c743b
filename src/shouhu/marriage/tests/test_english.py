"""Refusals in English for a party who switched the language (e.g. a foreign passport holder)."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import translation

from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.marriage.models import Booking, MarriagePolicy, Slot
from shouhu.marriage.tests.factories import book, first_slot, make_registry, party, resident_id
from shouhu.marriage.tests.test_public import form_data
from shouhu.people.idcard import check_digit
from shouhu.screening.models import ScreeningPolicy


@pytest.fixture
def registry(tree, plan_campaign):
    return make_registry(tree.county_a, "加格达奇区婚姻登记处", quota=4)


def test_x8_a_booking_for_a_past_date_is_refused_in_english(registry):
    yesterday = clock.today() - dt.timedelta(days=1)
    past = Slot.objects.create(
        unit=registry, date=yesterday, starts_at=dt.time(9), ends_at=dt.time(10), capacity=2
    )
    with translation.override("en"), pytest.raises(DomainError) as caught:
        book(registry, past)
    assert caught.value.message == "A date in the past cannot be booked"
    with pytest.raises(DomainError) as in_chinese:
        book(registry, past)
    assert in_chinese.value.message == "不能预约已过去的日期"


def test_x8_a_party_under_the_legal_age_is_refused_in_english(registry):
    first17 = "232701" + "20000111" + "001"  # a man, 22 only the day after MONDAY
    young_man = party("小王", id_number=first17 + check_digit(first17))
    with translation.override("en"), pytest.raises(DomainError) as caught:
        book(registry, a=young_man)
    assert caught.value.code == "under_age"
    assert caught.value.message == (
        "Party A is under the legal age for marriage on 2022-01-10 (22 for men, 20 for women) "
        "and cannot book a marriage registration"
    )
    assert not Booking.objects.exists()


def test_x8_the_same_person_as_both_parties_is_refused_in_english(registry):
    number = resident_id()
    with translation.override("en"), pytest.raises(DomainError) as caught:
        book(registry, a=party("Jane Doe", id_number=number), b=party("Jane Doe", id_number=number))
    expected = "The two parties cannot be the same person; please check the ID document numbers"
    assert caught.value.message == expected
    assert caught.value.field_errors == {"b_id_number": [expected]}


def test_x8_a_bad_id_number_is_explained_in_english_with_the_party(registry):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        book(registry, a=party("张三", id_number="232701199001011230"))
    assert caught.value.field_errors["a_id_number"] == [
        "Party A: The check digit of the resident ID number is wrong; please check for a typing mistake"
    ]


def test_x8_the_public_page_refuses_in_english_by_accept_language(client, registry):
    same = resident_id()
    data = form_data(registry, first_slot(registry), a_id=same, b_id=same)
    page = client.post("/marriage/book/", data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The two parties cannot be the same person" in page
    assert "不能是同一人" not in page


def test_x8_the_public_page_refuses_in_english_by_the_language_cookie(client, registry):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    first17 = "232701" + "20040301" + "002"  # a woman, 17 on MONDAY
    data = form_data(registry, first_slot(registry), b_id=first17 + check_digit(first17))
    response = client.post("/marriage/book/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Party B is under the legal age for marriage on 2022-01-10" in page
    assert "法定婚龄" not in page
    assert not Booking.objects.exists()


def test_x8_the_public_page_names_documents_and_statuses_in_english(client, registry):
    from shouhu.marriage.models import BookingStatus
    from shouhu.marriage.tests.factories import book
    from shouhu.people.models import IdType

    page = client.get("/marriage/book/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Mainland Travel Permit for Hong Kong and Macao Residents" in page
    assert "港澳居民来往内地通行证" not in page
    # The label translates on screen; the register's import still reads the Chinese one.
    from shouhu.people.importers import ID_TYPE_BY_LABEL

    assert ID_TYPE_BY_LABEL["港澳居民来往内地通行证"] == IdType.HK_MACAO_PERMIT
    booking = book(registry)
    with translation.override("en"):
        assert booking.get_status_display() == "Booked"
    with translation.override(settings.LANGUAGE_CODE):
        assert booking.get_status_display() == "已预约"
    assert BookingStatus.BOOKED == "booked"


def test_x8_the_public_page_offers_the_language_switch(client, registry):
    """A foreign party who reads no Chinese finds "English" on the page itself."""
    page = client.get("/marriage/book/").content.decode()
    assert 'data-testid="language-switch"' in page
    assert ">English</button>" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/marriage/book/"})
    english = client.get("/marriage/book/").content.decode()
    assert '<html lang="en">' in english
    assert ">简体中文</button>" in english


def test_x8_the_advance_notice_reads_in_english(registry):
    """M2's notice is what a foreign party needs most: documents and rules in the page's language."""
    from shouhu.campaigns.policy import current_policies
    from shouhu.marriage import notices

    booking = book(registry)
    policy, screening = current_policies(MarriagePolicy, ScreeningPolicy)
    with translation.override("en"):
        notice = notices.advance_notice(booking, policy, screening)
    assert "Party A: Your valid resident identity card" in notice.documents
    assert f"No registration at a temperature of {screening.temperature_limit} ℃ or above" in notice.rules
    assert not any("体温" in rule for rule in notice.rules)
    with translation.override("zh-hans"):
        chinese = notices.advance_notice(booking, policy, screening)
    assert "当事人甲：本人有效居民身份证" in chinese.documents
