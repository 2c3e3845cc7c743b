"""Training in a browser (G5): a township clerk, on a phone at the training venue, opens the
community session and adds an attendee by ID number; the list shows the name and role, the number
masked."""

from pathlib import Path

import pytest
from phone import PHONE, assert_fits_the_phone, log_in, open_page
from playwright.sync_api import expect

# The live server runs in another thread: it must see committed data.
pytestmark = pytest.mark.django_db(transaction=True)


def test_g5_a_township_clerk_adds_an_attendee_on_a_phone(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    from shouhu.common.modules import Module
    from shouhu.people.models import Person
    from shouhu.training.models import Attendance, TrainingSession

    session = TrainingSession.objects.get(module=Module.COMMUNITY, unit__code="232718001")
    person = (
        Person.objects.filter(home_unit__code="232718001001", merged_into__isnull=True)
        .exclude(id_index="")
        .exclude(training_attendances__session=session)
        .order_by("pk")
        .first()
    )
    assert person is not None

    page = open_page(new_context, **PHONE)
    log_in(page, demo_site, "dongshan")
    page.goto(f"{demo_site}/training/?module=community")
    page.locator(f"a[href='/training/{session.pk}/']").first.tap()
    form = page.get_by_test_id("add-by-document")
    expect(form).to_be_visible()
    page.wait_for_load_state("load")
    assert_fits_the_phone(page)
    form.get_by_label("证件号码").fill(person.id_number)
    form.get_by_label("参训身份").select_option(label="志愿者")
    form.get_by_role("button", name="添加").tap()
    expect(page.locator(".alert-success")).to_contain_text(person.name)
    table = page.get_by_test_id("attendance-table")
    expect(table).to_contain_text(person.name)
    expect(table).to_contain_text(person.id_number_masked)
    expect(table).not_to_contain_text(person.id_number)
    assert Attendance.objects.filter(session=session, person=person, role="volunteer").exists()
    assert_fits_the_phone(page)
    page.screenshot(path=screenshot_dir / "phone-training-attendance.png", full_page=True)
