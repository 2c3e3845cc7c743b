import datetime as dt
from decimal import Decimal

from shouhu.common.modules import Module
from shouhu.orgs.models import OrgUnit
from shouhu.people.idcard import check_digit
from shouhu.people.models import Person
from shouhu.people.services import PersonInput, person_register
from shouhu.training import services
from shouhu.training.models import Audience, TrainingSession


def id_number(serial: int) -> str:
    """A well-formed resident ID (born 1980-01-01 in the region) for the `serial`-th test person."""
    first17 = f"23270119800101{serial:03d}"
    return first17 + check_digit(first17)


def make_person(unit: OrgUnit, name: str = "张三", *, id_number: str = "") -> Person:
    """Through the register's service, so numbers get their search keys."""
    return person_register(
        actor=None, data=PersonInput(name=name, home_unit=unit, id_number=id_number)
    ).person


def make_session(
    unit: OrgUnit,
    *,
    module: str = Module.COMMUNITY,
    topic: str = "疫情防控政策培训",
    audience: tuple[str, ...] = (Audience.COMMUNITY_WORKER, Audience.GRID_HEAD, Audience.BUILDING_HEAD),
    held_on: dt.date = dt.date(2022, 1, 4),
    hours: Decimal = Decimal("2"),
    actor=None,
) -> TrainingSession:
    return services.session_record(
        actor=actor,
        module=module,
        unit=unit,
        held_on=held_on,
        topic=topic,
        audience=list(audience),
        trainer="区疾控中心 王医生",
        place="社区会议室",
        hours=hours,
    )
