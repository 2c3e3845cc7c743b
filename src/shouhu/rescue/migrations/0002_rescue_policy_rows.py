"""Every campaign made before the rescue module had a policy gets its row, with the plan's values
(a new campaign gets one from `campaign_create`)."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    campaign = apps.get_model("campaigns", "Campaign")
    rescue_policy = apps.get_model("rescue", "RescuePolicy")
    have = set(rescue_policy.objects.values_list("campaign_id", flat=True))
    rescue_policy.objects.bulk_create(
        rescue_policy(campaign_id=pk) for pk in campaign.objects.values_list("pk", flat=True) if pk not in have
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rescue", "0001_patrols_rescued_returns_incidents"),
        ("campaigns", "0012_policy_assistance_moves_out"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
