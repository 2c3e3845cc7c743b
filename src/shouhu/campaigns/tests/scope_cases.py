"""How the scope-leak test makes campaign objects."""

import datetime as dt

from shouhu.campaigns.models import ServiceSuspension


def make_suspension_in(county, marker):
    return ServiceSuspension.objects.create(
        unit=county,
        service="marriage_registration",
        starts_on=dt.date(2022, 1, 10),
        ends_on=dt.date(2022, 1, 20),
        reason=f"{marker}原因",
    )


SCOPED_OBJECTS = {"suspension_id": make_suspension_in}

# Campaigns, their phases and key dates are the whole region's plan: every user reads them.
REGION_WIDE = {
    "campaign_id": "行动计划全区统一",
    "phase_id": "阶段属于全区统一的行动",
    "module": "模块名（应用标签）是固定的名称，不是数据对象；其政策参数属于全区统一的行动",
}
