"""X8: the admin reads in Chinese, other projects' apps included."""

import re

import pytest


@pytest.fixture
def superuser(db):
    from shouhu.accounts.models import User

    return User.objects.create_superuser(username="root", password="not-used-here-1!", email="r@example.org")


def _names(html: str) -> list[str]:
    """The section (app) and model names of an admin page's app list."""
    captions = re.findall(r"<caption>\s*<a[^>]*>(.*?)</a>", html, re.DOTALL)
    models = re.findall(r'<th scope="row"[^>]*>\s*<a[^>]*>(.*?)</a>', html, re.DOTALL)
    return [name.strip() for name in captions + models]


def test_x8_the_admin_index_names_every_section_in_chinese(client, superuser):
    client.force_login(superuser)
    names = _names(client.get("/admin/").content.decode())
    assert "审计日志" in names
    assert "后台任务" in names
    assert "任务记录" in names
    english = [name for name in names if re.search(r"[A-Za-z]{2,}", name)]
    assert english == []


def test_x8_an_app_page_and_its_sidebar_name_other_projects_apps_in_chinese(client, superuser):
    client.force_login(superuser)
    html = client.get("/admin/django_tasks_database/").content.decode()
    assert "后台任务" in html
    assert "任务记录" in html
    for english in ("Tasks Database Backend", "Task Results", "Audit log"):
        assert english not in html
    sidebar = client.get("/admin/accounts/user/").content.decode()
    assert "审计日志" in sidebar
    assert "Audit log" not in sidebar


def test_x1_an_institutions_staff_are_given_the_work_of_their_kind_of_institution_only(tree, client):
    from shouhu.accounts.tests.factories import make_user
    from shouhu.eldercare.permissions import EldercarePerm
    from shouhu.funerals.permissions import FuneralPerm
    from shouhu.marriage.permissions import MarriagePerm
    from shouhu.orgs.models import UnitKind
    from shouhu.orgs.tests.factories import make_unit
    from shouhu.screening.permissions import ScreeningPerm

    registry = make_unit(
        tree.county_a, UnitKind.INSTITUTION, "加格达奇区婚姻登记处", institution_type="marriage_registry"
    )
    home_staff = make_user("institution_staff", tree.nursing_home_a)
    registry_staff = make_user("institution_staff", registry)

    assert home_staff.has_code(EldercarePerm.RECORD)
    assert not home_staff.has_code(MarriagePerm.VIEW)
    assert not home_staff.has_code(FuneralPerm.VIEW)
    assert registry_staff.has_code(MarriagePerm.COUNTER)
    assert not registry_staff.has_code(EldercarePerm.VIEW)
    assert home_staff.has_code(ScreeningPerm.SCREEN)  # every institution screens at its entrance
    assert registry_staff.has_code(ScreeningPerm.SCREEN)

    client.force_login(home_staff)
    menu = client.get("/").content.decode().split("</nav>")[0]
    assert "养老机构" in menu
    assert "婚姻登记" not in menu
    assert "殡葬服务" not in menu
