"""The thresholds of nursing homes move out of the campaign's single policy (campaigns.Policy) into
EldercarePolicy, with the values a bureau may have edited: one row per campaign that had one."""

from django.db import migrations

# EldercarePolicy's field: the campaigns.Policy field it was
MOVED = {
    "health_checks_per_day": "eldercare_health_checks_per_day",
    "test_interval_days": "eldercare_test_interval_days",
}


def copy_from_campaign_policy(apps, schema_editor):
    campaign_policy = apps.get_model("campaigns", "Policy")
    module_policy = apps.get_model("eldercare", "EldercarePolicy")
    module_policy.objects.bulk_create(
        module_policy(campaign_id=old.campaign_id, **{new: getattr(old, was) for new, was in MOVED.items()})
        for old in campaign_policy.objects.all()
    )


def copy_back_to_campaign_policy(apps, schema_editor):
    campaign_policy = apps.get_model("campaigns", "Policy")
    module_policy = apps.get_model("eldercare", "EldercarePolicy")
    for new in module_policy.objects.all():
        campaign_policy.objects.filter(campaign_id=new.campaign_id).update(
            **{was: getattr(new, name) for name, was in MOVED.items()}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("eldercare", "0003_eldercare_policy"),
    ]

    operations = [
        migrations.RunPython(copy_from_campaign_policy, copy_back_to_campaign_policy),
    ]
