"""G1 on a phone: the street reports the rectification of a finding returned by the district
bureau, with a photo from the phone; the bureau accepts it on its phone; the pages fit the phone."""

from pathlib import Path

import pytest
from phone import PHONE, assert_fits_the_phone, log_in, open_page
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media_dir(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_g1_street_reports_with_a_photo_and_the_bureau_accepts_on_a_phone(
    media_dir: Path, demo_site: str, new_context, screenshot_dir: Path
) -> None:
    from shouhu.rectification.demo import _png
    from shouhu.rectification.models import Finding, FindingStatus

    returned = Finding.objects.get(returned_count=1)  # the demo's supplies list, sent back once
    page = open_page(new_context, **PHONE)
    log_in(page, demo_site, "dongshan")
    page.goto(f"{demo_site}/rectification/?status=open")
    assert_fits_the_phone(page)
    table = page.get_by_test_id("findings-table")
    expect(table).to_contain_text("逾期未整改")  # the demo's escalated finding, listed first
    table.get_by_role("link", name="应急物资储备清单").tap()
    form = page.get_by_test_id("submit-form")
    form.get_by_label("整改情况").fill("清单已写明防护服 40 套，存放于社区服务中心二楼库房")
    form.locator("input[type=file]").set_input_files(
        [{"name": "库房照片.png", "mimeType": "image/png", "buffer": _png()}]
    )
    assert_fits_the_phone(page)
    form.get_by_role("button", name="报送").tap()
    expect(page.get_by_text("已报送整改情况，等待验收")).to_be_visible()
    expect(page.get_by_test_id("history")).to_contain_text("库房照片.png")
    page.screenshot(path=screenshot_dir / "phone-rectification-submitted.png", full_page=True)
    returned.refresh_from_db()
    assert returned.status == FindingStatus.SUBMITTED

    bureau = open_page(new_context, **PHONE)
    log_in(bureau, demo_site, "jiagedaqi")
    bureau.goto(f"{demo_site}/rectification/{returned.pk}/")
    assert_fits_the_phone(bureau)
    accept = bureau.get_by_test_id("accept-form")
    accept.get_by_label("验收意见").fill("清单完整")
    accept.get_by_role("button", name="验收通过").tap()
    expect(bureau.get_by_text("已验收销号").first).to_be_visible()
    returned.refresh_from_db()
    assert returned.status == FindingStatus.ACCEPTED
