"""Demo leave and travel reports of 加格达奇区's staff (the demo people of its 社会福利中心, its
民政局): one request waiting for 加格达奇区民政局, one approved leave past its end
without 销假 (overdue), one closed, one refused; a trip recorded without risk and one to an area of
the risk-area register awaiting acknowledgement. Filed by the institution's demo login
(fulizhongxin) and decided by the county bureau's (jiagedaqi): the approver is never the filer.
Everything goes through the services; run twice, it adds nothing.
"""

import datetime as dt

from shouhu.accounts.models import User
from shouhu.common import clock
from shouhu.people.models import Category, Person
from shouhu.screening.models import RiskArea
from shouhu.screening.services import RiskAreaInput, risk_area_create
from shouhu.staffing import services
from shouhu.staffing.models import LeaveRequest

ONE_DAY = dt.timedelta(days=1)  # not a policy threshold: one calendar day
COUNTY_CODE = "232718"


def _staff(unit_code: str) -> list[Person]:
    return list(
        Person.objects.filter(
            home_unit__code=unit_code, categories__category=Category.STAFF, merged_into__isnull=True
        ).order_by("pk")
    )


def _leave(
    filer: User, person: Person, *, kind: str, starts_on: dt.date, length: int, reason: str
) -> LeaveRequest:
    return services.leave_file(
        actor=filer,
        data=services.LeaveInput(
            person=person,
            kind=kind,
            starts_on=starts_on,
            ends_on=starts_on + (length - 1) * ONE_DAY,
            reason=reason,
        ),
    )


def _risk_area(today: dt.date) -> None:
    """A demo register with no risk area at all gets one (marked 演示数据), so that a trip meets it."""
    if RiskArea.objects.exists():
        return
    risk_area_create(
        actor=None,
        data=RiskAreaInput(
            level="high",
            province="河北省",
            city="石家庄市",
            county="藁城区",
            effective_from=today - 5 * ONE_DAY,
            note="演示数据",
        ),
    )


def create_staffing() -> int:
    """The demo's leave requests and travel reports; 0 when they exist already (or no demo staff)."""
    if LeaveRequest.objects.exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["fulizhongxin", "jiagedaqi", "admin"])}
    home_staff = _staff(f"{COUNTY_CODE}N1")
    bureau_staff = _staff(f"{COUNTY_CODE}B")
    if len(users) < 3 or len(home_staff) < 2 or len(bureau_staff) < 2:
        return 0
    filer, head, region = users["fulizhongxin"], users["jiagedaqi"], users["admin"]
    today = clock.today()
    created = 0
    _leave(
        filer,
        home_staff[0],
        kind="annual",
        starts_on=today + 3 * ONE_DAY,
        length=3,
        reason="年休假，在驻地休息",
    )
    overdue = _leave(
        filer,
        home_staff[1],
        kind="personal",
        starts_on=today - 6 * ONE_DAY,
        length=3,
        reason="照顾生病的母亲",
    )
    services.leave_approve(actor=head, leave=overdue)
    closed = _leave(
        head, bureau_staff[0], kind="sick", starts_on=today - 8 * ONE_DAY, length=2, reason="感冒发热，就医"
    )
    services.leave_approve(actor=region, leave=closed)
    services.leave_return(actor=head, leave=closed, returned_on=today - 6 * ONE_DAY)
    refused = _leave(
        head,
        bureau_staff[1],
        kind="family_visit",
        starts_on=today + 5 * ONE_DAY,
        length=10,
        reason="赴外省探亲",
    )
    services.leave_refuse(actor=region, leave=refused, reason="疫情防控期间倡导非必要不出区，请推迟至春节后")
    created += 4

    _risk_area(today)
    trip = _leave(
        head,
        bureau_staff[1],
        kind="personal",
        starts_on=today + 2 * ONE_DAY,
        length=2,
        reason="赴哈尔滨办理私事",
    )
    services.travel_report(
        actor=head,
        data=services.TravelInput(
            person=bureau_staff[1],
            destination_province="黑龙江省",
            destination="哈尔滨市南岗区",
            departs_on=today + 2 * ONE_DAY,
            returns_on=today + 3 * ONE_DAY,
            transport="train",
            transport_detail="K7034",
            purpose="办理私事",
            leave=trip,
        ),
    )
    services.travel_report(
        actor=filer,
        data=services.TravelInput(
            person=home_staff[0],
            destination_province="河北省",
            destination="石家庄市藁城区",
            departs_on=today + 4 * ONE_DAY,
            returns_on=today + 9 * ONE_DAY,
            transport="train",
            transport_detail="Z16",
            purpose="探望父母",
        ),
    )
    return created + 3
