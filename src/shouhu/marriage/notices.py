"""The advance notice (提前告知, M2) and the texts of the messages sent to couples."""

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shouhu.campaigns.models import ServiceSuspension
from shouhu.common import clock
from shouhu.marriage.calendar import registry_settings
from shouhu.marriage.models import Booking, BookingStatus, MarriagePolicy
from shouhu.people.models import IdType
from shouhu.screening.models import ScreeningPolicy

StrOrPromise = str | Promise

# Shown on the page in the reader's language (the advance notice is built per request).
DOCUMENTS_BY_ID_TYPE: dict[str, list[StrOrPromise]] = {
    IdType.RESIDENT_ID: [_("本人有效居民身份证"), _("本人户口簿")],
    IdType.HK_MACAO_PERMIT: [
        _("港澳居民来往内地通行证或港澳居民居住证"),
        _("香港或澳门居民身份证"),
        _("经公证的本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的声明"),
    ],
    IdType.TAIWAN_PERMIT: [
        _("台湾居民来往大陆通行证或台湾居民居住证"),
        _("台湾地区身份证"),
        _("经公证的本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的声明"),
    ],
    IdType.PASSPORT: [
        _("本人有效护照或其他有效国际旅行证件"),
        _("所在国公证机构或有权机关出具、经认证的本人无配偶证明（或所在国驻华使领馆出具的证明）"),
    ],
    IdType.FOREIGN_PERMANENT: [
        _("外国人永久居留身份证"),
        _("经认证的本人无配偶证明"),
    ],
}
COMMON_DOCUMENTS: list[StrOrPromise] = [_("双方近期半身免冠合影照片（2 寸）3 张")]


@dataclass
class AdvanceNotice:
    documents: list[str]
    rules: list[str]
    arrival_from: dt.time
    arrival_until: dt.time
    extra: str


def arrival_starts(booking: Booking, policy: MarriagePolicy) -> dt.time:
    starts = dt.datetime.combine(booking.date, booking.slot.starts_at)
    return (starts - dt.timedelta(minutes=policy.arrival_minutes_before)).time()


def advance_notice(booking: Booking, policy: MarriagePolicy, screening: ScreeningPolicy) -> AdvanceNotice:
    """What the couple must bring and the rules of the day: the fever line and the look-back days
    are entry screening's, the test's validity the registry's own."""
    documents: list[str] = []
    for party in booking.parties.select_related("person"):
        for document in DOCUMENTS_BY_ID_TYPE.get(party.person.id_type, []):
            line = gettext("%(role)s：%(document)s") % {
                "role": party.get_role_display(),
                "document": document,
            }
            if line not in documents:
                documents.append(line)
    documents += [str(document) for document in COMMON_DOCUMENTS]
    arrival_from = arrival_starts(booking, policy)
    rules = [
        gettext("双方当事人须本人到场，全程规范佩戴口罩，保持一米以上间距"),
        gettext("进入大厅须扫场所码、出示健康码和行程码（扫双码），配合测量体温"),
        gettext("体温达到或超过 %(limit)s℃ 的，不予办理") % {"limit": screening.temperature_limit},
        gettext("近 %(days)s 天内有中高风险地区旅居史的，请在登记前主动报告")
        % {"days": screening.risk_lookback_days},
        gettext("尚在隔离或健康监测期内的，隔离期满前不能办理，请取消或改约"),
        gettext("港澳台及境外当事人须按规定完成入境隔离和健康监测，并持 %(hours)s 小时内核酸检测阴性证明")
        % {"hours": policy.test_validity_hours},
        gettext("婚事缓办、简办，不在登记大厅举办聚集性仪式，陪同人员不进入大厅"),
    ]
    return AdvanceNotice(
        documents=documents,
        rules=rules,
        arrival_from=arrival_from,
        arrival_until=booking.slot.starts_at,
        extra=registry_settings(booking.unit).extra_notice,
    )


def _when(booking: Booking) -> str:
    return f"{booking.date:%Y年%m月%d日} {booking.slot.starts_at:%H:%M}–{booking.slot.ends_at:%H:%M}"


def booked_text(booking: Booking, policy: MarriagePolicy) -> str:
    return (
        f"【婚姻登记预约】您已预约{booking.unit.name}{_when(booking)}，预约码 {booking.code}。"
        f"请于 {arrival_starts(booking, policy):%H:%M}–{booking.slot.starts_at:%H:%M} 到达，携带证件原件，"
        "配合扫码测温、佩戴口罩。如需取消或改约，请凭预约码和手机号办理。"
    )


def waiting_text(booking: Booking) -> str:
    return (
        f"【婚姻登记预约】{booking.unit.name}{_when(booking)}已约满，您已登记候补，候补码 {booking.code}。"
        "有名额时将短信通知您确认。"
    )


def offered_text(booking: Booking) -> str:
    deadline = clock.now() if booking.offer_expires_at is None else booking.offer_expires_at
    local = deadline.astimezone(clock.local_zone())
    return (
        f"【婚姻登记预约】您候补的{booking.unit.name}{_when(booking)}已有名额（候补码 {booking.code}），"
        f"请于 {local:%m月%d日 %H:%M} 前凭候补码和手机号确认，逾期名额顺延给下一位。"
    )


def offer_expired_text(booking: Booking) -> str:
    return f"【婚姻登记预约】您未在时限内确认递补名额（{booking.code}），名额已顺延。如需办理请重新预约。"


def cancelled_text(booking: Booking) -> str:
    return f"【婚姻登记预约】您在{booking.unit.name}{_when(booking)}的预约（{booking.code}）已取消。"


def suspended_text(booking: Booking, suspension: ServiceSuspension) -> str:
    closed = (
        f"【婚姻登记预约】因{suspension.reason}，{suspension.starts_on}至{suspension.ends_on}"
        f"暂停办理婚姻登记，您的预约（{booking.code}，{_when(booking)}）受影响。"
    )
    if booking.status != BookingStatus.BOOKED:  # a waiting place: nothing to move, nothing first
        return closed + "该候补无法递补，如需办理请凭预约码和手机号取消后另选日期预约。"
    return closed + "您可凭预约码和手机号优先改约到其他日期（含尚未开放的高峰日），或取消预约。"
