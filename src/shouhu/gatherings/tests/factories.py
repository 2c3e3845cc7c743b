import datetime as dt
from itertools import count

from shouhu.common import clock
from shouhu.gatherings import services
from shouhu.gatherings.models import Gathering, GatheringKind, TestResult
from shouhu.orgs.models import UnitKind
from shouhu.orgs.tests.factories import make_unit

NOW = dt.datetime(2022, 1, 5, 10, 0, tzinfo=clock.local_zone())  # the fixed clock
START = dt.datetime(2022, 1, 6, 11, 0, tzinfo=clock.local_zone())  # tomorrow, 25 hours ahead

_numbers = count(1)


def resident_id(serial: int, *, birth: str = "19800101") -> str:
    """A well-formed resident ID number (check digit computed), distinct per serial."""
    from shouhu.people.idcard import check_digit

    first17 = f"232701{birth}{serial % 1000:03d}"
    return first17 + check_digit(first17)


def make_village(county, name: str = ""):
    township = make_unit(county, UnitKind.TOWNSHIP, f"{county.name}测试镇{next(_numbers)}")
    return make_unit(township, UnitKind.VILLAGE, name or f"{township.name}一村")


def gathering_input(**overrides) -> services.GatheringInput:
    values = {
        "kind": GatheringKind.WEDDING,
        "title": "王建国、李秀梅婚宴",
        "organiser_name": "王长山",
        "organiser_phone": "13904571234",
        "place": "村文化活动室",
        "starts_at": START,
        "ends_at": START + dt.timedelta(hours=4),
        "expected_headcount": 40,
    }
    values.update(overrides)
    return services.GatheringInput(**values)


def make_gathering(village, *, actor=None, **overrides) -> Gathering:
    return services.gathering_register(
        actor=actor, village=village, data=gathering_input(**overrides)
    ).gathering


def participant(
    name: str,
    *,
    serial: int | None = None,
    result: str = TestResult.NEGATIVE,
    hours_before: float | None = 30,
    **overrides,
) -> services.ParticipantInput:
    """A participant sampled `hours_before` the gathering's start (START) — None: not tested."""
    values = {
        "name": name,
        "id_number": resident_id(serial) if serial is not None else "",
        "test_result": result if hours_before is not None else TestResult.NONE,
        "sampled_at": START - dt.timedelta(hours=hours_before) if hours_before is not None else None,
    }
    values.update(overrides)
    return services.ParticipantInput(**values)


def add(gathering, *inputs, actor=None):
    changes = [services.participant_add(actor=actor, gathering=gathering, data=data) for data in inputs]
    gathering.refresh_from_db()
    return changes
