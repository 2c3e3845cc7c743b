"""The thresholds of entry screening and isolation move out of the campaign's single policy
(campaigns.Policy) into ScreeningPolicy, with the values a bureau may have edited: one row per
campaign that had one."""

from django.db import migrations

# ScreeningPolicy's field: the campaigns.Policy field it was
MOVED = {
    "temperature_limit": "temperature_limit",
    "risk_lookback_days": "risk_lookback_days",
    "itinerary_star_refused": "itinerary_star_refused",
    "visitor_record_retention_days": "visitor_record_retention_days",
    "venue_declarations_per_address_per_hour": "venue_declarations_per_address_per_hour",
    "venue_declarations_per_venue_per_minute": "venue_declarations_per_venue_per_minute",
    "declaration_repeat_window_seconds": "declaration_repeat_window_seconds",
    "centralised_isolation_days": "centralised_isolation_days",
    "home_isolation_days": "home_isolation_days",
    "health_monitoring_days": "health_monitoring_days",
}


def copy_from_campaign_policy(apps, schema_editor):
    campaign_policy = apps.get_model("campaigns", "Policy")
    module_policy = apps.get_model("screening", "ScreeningPolicy")
    module_policy.objects.bulk_create(
        module_policy(campaign_id=old.campaign_id, **{new: getattr(old, was) for new, was in MOVED.items()})
        for old in campaign_policy.objects.all()
    )


def copy_back_to_campaign_policy(apps, schema_editor):
    campaign_policy = apps.get_model("campaigns", "Policy")
    module_policy = apps.get_model("screening", "ScreeningPolicy")
    for new in module_policy.objects.all():
        campaign_policy.objects.filter(campaign_id=new.campaign_id).update(
            **{was: getattr(new, name) for name, was in MOVED.items()}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0003_screening_policy"),
    ]

    operations = [
        migrations.RunPython(copy_from_campaign_policy, copy_back_to_campaign_policy),
    ]
