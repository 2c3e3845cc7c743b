"""Resident ID numbers (GB 11643-1999) and phone numbers, checked by hand on purpose.

The area code is only a warning: codes change over time and old numbers stay valid.
"""

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field

import phonenumbers
from django.utils.translation import gettext as _

_ID_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")
_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
_CHECK_CHARS = "10X98765432"

# First two digits of the area code: provinces, autonomous regions and municipalities.
PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}  # fmt: skip


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    gender: str  # "male" or "female"
    warnings: list[str] = field(default_factory=list)


class InvalidIdNumber(ValueError):
    pass


_NOT_IN_NUMBERS = str.maketrans("", "", " ()（）")


def normalise_id_number(raw: str) -> str:
    """Upper case without spaces or brackets (an old Taiwan permit is written 1234567890(B)), and
    full-width characters as their plain forms: ２３２７… is the same document as 2327…, and must
    find the same person (a different spelling must not make a different person)."""
    return unicodedata.normalize("NFKC", raw).strip().translate(_NOT_IN_NUMBERS).upper()


def is_resident_id(number: str) -> bool:
    """Whether a number (normalised) is a well-formed resident ID number with its check digit."""
    return bool(_ID_PATTERN.match(number)) and check_digit(number[:17]) == number[17]


def check_digit(first17: str) -> str:
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def parse_resident_id(raw: str, *, today: dt.date) -> ResidentId:
    number = normalise_id_number(raw)
    if len(number) != 18:
        raise InvalidIdNumber(_("身份证号应为 18 位，现为 %(length)s 位") % {"length": len(number)})
    if not _ID_PATTERN.match(number):
        raise InvalidIdNumber(_("身份证号前 17 位须为数字，最后一位为数字或 X"))
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(_("身份证号中的出生日期 %(date)s 不存在") % {"date": number[6:14]}) from None
    if birth > today:
        raise InvalidIdNumber(_("身份证号中的出生日期晚于今天"))
    if birth.year < 1880:
        raise InvalidIdNumber(_("身份证号中的出生日期不合理"))
    if check_digit(number[:17]) != number[17]:
        raise InvalidIdNumber(_("身份证号校验位错误，请核对是否输错"))
    warnings = []
    if number[:2] not in PROVINCE_CODES:
        warnings.append(f"地区码 {number[:6]} 不在已知省份中，请核对")
    gender = "male" if int(number[16]) % 2 == 1 else "female"
    return ResidentId(number=number, birth_date=birth, gender=gender, warnings=warnings)


class InvalidPhone(ValueError):
    pass


# A mainland mobile number as clerks type it: 11 ASCII digits from 13–19. When phonenumbers' own
# patterns for China (its metadata: the same rules its parse applies) take it as a mobile number,
# the parse would keep it as it is, so `normalise_phone` returns it without parsing.
_PLAIN_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def _cn_pattern(kind: str) -> re.Pattern[str]:
    """One of phonenumbers' national number patterns for China; one that matches nothing if
    its metadata lacks it (then every number takes the parse)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    desc = getattr(metadata, kind, None)
    pattern = getattr(desc, "national_number_pattern", None)
    return re.compile(pattern or "(?!)")


_CN_MOBILE = _cn_pattern("mobile")
_CN_NUMBER = _cn_pattern("general_desc")


def normalise_phone(raw: str) -> str:
    """E.164 without the plus for mainland numbers' search index; validated with phonenumbers."""
    text = raw.strip().replace(" ", "").replace("-", "")
    if not text:
        return ""
    if _PLAIN_MOBILE.fullmatch(text) and _CN_MOBILE.fullmatch(text) and _CN_NUMBER.fullmatch(text):
        return text  # what phonenumbers would return for it, without its parse (imports: per row)
    return _parsed_phone(text).normalised


def is_mobile(phone: str) -> bool:
    """Whether a number can receive text messages: mobile, or a plan that may be either. A number
    that is not one (nothing, or dashes only) cannot."""
    text = phone.strip()  # as `normalise_phone` keeps it: national or E.164
    if not text:
        return False
    try:
        return _parsed_phone(text).is_mobile
    except InvalidPhone:
        return False


@dataclass(frozen=True)
class _ParsedPhone:
    number: phonenumbers.PhoneNumber
    normalised: str

    @functools.cached_property
    def is_mobile(self) -> bool:
        kind = phonenumbers.number_type(self.number)
        return kind in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )


# A booking handles each party's number several times (the person, its texts, whether it takes
# texts), and parsing costs more than everything else done with it. The cache is small on
# purpose: it serves one request's repeats and keeps no more than a few numbers in memory.
# Refusals are raised, never cached.
@functools.lru_cache(maxsize=32)
def _parsed_phone(text: str) -> _ParsedPhone:
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidPhone(_("电话号码格式不正确")) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone(_("电话号码无效，请核对位数"))
    if parsed.country_code == 86:
        return _ParsedPhone(parsed, str(parsed.national_number))
    return _ParsedPhone(parsed, phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def document_key(number: str) -> str:
    """The search key of a document number, whatever its type (so one search finds any)."""
    from shouhu.common.crypto import blind_index

    return blind_index("document", normalise_id_number(number))


def phone_key(phone: str) -> str:
    """The search key of a phone number; raises InvalidPhone for a number that is not one."""
    return normalised_phone_key(normalise_phone(phone))


def stored_phone_key(phone: str) -> str:
    """The search key of a phone as stored: blank when there is none (or it is not a number, as
    in rows older than the phone check)."""
    try:
        return phone_key(phone) if phone else ""
    except InvalidPhone:
        return ""


def normalised_phone_key(normalised: str) -> str:
    """`phone_key` of a number `normalise_phone` already returned (parsing it again costs more
    than the key)."""
    from shouhu.common.crypto import blind_index

    return blind_index("phone", normalised)
