"""The thresholds of marriage registration move out of the campaign's single policy
(campaigns.Policy) into MarriagePolicy, with the values a bureau may have edited: one row per
campaign that had one."""

from django.db import migrations

# MarriagePolicy's field: the campaigns.Policy field it was
MOVED = {
    "daily_quota": "marriage_daily_quota",
    "booking_horizon_days": "marriage_booking_horizon_days",
    "waitlist_confirm_hours": "marriage_waitlist_confirm_hours",
    "surge_booking_opens_days": "marriage_surge_booking_opens_days",
    "arrival_minutes_before": "marriage_arrival_minutes_before",
    "active_bookings_per_phone": "marriage_active_bookings_per_phone",
    "test_validity_hours": "marriage_test_validity_hours",
    "public_requests_per_document_per_day": "public_requests_per_document_per_day",
}


def copy_from_campaign_policy(apps, schema_editor):
    campaign_policy = apps.get_model("campaigns", "Policy")
    module_policy = apps.get_model("marriage", "MarriagePolicy")
    module_policy.objects.bulk_create(
        module_policy(campaign_id=old.campaign_id, **{new: getattr(old, was) for new, was in MOVED.items()})
        for old in campaign_policy.objects.all()
    )


def copy_back_to_campaign_policy(apps, schema_editor):
    campaign_policy = apps.get_model("campaigns", "Policy")
    module_policy = apps.get_model("marriage", "MarriagePolicy")
    for new in module_policy.objects.all():
        campaign_policy.objects.filter(campaign_id=new.campaign_id).update(
            **{was: getattr(new, name) for name, was in MOVED.items()}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("marriage", "0005_marriage_policy"),
    ]

    operations = [
        migrations.RunPython(copy_from_campaign_policy, copy_back_to_campaign_policy),
    ]
