"""The move to 低保 (A7) is now AssistancePolicy's; its value was copied by assistance 0002."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0011_module_policies_move_out"),
        ("assistance", "0002_assistance_policy_values"),
    ]

    operations = [
        migrations.RemoveField(model_name="campaignpolicy", name="hardship_months_for_dibao"),
    ]
