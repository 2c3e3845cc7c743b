"""Gatherings (G3) take their two thresholds out of the campaign's own policy into GatheringsPolicy,
with the values a bureau may have edited: one row per campaign that had one. The two new values
(how many days ahead an application is taken, when an undecided one is overdue) start at their
defaults (docs/gatherings.md says why)."""

from typing import Any

from django.db import migrations

# GatheringsPolicy's field: the CampaignPolicy field it was
MOVED = {
    "approval_headcount": "gathering_application_persons",
    "test_window_hours": "gathering_test_validity_hours",
}


def forwards(apps: Any, schema_editor: Any) -> None:
    campaign_policy = apps.get_model("campaigns", "CampaignPolicy")
    gatherings_policy = apps.get_model("gatherings", "GatheringsPolicy")
    gatherings_policy.objects.bulk_create(
        gatherings_policy(campaign_id=old.campaign_id, **{new: getattr(old, was) for new, was in MOVED.items()})
        for old in campaign_policy.objects.all()
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    campaign_policy = apps.get_model("campaigns", "CampaignPolicy")
    gatherings_policy = apps.get_model("gatherings", "GatheringsPolicy")
    for new in gatherings_policy.objects.all():
        campaign_policy.objects.filter(campaign_id=new.campaign_id).update(
            **{was: getattr(new, name) for name, was in MOVED.items()}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("gatherings", "0001_gatherings_participants_policy"),
        ("campaigns", "0012_policy_assistance_moves_out"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
