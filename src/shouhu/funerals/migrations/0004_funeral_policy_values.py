"""The thresholds of funeral services move out of the campaign's single policy (campaigns.Policy)
into FuneralPolicy, with the values a bureau may have edited: one row per campaign that had one."""

from django.db import migrations

# FuneralPolicy's field: the campaigns.Policy field it was
MOVED = {
    "farewell_ceremonies_allowed": "funeral_farewell_ceremonies_allowed",
    "attendance_limit": "funeral_attendance_limit",
    "late_entry_days": "funeral_late_entry_days",
    "max_days_after_death": "funeral_max_days_after_death",
    "remains_step_stall_hours": "remains_step_stall_hours",
    "ppe_low_stock_threshold": "ppe_low_stock_threshold",
}


def copy_from_campaign_policy(apps, schema_editor):
    campaign_policy = apps.get_model("campaigns", "Policy")
    module_policy = apps.get_model("funerals", "FuneralPolicy")
    module_policy.objects.bulk_create(
        module_policy(campaign_id=old.campaign_id, **{new: getattr(old, was) for new, was in MOVED.items()})
        for old in campaign_policy.objects.all()
    )


def copy_back_to_campaign_policy(apps, schema_editor):
    campaign_policy = apps.get_model("campaigns", "Policy")
    module_policy = apps.get_model("funerals", "FuneralPolicy")
    for new in module_policy.objects.all():
        campaign_policy.objects.filter(campaign_id=new.campaign_id).update(
            **{was: getattr(new, name) for name, was in MOVED.items()}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("funerals", "0003_funeral_policy"),
    ]

    operations = [
        migrations.RunPython(copy_from_campaign_policy, copy_back_to_campaign_policy),
    ]
