"""S3: place names written every usual way meet the risk-area list; unknown places are flagged."""

import datetime as dt

import pytest

from shouhu.campaigns.policy import current_policy
from shouhu.screening.models import ScreeningPolicy
from shouhu.screening.places import Reach, normalise_code, parse_place, reach
from shouhu.screening.rules import travel_check
from shouhu.screening.tests.factories import risk_area, trip

TODAY = dt.date(2022, 1, 5)


@pytest.mark.parametrize(
    ("text", "province"),
    [
        ("北京市朝阳区", ""),
        ("北京朝阳区", ""),
        ("北京 朝阳区", ""),
        ("朝阳区", "北京"),
        ("朝阳区", "北京市"),
        ("北京市市辖区朝阳区", ""),
        ("北京市北京市朝阳区", ""),
    ],
)
def test_s3_full_and_short_names_of_one_place_are_the_same_place(text, province):
    place = parse_place(text, province=province)
    assert place.province == "北京市"
    assert place.keys == ("朝阳",)
    assert reach(place, parse_place("朝阳区", province="北京市")) == Reach.WITHIN


def test_s3_suffixes_and_autonomous_names_are_stripped_sensibly():
    assert parse_place("内蒙古自治区呼和浩特市新城区").keys == ("呼和浩特", "新城")
    assert parse_place("内蒙古呼和浩特新城区").province == "内蒙古自治区"
    assert parse_place("吉林省延边朝鲜族自治州延吉市").keys == ("延边", "延吉")
    assert parse_place("广西南宁市").province == "广西壮族自治区"
    assert parse_place("香港特别行政区").province == "香港特别行政区"
    assert parse_place("黑龙江省大兴安岭地区漠河市").keys == ("大兴安岭", "漠河")


def test_s3_a_place_inside_an_area_matches_and_a_larger_place_is_only_possible():
    area = parse_place("河北省石家庄市藁城区")
    assert reach(parse_place("河北省石家庄市藁城区增村镇小果庄村"), area) == Reach.WITHIN
    assert reach(parse_place("河北藁城区"), area) == Reach.WITHIN  # the city left out
    assert reach(parse_place("河北省石家庄市"), area) == Reach.POSSIBLE  # may or may not have been there
    assert reach(parse_place("河北省邢台市"), area) == Reach.NONE
    assert reach(parse_place("山西省石家庄市"), area) == Reach.NONE  # same name, other province
    assert reach(parse_place("藁城区"), area) == Reach.POSSIBLE  # province unknown: ask


def test_s3_codes_decide_when_both_sides_have_one():
    assert normalise_code("110105000000") == "110105"
    assert normalise_code("110000") == "11"
    assert normalise_code("1101") == "1101"
    assert normalise_code("12345") == ""
    area = parse_place("", province="北京市", code="110105")
    assert reach(parse_place("随便写的地名", code="110105001"), area) == Reach.WITHIN
    assert reach(parse_place("朝阳区", province="北京", code="110106"), area) == Reach.NONE
    assert reach(parse_place("", code="110000"), area) == Reach.POSSIBLE


def test_s3_travel_touches_an_area_only_while_at_risk_and_within_the_lookback(db):
    risk_area(county="朝阳区", effective_from=dt.date(2021, 12, 20), effective_to=dt.date(2021, 12, 31))
    policy = current_policy(ScreeningPolicy, TODAY)
    assert policy.risk_lookback_days == 14  # look back to 2021-12-22

    def matches(*entries):
        return travel_check(list(entries), on=TODAY, policy=policy).matches

    assert matches(trip("北京市朝阳区", dt.date(2021, 12, 30)))
    assert matches(trip("朝阳区", dt.date(2021, 12, 15), dt.date(2021, 12, 23), province="北京"))
    assert not matches(trip("北京市朝阳区", dt.date(2022, 1, 2)))  # the area was no longer at risk
    assert not matches(trip("北京市朝阳区", dt.date(2021, 12, 20), dt.date(2021, 12, 21)))  # too long ago
    assert not matches(trip("北京市海淀区", dt.date(2021, 12, 30)))


def test_s3_the_lookback_comes_from_the_policy(plan_campaign):
    from shouhu.campaigns.services import policy_update

    risk_area(county="朝阳区", effective_from=dt.date(2021, 12, 1))
    entry = trip("北京市朝阳区", dt.date(2021, 12, 18))
    assert not travel_check([entry], on=TODAY, policy=current_policy(ScreeningPolicy, TODAY)).matches
    policy_update(
        actor=None, campaign=plan_campaign, model=ScreeningPolicy, values={"risk_lookback_days": 21}
    )
    assert travel_check([entry], on=TODAY, policy=current_policy(ScreeningPolicy, TODAY)).matches


def test_s3_unknown_places_are_kept_as_text_and_flagged(db):
    risk_area(county="朝阳区")
    check = travel_check(
        [trip("日本东京", dt.date(2022, 1, 1)), trip("朝阳区", dt.date(2022, 1, 1))],
        on=TODAY,
        policy=current_policy(ScreeningPolicy, TODAY),
    )
    assert [e.place for e in check.unknown] == ["日本东京", "朝阳区"]
    assert not check.matches
    assert [m.entry.place for m in check.possible] == ["朝阳区"]
