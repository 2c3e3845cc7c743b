"""Every existing campaign gets its CommunityPolicy row, with the plan's values (C3)."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    campaign = apps.get_model("campaigns", "Campaign")
    community_policy = apps.get_model("community", "CommunityPolicy")
    have = set(community_policy.objects.values_list("campaign_id", flat=True))
    community_policy.objects.bulk_create(
        community_policy(campaign_id=pk) for pk in campaign.objects.values_list("pk", flat=True) if pk not in have
    )


class Migration(migrations.Migration):
    dependencies = [("community", "0001_roster_plans_emergency_visits")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
