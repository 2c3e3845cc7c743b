"""Demo findings (G1): the 加格达奇区 bureau's field visit to 东山街道 found three problems, passed
to the street's prevention command — one past its deadline and escalated to the district, one
reported with photos and accepted, one reported and returned. The visit is recorded through the
community module's own service (the real way findings arrive)."""

import datetime as dt
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from shouhu.accounts.models import User
from shouhu.common import clock
from shouhu.community.services import FindingInput, VisitInput, visit_record
from shouhu.orgs.models import OrgUnit
from shouhu.rectification import services
from shouhu.rectification.models import Finding
from shouhu.rectification.selectors import findings_of

MARKER = "东山第一社区卡口值守人员未规范佩戴口罩，出入登记缺项"
VISIT_DAYS_AGO = 8  # not a policy threshold: when the demo visit took place
DAY = dt.timedelta(days=1)  # not a policy threshold: the demo's deadlines are counted in days


def _png(width: int = 4, height: int = 3) -> bytes:
    """A small grey picture (a real PNG, so it opens when downloaded)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x99" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def create_rectification() -> int:
    """The demo findings; how many were added (0 when they exist or the region is not loaded)."""
    if Finding.objects.filter(description=MARKER).exists():
        return 0
    street = OrgUnit.objects.filter(code="232718001").first()
    county_clerk = User.objects.filter(username="jiagedaqi").first()
    street_clerk = User.objects.filter(username="dongshan").first()
    if street is None or county_clerk is None or street_clerk is None:
        return 0
    today = clock.today()
    visited_on = today - VISIT_DAYS_AGO * DAY
    command = "东山街道疫情防控指挥部"
    visit = visit_record(
        actor=county_clerk,
        data=VisitInput(
            place=street,
            visited_on=visited_on,
            staff="加格达奇区民政局 王立军、刘丽",
            checked="卡口值守、返乡人员登记、应急物资储备",
            findings=[
                FindingInput(MARKER, command, visited_on + 3 * DAY),
                FindingInput(
                    "返乡人员登记台账未及时更新，缺 12 月 28 日以后的记录",
                    command,
                    today + 2 * DAY,
                ),
                FindingInput("应急物资储备清单未列防护服数量", "东山街道社区服务中心", today + 4 * DAY),
            ],
        ),
    )
    late, ledger, supplies = list(findings_of(visit))
    photo = SimpleUploadedFile("台账更新后.png", _png(), content_type="image/png")
    sheet = SimpleUploadedFile("返乡人员登记表.pdf", PDF, content_type="application/pdf")
    services.finding_submit(
        actor=street_clerk, finding=ledger, note="台账已补录至今日，安排专人每日更新", evidence=[photo, sheet]
    )
    services.finding_accept(actor=county_clerk, finding=ledger, note="抽查台账，已更新到位")
    services.finding_submit(
        actor=street_clerk,
        finding=supplies,
        note="已补列防护服",
        evidence=[SimpleUploadedFile("物资清单.png", _png(), content_type="image/png")],
    )
    services.finding_return(actor=county_clerk, finding=supplies, reason="清单未写明防护服的数量和存放地点")
    services.finding_escalate(finding_id=late.pk, today=today)
    return 3
