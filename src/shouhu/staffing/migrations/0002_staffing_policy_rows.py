"""Every campaign that exists gets its StaffingPolicy row with the plan's defaults (a campaign
created later gets one from `campaign_create`, as every module policy does)."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    campaign = apps.get_model("campaigns", "Campaign")
    policy = apps.get_model("staffing", "StaffingPolicy")
    have = set(policy.objects.values_list("campaign_id", flat=True))
    policy.objects.bulk_create(
        policy(campaign_id=pk) for pk in campaign.objects.values_list("pk", flat=True) if pk not in have
    )


class Migration(migrations.Migration):
    dependencies = [
        ("staffing", "0001_leave_travel_policy"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
