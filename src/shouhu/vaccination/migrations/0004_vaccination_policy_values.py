"""The thresholds of vaccination move out of the campaign's single policy (campaigns.Policy) into
VaccinationPolicy, with the values a bureau may have edited: one row per campaign that had one."""

from django.db import migrations

from shouhu.campaigns.policy_moves import move_policy_values

# VaccinationPolicy's field: the campaigns.Policy field it was
MOVED = {
    "report_interval_days": "vaccination_report_interval_days",
    "circular_threshold_percent": "vaccination_circular_threshold_percent",
    "baseline_completeness_percent": "vaccination_baseline_completeness_percent",
}


class Migration(migrations.Migration):
    dependencies = [
        ("vaccination", "0003_vaccination_policy"),
    ]

    operations = [
        move_policy_values("vaccination", "VaccinationPolicy", MOVED),
    ]
