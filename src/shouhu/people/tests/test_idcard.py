"""X2: resident ID numbers checked by GB 11643-1999, phone numbers normalised, typed details
that contradict the ID refused — before anything reaches the register."""

import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shouhu.common.errors import DomainError
from shouhu.people.idcard import (
    PROVINCE_CODES,
    InvalidIdNumber,
    InvalidPhone,
    check_digit,
    is_mobile,
    normalise_phone,
    parse_resident_id,
)
from shouhu.people.models import Gender
from shouhu.people.services import PersonInput, clean_person

TODAY = dt.date(2022, 1, 5)  # the fixed clock of conftest.py


def make_id(area: str = "232718", birth: str = "19900307", sequence: str = "123") -> str:
    first17 = f"{area}{birth}{sequence}"
    return first17 + check_digit(first17)


def test_x2_check_digit_agrees_with_the_examples_printed_in_the_standard():
    # GB 11643-1999 appendix examples: an independent oracle for the weights and the table.
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"
    assert parse_resident_id("11010519491231002X", today=TODAY).birth_date == dt.date(1949, 12, 31)
    assert parse_resident_id("440524188001010014", today=TODAY).gender == "male"


def test_x2_valid_number_gives_birth_date_and_gender():
    number = make_id(birth="19900307", sequence="123")  # 17th digit 3: odd, a man
    resident = parse_resident_id(number, today=TODAY)
    assert resident.number == number
    assert resident.birth_date == dt.date(1990, 3, 7)
    assert resident.gender == "male"
    assert resident.warnings == []
    woman = parse_resident_id(make_id(sequence="124"), today=TODAY)
    assert woman.gender == "female"


def test_x2_wrong_check_digit_is_refused():
    number = make_id()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(InvalidIdNumber, match="校验位"):
        parse_resident_id(wrong, today=TODAY)


@pytest.mark.parametrize(
    "birth",
    [
        "19900230",  # 30 February
        "19901301",  # month 13
        "19900100",  # day 0
        "19000229",  # 1900 was not a leap year
    ],
)
def test_x2_impossible_birth_date_is_refused(birth):
    with pytest.raises(InvalidIdNumber, match="不存在"):
        parse_resident_id(make_id(birth=birth), today=TODAY)


def test_x2_leap_day_of_a_leap_year_is_accepted():
    assert parse_resident_id(make_id(birth="20000229"), today=TODAY).birth_date == dt.date(2000, 2, 29)


def test_x2_birth_date_after_today_is_refused_and_today_is_accepted():
    with pytest.raises(InvalidIdNumber, match="晚于今天"):
        parse_resident_id(make_id(birth="20220106"), today=TODAY)
    assert parse_resident_id(make_id(birth="20220105"), today=TODAY).birth_date == TODAY


def test_x2_birth_year_before_1880_is_refused():
    with pytest.raises(InvalidIdNumber, match="不合理"):
        parse_resident_id(make_id(birth="18791231"), today=TODAY)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("23271819900307123", "18 位，现为 17 位"),
        ("2327181990030712345", "18 位，现为 19 位"),
        ("23271819900307123A", "最后一位为数字或 X"),
        ("2327181990030712X2", "前 17 位须为数字"),
    ],
)
def test_x2_wrong_length_or_characters_are_refused(raw, message):
    with pytest.raises(InvalidIdNumber, match=message):
        parse_resident_id(raw, today=TODAY)


def test_x2_lowercase_x_and_spaces_are_accepted_as_x():
    number = "11010519491231002X"
    resident = parse_resident_id(" 110105 19491231 002x ", today=TODAY)
    assert resident.number == number


def test_x2_unknown_province_code_is_only_a_warning():
    resident = parse_resident_id(make_id(area="992718"), today=TODAY)
    assert resident.birth_date == dt.date(1990, 3, 7)
    assert resident.warnings == ["地区码 992718 不在已知省份中，请核对"]


def test_x2_clean_person_derives_gender_and_birth_date_and_carries_the_warning(tree):
    clean = clean_person(PersonInput(name="张三", home_unit=tree.county_a, id_number=make_id(area="992718")))
    assert clean.values["gender"] == Gender.MALE
    assert clean.values["birth_date"] == dt.date(1990, 3, 7)
    assert clean.warnings == ["地区码 992718 不在已知省份中，请核对"]
    lower = clean_person(PersonInput(name="李四", home_unit=tree.county_a, id_number="11010519491231002x"))
    assert lower.values["id_number"] == "11010519491231002X"
    assert lower.values["gender"] == Gender.FEMALE
    assert lower.values["birth_date"] == dt.date(1949, 12, 31)


def test_x2_typed_gender_that_contradicts_the_id_is_refused(tree):
    with pytest.raises(DomainError) as caught:
        clean_person(PersonInput(name="张三", home_unit=tree.county_a, id_number=make_id(), gender="female"))
    assert set(caught.value.field_errors) == {"gender"}
    assert "性别与身份证号不符" in caught.value.field_errors["gender"][0]
    # The same gender, or "unknown", is fine.
    for gender in (Gender.MALE, Gender.UNKNOWN, ""):
        clean = clean_person(
            PersonInput(name="张三", home_unit=tree.county_a, id_number=make_id(), gender=gender)
        )
        assert clean.values["gender"] == Gender.MALE


def test_x2_typed_birth_date_that_contradicts_the_id_is_refused(tree):
    with pytest.raises(DomainError) as caught:
        clean_person(
            PersonInput(
                name="张三", home_unit=tree.county_a, id_number=make_id(), birth_date=dt.date(1990, 3, 8)
            )
        )
    assert set(caught.value.field_errors) == {"birth_date"}
    assert "1990-03-07" in caught.value.field_errors["birth_date"][0]
    same = PersonInput(
        name="张三", home_unit=tree.county_a, id_number=make_id(), birth_date=dt.date(1990, 3, 7)
    )
    assert clean_person(same).values["birth_date"] == dt.date(1990, 3, 7)


def test_x2_every_bad_field_is_named_at_once(tree):
    with pytest.raises(DomainError) as caught:
        clean_person(
            PersonInput(name=" ", home_unit=tree.county_a, id_number=make_id()[:17] + "0", phone="12345")
        )
    assert set(caught.value.field_errors) >= {"name", "id_number", "phone"}


# --- Phones ----------------------------------------------------------------------------------


def test_x2_phone_with_spaces_or_dashes_is_normalised():
    assert normalise_phone("138 0013 8000") == "13800138000"
    assert normalise_phone("138-0013-8000") == "13800138000"
    assert normalise_phone("+86 138 0013 8000") == "13800138000"


@pytest.mark.parametrize(
    ("raw", "message"), [("12345", "电话号码无效"), ("手机号不详", "电话号码格式不正确")]
)
def test_x2_invalid_phone_is_refused_in_chinese(raw, message):
    with pytest.raises(InvalidPhone, match=message):
        normalise_phone(raw)


def test_x2_a_refused_phone_is_refused_again_and_mobiles_are_told_from_landlines():
    # Parsed numbers are remembered for a request's repeats; refusals never are.
    for _attempt in (1, 2):
        with pytest.raises(InvalidPhone, match="电话号码无效"):
            normalise_phone("12345")
    assert is_mobile(normalise_phone("138 0013 8000"))
    assert not is_mobile(normalise_phone("010-6552 9988"))
    assert normalise_phone("010-6552 9988") == "1065529988"


def test_x2_clean_person_refuses_an_invalid_phone_and_normalises_a_valid_one(tree):
    with pytest.raises(DomainError) as caught:
        clean_person(PersonInput(name="张三", home_unit=tree.county_a, phone="138001380"))
    assert caught.value.field_errors == {"phone": ["电话号码无效，请核对位数"]}
    clean = clean_person(PersonInput(name="张三", home_unit=tree.county_a, phone="138 0013 8000"))
    assert clean.values["phone"] == "13800138000"


# --- Property: every valid number parses, every single-digit slip is caught ---------------

birth_dates = st.dates(min_value=dt.date(1880, 1, 1), max_value=TODAY)
areas = st.tuples(st.sampled_from(sorted(PROVINCE_CODES)), st.integers(0, 9999)).map(
    lambda pair: f"{pair[0]}{pair[1]:04d}"
)
sequences = st.integers(0, 999).map(lambda n: f"{n:03d}")


@given(area=areas, birth=birth_dates, sequence=sequences, data=st.data())
def test_x2_property_valid_numbers_parse_and_any_single_digit_change_fails(area, birth, sequence, data):
    first17 = f"{area}{birth:%Y%m%d}{sequence}"
    number = first17 + check_digit(first17)
    resident = parse_resident_id(number, today=TODAY)
    assert resident.number == number
    assert resident.birth_date == birth
    assert resident.gender == ("male" if int(sequence[-1]) % 2 else "female")
    assert resident.warnings == []

    position = data.draw(st.integers(0, 16), label="position")
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != first17[position]]), label="digit")
    changed = first17[:position] + digit + first17[position + 1 :] + number[17]
    with pytest.raises(InvalidIdNumber):
        parse_resident_id(changed, today=TODAY)


def test_a_plain_mobile_number_skips_the_parse_and_gets_what_the_parse_gives():
    """The fast path for 11-digit mainland mobiles answers as phonenumbers does, for every
    four-digit prefix from 130 to 199 (valid or not) and a few endings each."""
    from shouhu.people import idcard

    rng = random.Random(11643)
    for prefix in range(1300, 2000):
        for _ in range(3):
            text = f"{prefix}{rng.randrange(10**7):07d}"
            try:
                slow: str | type[InvalidPhone] = idcard._parsed_phone.__wrapped__(text).normalised
            except InvalidPhone:
                slow = InvalidPhone
            try:
                fast: str | type[InvalidPhone] = normalise_phone(text)
            except InvalidPhone:
                fast = InvalidPhone
            assert fast == slow, text
