"""The thresholds of entry screening and isolation move out of the campaign's single policy
(campaigns.Policy) into ScreeningPolicy, with the values a bureau may have edited: one row per
campaign that had one."""

from django.db import migrations

from shouhu.campaigns.policy_moves import move_policy_values

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


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0003_screening_policy"),
    ]

    operations = [
        move_policy_values("screening", "ScreeningPolicy", MOVED),
    ]
