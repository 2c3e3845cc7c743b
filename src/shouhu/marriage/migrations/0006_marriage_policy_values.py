"""The thresholds of marriage registration move out of the campaign's single policy
(campaigns.Policy) into MarriagePolicy, with the values a bureau may have edited: one row per
campaign that had one."""

from django.db import migrations

from shouhu.campaigns.policy_moves import move_policy_values

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


class Migration(migrations.Migration):
    dependencies = [
        ("marriage", "0005_marriage_policy"),
    ]

    operations = [
        move_policy_values("marriage", "MarriagePolicy", MOVED),
    ]
