"""The thresholds of the public pages' one-time codes move out of the campaign's single policy
(campaigns.Policy) into PhoneCodePolicy, with the values a bureau may have edited: one row per
campaign that had one."""

from django.db import migrations

from shouhu.campaigns.policy_moves import move_policy_values

# PhoneCodePolicy's field: the campaigns.Policy field it was
MOVED = {
    "code_valid_minutes": "public_code_valid_minutes",
    "code_tries": "public_code_tries",
    "codes_per_phone_per_day": "public_codes_per_phone_per_day",
    "codes_per_address_per_hour": "public_codes_per_address_per_hour",
}


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_phone_code_policy"),
    ]

    operations = [
        move_policy_values("notifications", "PhoneCodePolicy", MOVED),
    ]
