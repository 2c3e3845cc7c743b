"""Every campaign already running gets its rectification policy, with the plan's defaults (new
campaigns get theirs when they are created)."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    campaign = apps.get_model("campaigns", "Campaign")
    policy = apps.get_model("rectification", "RectificationPolicy")
    have = set(policy.objects.values_list("campaign_id", flat=True))
    policy.objects.bulk_create(
        policy(campaign_id=pk) for pk in campaign.objects.values_list("pk", flat=True) if pk not in have
    )


class Migration(migrations.Migration):
    dependencies = [("rectification", "0001_findings_policy")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
