"""The thresholds of nursing homes move out of the campaign's single policy (campaigns.Policy) into
EldercarePolicy, with the values a bureau may have edited: one row per campaign that had one."""

from django.db import migrations

from shouhu.campaigns.policy_moves import move_policy_values

# EldercarePolicy's field: the campaigns.Policy field it was
MOVED = {
    "health_checks_per_day": "eldercare_health_checks_per_day",
    "test_interval_days": "eldercare_test_interval_days",
}


class Migration(migrations.Migration):
    dependencies = [
        ("eldercare", "0003_eldercare_policy"),
    ]

    operations = [
        move_policy_values("eldercare", "EldercarePolicy", MOVED),
    ]
