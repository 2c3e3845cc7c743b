import datetime as dt

from shouhu.funerals import services
from shouhu.funerals.models import CeremonyType, FuneralCase, RemainsStep
from shouhu.orgs.models import UnitKind
from shouhu.orgs.tests.factories import make_unit

DAY = dt.date(2022, 1, 5)  # the fixed clock's day


def make_home(county, name: str = ""):
    return make_unit(
        county, UnitKind.INSTITUTION, name or f"{county.name}殡仪馆", institution_type="funeral_home"
    )


def case_input(name: str = "李长海", **overrides) -> services.CaseInput:
    values = {
        "deceased_name": name,
        "died_on": dt.date(2022, 1, 4),
        "contact_name": "李秀兰",
        "contact_phone": "13912345678",
        "service_date": DAY,
        "ceremony_type": CeremonyType.SIMPLE,
        "attendance": 10,
    }
    values.update(overrides)
    return services.CaseInput(**values)


def make_case(home, name: str = "李长海", *, actor=None, **overrides) -> FuneralCase:
    return services.case_register(actor=actor, home=home, data=case_input(name, **overrides))


def make_covid_case(home, name: str = "王德胜", *, actor=None) -> FuneralCase:
    return make_case(
        home, name, actor=actor, covid_remains=True, ceremony_type=CeremonyType.NONE, attendance=0
    )


def step(step: str, at: dt.datetime, **overrides) -> services.StepInput:
    values = {
        "step": step,
        "done_at": at,
        "staff": "赵立新、孙宏伟",
        "protective_equipment": "N95 口罩、防护服、护目镜、双层手套",
        "vehicle": "黑P·12345" if step == RemainsStep.TRANSPORT else "",
    }
    values.update(overrides)
    return services.StepInput(**values)
