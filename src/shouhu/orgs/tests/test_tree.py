import pytest

from shouhu.common.errors import DomainError
from shouhu.orgs import selectors, services
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.orgs.tests.factories import make_unit

pytestmark = pytest.mark.django_db


def test_x1_tree_keeps_the_plans_shape(tree):
    with pytest.raises(DomainError, match="不能设在"):
        make_unit(tree.village_a, UnitKind.TOWNSHIP, "错误的乡镇")
    with pytest.raises(DomainError, match="不能设在"):
        make_unit(tree.township_a, UnitKind.COUNTY, "错误的县")
    with pytest.raises(DomainError, match="根单位"):
        make_unit(None, UnitKind.REGION, "第二个地区")


def test_x1_institution_needs_a_type_and_codes_are_unique(tree):
    with pytest.raises(DomainError) as missing_type:
        make_unit(tree.county_a, UnitKind.INSTITUTION, "无类别机构")
    assert "机构类别" in missing_type.value.message
    count_before = OrgUnit.objects.count()
    with pytest.raises(DomainError) as duplicate:
        make_unit(tree.county_a, UnitKind.TOWNSHIP, "重复编码", code=tree.county_b.code)
    assert "编码" in str(duplicate.value.field_errors) or "编码" in duplicate.value.message
    assert OrgUnit.objects.count() == count_before


def test_x1_county_user_sees_only_own_subtree(tree, county_user):
    visible = set(selectors.unit_list(viewer=county_user).values_list("name", flat=True))
    assert visible == {"加格达奇区", "东山街道", "东山第一社区", "加格达奇区社会福利中心"}


def test_x1_department_coordinator_sees_all_counties(tree):
    from shouhu.accounts.tests.factories import make_user

    coordinator = make_user("department_coordinator", tree.department)
    visible = set(selectors.unit_list(viewer=coordinator).values_list("name", flat=True))
    assert {"加格达奇区", "漠河市", "西林吉村"} <= visible


def test_x1_unit_update_validates_and_audits(tree, county_user):
    from auditlog.models import LogEntry

    services.unit_update(actor=county_user, unit=tree.nursing_home_a, address="加格达奇区东山路1号")
    entry = LogEntry.objects.get_for_object(tree.nursing_home_a).order_by("-timestamp").first()
    assert entry.actor == county_user
    assert entry.changes_dict["address"] == ["", "加格达奇区东山路1号"]
    with pytest.raises(DomainError):
        services.unit_update(actor=county_user, unit=tree.nursing_home_a, name="")
    tree.nursing_home_a.refresh_from_db()
    assert tree.nursing_home_a.name == "加格达奇区社会福利中心"
