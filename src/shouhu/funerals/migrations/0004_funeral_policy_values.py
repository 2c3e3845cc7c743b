"""The thresholds of funeral services move out of the campaign's single policy (campaigns.Policy)
into FuneralPolicy, with the values a bureau may have edited: one row per campaign that had one."""

from django.db import migrations

from shouhu.campaigns.policy_moves import move_policy_values

# FuneralPolicy's field: the campaigns.Policy field it was
MOVED = {
    "farewell_ceremonies_allowed": "funeral_farewell_ceremonies_allowed",
    "attendance_limit": "funeral_attendance_limit",
    "late_entry_days": "funeral_late_entry_days",
    "max_days_after_death": "funeral_max_days_after_death",
    "remains_step_stall_hours": "remains_step_stall_hours",
    "ppe_low_stock_threshold": "ppe_low_stock_threshold",
}


class Migration(migrations.Migration):
    dependencies = [
        ("funerals", "0003_funeral_policy"),
    ]

    operations = [
        move_policy_values("funerals", "FuneralPolicy", MOVED),
    ]
