"""The thresholds of vaccination move out of the campaign's single policy (campaigns.Policy) into
VaccinationPolicy, with the values a bureau may have edited: one row per campaign that had one."""

from django.db import migrations

# VaccinationPolicy's field: the campaigns.Policy field it was
MOVED = {
    "report_interval_days": "vaccination_report_interval_days",
    "circular_threshold_percent": "vaccination_circular_threshold_percent",
    "baseline_completeness_percent": "vaccination_baseline_completeness_percent",
}


def copy_from_campaign_policy(apps, schema_editor):
    campaign_policy = apps.get_model("campaigns", "Policy")
    module_policy = apps.get_model("vaccination", "VaccinationPolicy")
    module_policy.objects.bulk_create(
        module_policy(campaign_id=old.campaign_id, **{new: getattr(old, was) for new, was in MOVED.items()})
        for old in campaign_policy.objects.all()
    )


def copy_back_to_campaign_policy(apps, schema_editor):
    campaign_policy = apps.get_model("campaigns", "Policy")
    module_policy = apps.get_model("vaccination", "VaccinationPolicy")
    for new in module_policy.objects.all():
        campaign_policy.objects.filter(campaign_id=new.campaign_id).update(
            **{was: getattr(new, name) for name, was in MOVED.items()}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("vaccination", "0003_vaccination_policy"),
    ]

    operations = [
        migrations.RunPython(copy_from_campaign_policy, copy_back_to_campaign_policy),
    ]
