"""The gatherings' thresholds (G3) are now GatheringsPolicy's; their values were copied by gatherings 0002."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0012_policy_assistance_moves_out"),
        ("gatherings", "0002_gatherings_policy_values"),
    ]

    operations = [
        migrations.RemoveField(model_name="campaignpolicy", name="gathering_application_persons"),
        migrations.RemoveField(model_name="campaignpolicy", name="gathering_test_validity_hours"),
    ]
