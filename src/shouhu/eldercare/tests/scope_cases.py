"""How the scope-leak test makes nursing-home objects inside a given county."""

import datetime as dt

from shouhu.eldercare.tests.factories import make_closure, make_home, make_member, make_round


def make_home_in(county, marker):
    home = make_home(county, f"{marker}敬老院")
    make_member(home, f"{marker}老人")
    return home


def make_closure_in(county, marker):
    home = make_home(county, f"{marker}养老中心")
    return make_closure(home, dt.date(2022, 1, 1))


def make_round_in(county, marker):
    home = make_home(county, f"{marker}颐养院")
    make_member(home, f"{marker}受检老人")
    return make_round(home, dt.date(2022, 1, 5))


# URL keyword → maker(county, marker) returning the object whose pk goes in the URL.
SCOPED_OBJECTS = {
    "home_id": make_home_in,
    "closure_id": make_closure_in,
    "round_id": make_round_in,
}

REGION_WIDE = {
    "checklist_item_id": "防控日志检查事项全区统一，由地区维护，各养老机构共用",
}
