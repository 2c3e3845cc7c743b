"""The move to 低保 after lasting hardship (A7) leaves the campaign's own policy for AssistancePolicy,
with the value a bureau may have edited: one row per campaign that had one."""

from typing import Any

from django.db import migrations

MOVED = ["hardship_months_for_dibao"]


def forwards(apps: Any, schema_editor: Any) -> None:
    campaign_policy = apps.get_model("campaigns", "CampaignPolicy")
    assistance_policy = apps.get_model("assistance", "AssistancePolicy")
    assistance_policy.objects.bulk_create(
        assistance_policy(campaign_id=old.campaign_id, **{name: getattr(old, name) for name in MOVED})
        for old in campaign_policy.objects.all()
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    campaign_policy = apps.get_model("campaigns", "CampaignPolicy")
    assistance_policy = apps.get_model("assistance", "AssistancePolicy")
    for new in assistance_policy.objects.all():
        campaign_policy.objects.filter(campaign_id=new.campaign_id).update(
            **{name: getattr(new, name) for name in MOVED}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0001_households_responsibility_visits_assessments"),
        ("campaigns", "0011_module_policies_move_out"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
