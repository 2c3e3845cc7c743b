"""The findings pages and API: list with filters and Excel, the detail's submit (with files),
accept and return, evidence served through the finding's access."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shouhu.accounts.tests.factories import make_user
from shouhu.common.modules import Module
from shouhu.evidence.tests.factories import JPEG, PDF, upload
from shouhu.rectification import services
from shouhu.rectification.models import FindingStatus

TODAY = dt.date(2022, 1, 5)


def record(finder, unit, description="卡口登记不全", **overrides):
    values = {
        "actor": finder,
        "module": Module.COMMUNITY,
        "unit": unit,
        "origin": unit,
        "description": description,
        "assigned_to": "乡镇疫情防控指挥部",
        "deadline": TODAY + dt.timedelta(days=3),
    }
    return services.finding_record(**(values | overrides))


@pytest.fixture
def finding(finder, tree):
    return record(finder, tree.township_a)


def detail(finding):
    return reverse("rectification:finding_detail", args=[finding.pk])


def test_g1_the_township_reports_with_photos_from_its_phone_and_the_county_accepts(
    client, finding, finder, township_clerk
):
    client.force_login(township_clerk)
    page = client.get(detail(finding))
    assert page.status_code == 200
    assert b'data-testid="submit-form"' in page.content
    assert b"multiple" in page.content
    assert b'data-testid="accept-form"' not in page.content
    answer = client.post(
        detail(finding),
        {
            "action": "submit",
            "submit-note": "已整改",
            "submit-evidence": [upload("a.jpg"), upload("b.pdf", PDF)],
        },
    )
    assert answer.status_code == 302
    finding.refresh_from_db()
    assert finding.status == FindingStatus.SUBMITTED
    assert finding.evidence.count() == 2
    # The responsible unit cannot accept its own work.
    refused = client.post(detail(finding), {"action": "accept", "accept-note": ""})
    assert refused.status_code == 403
    assert "责任单位不能验收自己的整改" in refused.content.decode()

    client.force_login(finder)
    page = client.get(detail(finding))
    assert b'data-testid="accept-form"' in page.content
    assert b'data-testid="submit-form"' not in page.content
    assert page.content.count(b'data-testid="evidence-link"') == 2
    assert client.post(detail(finding), {"action": "accept", "accept-note": "复核到位"}).status_code == 302
    finding.refresh_from_db()
    assert finding.status == FindingStatus.ACCEPTED
    again = client.post(detail(finding), {"action": "return", "return-reason": "再看看"})
    assert again.status_code == 409
    assert "已验收销号" in again.content.decode()


def test_g1_a_file_that_is_not_an_image_is_refused_on_the_page(client, finding, township_clerk):
    client.force_login(township_clerk)
    answer = client.post(
        detail(finding),
        {"action": "submit", "submit-note": "已整改", "submit-evidence": [upload("照片.jpg", b"MZ\x90\x00")]},
    )
    assert answer.status_code == 400
    assert "不是允许的类型" in answer.content.decode()
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


def test_g1_evidence_is_downloaded_through_the_finding_with_safe_headers(
    client, finding, township_clerk, other_township_clerk
):
    services.finding_submit(
        actor=township_clerk, finding=finding, note="已整改", evidence=[upload("现场.jpg")]
    )
    evidence = finding.evidence.get()
    url = reverse("rectification:finding_evidence", args=[finding.pk, evidence.pk])
    client.force_login(township_clerk)
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/jpeg"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Security-Policy"] == "sandbox"  # the site's policy does not replace it
    assert answer["Content-Disposition"].startswith("attachment;")
    assert b"".join(answer.streaming_content) == JPEG
    # Another finding's id with this file, or another township: 404 alike.
    other = record(township_clerk, finding.unit, description="另一个问题")
    assert (
        client.get(reverse("rectification:finding_evidence", args=[other.pk, evidence.pk])).status_code == 404
    )
    client.force_login(other_township_clerk)
    assert client.get(url).status_code == 404


def test_g1_the_list_filters_and_exports(client, finder, tree):
    record(finder, tree.township_a, description="东山问题", deadline=TODAY)
    late = record(
        finder,
        tree.village_a,
        description="逾期问题",
        found_on=TODAY - dt.timedelta(days=9),
        deadline=TODAY - dt.timedelta(days=2),
    )
    record(finder, tree.township_a, description="养老问题", module=Module.ELDERCARE)
    client.force_login(finder)
    url = reverse("rectification:finding_list")
    page = client.get(url).content.decode()
    assert page.index("逾期问题") < page.index("东山问题")  # overdue first
    assert "逾期未整改" in page
    only_late = client.get(url, {"overdue": "on"}).content.decode()
    assert "逾期问题" in only_late
    assert "东山问题" not in only_late
    eldercare = client.get(url, {"module": Module.ELDERCARE}).content.decode()
    assert "养老问题" in eldercare
    assert "东山问题" not in eldercare
    village = client.get(url, {"unit": tree.village_a.pk}).content.decode()
    assert "逾期问题" in village
    assert "东山问题" not in village
    # A unit outside the viewer's tree is refused, not ignored.
    assert client.get(url, {"unit": tree.township_b.pk}).status_code == 400
    export = client.get(url, {"module": Module.COMMUNITY, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "所属任务"
    assert len(rows) == 3
    assert rows[1][6] == late.description
    assert rows[1][9] == "是"


def test_g1_the_list_reads_in_a_fixed_number_of_queries(client, finder, tree, django_assert_max_num_queries):
    client.force_login(finder)
    url = reverse("rectification:finding_list")
    record(finder, tree.township_a)
    client.get(url)
    with django_assert_max_num_queries(12) as first:
        client.get(url)
    for n in range(12):
        record(finder, tree.village_a if n % 2 else tree.township_a, description=f"问题{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_detail_reads_in_a_fixed_number_of_queries(
    client, finding, finder, township_clerk, django_assert_max_num_queries
):
    services.finding_submit(actor=township_clerk, finding=finding, note="第一次", evidence=[upload()])
    services.finding_return(actor=finder, finding=finding, reason="不清楚")
    client.force_login(finder)
    client.get(detail(finding))
    with django_assert_max_num_queries(20) as first:
        client.get(detail(finding))
    services.finding_submit(
        actor=township_clerk, finding=finding, note="第二次", evidence=[upload(), upload("b.pdf", PDF)]
    )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(detail(finding))


def test_leaders_read_but_do_not_act(client, finding, township_clerk, tree):
    services.finding_submit(actor=township_clerk, finding=finding, note="已整改")
    leader = make_user("leader", tree.region)
    client.force_login(leader)
    page = client.get(detail(finding))
    assert page.status_code == 200
    assert b'data-testid="accept-form"' not in page.content
    assert client.post(detail(finding), {"action": "accept"}).status_code == 403


# --- API ---------------------------------------------------------------------------------------


def api(name, finding=None):
    return reverse(f"api-rectification-finding-{name}", args=[finding.pk] if finding else [])


def test_g1_api_submit_with_files_then_return_then_accept(client, finding, finder, township_clerk):
    client.force_login(township_clerk)
    answer = client.post(
        api("submit", finding), {"note": "已整改", "evidence": [upload("a.jpg"), upload("b.pdf", PDF)]}
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == "submitted"
    assert len(body["evidence"]) == 2
    assert body["evidence"][0]["url"].startswith(f"/rectification/{finding.pk}/evidence/")
    assert client.post(api("submit", finding), {"note": "再报"}).status_code == 409
    assert client.post(api("accept", finding), {}, content_type="application/json").status_code == 403

    client.force_login(finder)
    refused = client.post(api("return", finding), {"reason": ""}, content_type="application/json")
    assert refused.status_code == 400
    returned = client.post(api("return", finding), {"reason": "照片不清"}, content_type="application/json")
    assert returned.json()["status"] == "open"
    assert returned.json()["returned_count"] == 1
    assert client.post(api("accept", finding), {}, content_type="application/json").status_code == 409
    client.force_login(township_clerk)
    bad = client.post(api("submit", finding), {"note": "重报", "evidence": [upload("x.jpg", b"not a photo")]})
    assert bad.status_code == 400
    assert "不是允许的类型" in bad.content.decode()
    assert client.post(api("submit", finding), {"note": "重报", "evidence": [upload()]}).status_code == 200
    client.force_login(finder)
    accepted = client.post(api("accept", finding), {"note": "好"}, content_type="application/json").json()
    assert accepted["status"] == "accepted"
    assert [e["kind"] for e in accepted["events"]] == [
        "recorded",
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]


def test_api_list_is_scoped_and_filtered(client, finding, finder, other_township_clerk, tree):
    record(finder, tree.township_a, description="养老", module=Module.ELDERCARE)
    client.force_login(finder)
    body = client.get(api("list"), {"module": Module.COMMUNITY}).json()
    assert [r["id"] for r in body["results"]] == [finding.pk]
    client.force_login(other_township_clerk)
    assert client.get(api("list")).json()["count"] == 0
    assert client.get(api("detail", finding)).status_code == 404
