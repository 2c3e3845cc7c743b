"""The thresholds of the modules now live in each module's own policy (their migrations copied the
values); what stays is the campaign's own policy, renamed CampaignPolicy, with the thresholds of the
key tasks that have no module yet."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0010_policy_suspension_max_days"),
        ("eldercare", "0004_eldercare_policy_values"),
        ("funerals", "0004_funeral_policy_values"),
        ("marriage", "0006_marriage_policy_values"),
        ("notifications", "0005_phone_code_policy_values"),
        ("screening", "0004_screening_policy_values"),
        ("vaccination", "0004_vaccination_policy_values"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="policy", name="policy_temperature_plausible"),
        migrations.RemoveField(model_name="policy", name="temperature_limit"),
        migrations.RemoveField(model_name="policy", name="risk_lookback_days"),
        migrations.RemoveField(model_name="policy", name="itinerary_star_refused"),
        migrations.RemoveField(model_name="policy", name="visitor_record_retention_days"),
        migrations.RemoveField(model_name="policy", name="venue_declarations_per_address_per_hour"),
        migrations.RemoveField(model_name="policy", name="venue_declarations_per_venue_per_minute"),
        migrations.RemoveField(model_name="policy", name="declaration_repeat_window_seconds"),
        migrations.RemoveField(model_name="policy", name="public_code_valid_minutes"),
        migrations.RemoveField(model_name="policy", name="public_code_tries"),
        migrations.RemoveField(model_name="policy", name="public_codes_per_phone_per_day"),
        migrations.RemoveField(model_name="policy", name="public_codes_per_address_per_hour"),
        migrations.RemoveField(model_name="policy", name="public_requests_per_document_per_day"),
        migrations.RemoveField(model_name="policy", name="centralised_isolation_days"),
        migrations.RemoveField(model_name="policy", name="home_isolation_days"),
        migrations.RemoveField(model_name="policy", name="health_monitoring_days"),
        migrations.RemoveField(model_name="policy", name="vaccination_report_interval_days"),
        migrations.RemoveField(model_name="policy", name="vaccination_circular_threshold_percent"),
        migrations.RemoveField(model_name="policy", name="vaccination_baseline_completeness_percent"),
        migrations.RemoveField(model_name="policy", name="eldercare_health_checks_per_day"),
        migrations.RemoveField(model_name="policy", name="eldercare_test_interval_days"),
        migrations.RemoveField(model_name="policy", name="funeral_farewell_ceremonies_allowed"),
        migrations.RemoveField(model_name="policy", name="funeral_attendance_limit"),
        migrations.RemoveField(model_name="policy", name="funeral_late_entry_days"),
        migrations.RemoveField(model_name="policy", name="funeral_max_days_after_death"),
        migrations.RemoveField(model_name="policy", name="remains_step_stall_hours"),
        migrations.RemoveField(model_name="policy", name="ppe_low_stock_threshold"),
        migrations.RemoveField(model_name="policy", name="marriage_daily_quota"),
        migrations.RemoveField(model_name="policy", name="marriage_booking_horizon_days"),
        migrations.RemoveField(model_name="policy", name="marriage_waitlist_confirm_hours"),
        migrations.RemoveField(model_name="policy", name="marriage_surge_booking_opens_days"),
        migrations.RemoveField(model_name="policy", name="marriage_arrival_minutes_before"),
        migrations.RemoveField(model_name="policy", name="marriage_active_bookings_per_phone"),
        migrations.RemoveField(model_name="policy", name="marriage_test_validity_hours"),
        migrations.RenameModel(old_name="Policy", new_name="CampaignPolicy"),
        migrations.AlterModelOptions(
            name="campaignpolicy",
            options={"verbose_name": "行动政策参数", "verbose_name_plural": "行动政策参数"},
        ),
        migrations.AlterField(
            model_name="campaignpolicy",
            name="campaign",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="%(app_label)s_policy",
                to="campaigns.campaign",
                verbose_name="行动",
            ),
        ),
    ]
