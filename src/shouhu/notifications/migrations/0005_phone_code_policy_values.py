"""The thresholds of the public pages' one-time codes move out of the campaign's single policy
(campaigns.Policy) into PhoneCodePolicy, with the values a bureau may have edited: one row per
campaign that had one."""

from django.db import migrations

# PhoneCodePolicy's field: the campaigns.Policy field it was
MOVED = {
    "code_valid_minutes": "public_code_valid_minutes",
    "code_tries": "public_code_tries",
    "codes_per_phone_per_day": "public_codes_per_phone_per_day",
    "codes_per_address_per_hour": "public_codes_per_address_per_hour",
}


def copy_from_campaign_policy(apps, schema_editor):
    campaign_policy = apps.get_model("campaigns", "Policy")
    module_policy = apps.get_model("notifications", "PhoneCodePolicy")
    module_policy.objects.bulk_create(
        module_policy(campaign_id=old.campaign_id, **{new: getattr(old, was) for new, was in MOVED.items()})
        for old in campaign_policy.objects.all()
    )


def copy_back_to_campaign_policy(apps, schema_editor):
    campaign_policy = apps.get_model("campaigns", "Policy")
    module_policy = apps.get_model("notifications", "PhoneCodePolicy")
    for new in module_policy.objects.all():
        campaign_policy.objects.filter(campaign_id=new.campaign_id).update(
            **{was: getattr(new, name) for name, was in MOVED.items()}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_phone_code_policy"),
    ]

    operations = [
        migrations.RunPython(copy_from_campaign_policy, copy_back_to_campaign_policy),
    ]
