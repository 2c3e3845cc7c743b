"""The one migration operation that moved a module's thresholds out of the campaign's single policy
(campaigns.Policy, before 0011) into the module's own policy model, with the values a bureau may
have edited: one row per campaign that had one, and back again when migrated backwards.

Migrations of several apps import it: it reads only the historical models `apps` gives it, so it
stays right for them whatever the models become later."""

from typing import Any

from django.db import migrations


def move_policy_values(app_label: str, model_name: str, moved: dict[str, str]) -> migrations.RunPython:
    """`moved`: the module policy's field → the campaigns.Policy field it was."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        campaign_policy = apps.get_model("campaigns", "Policy")
        module_policy = apps.get_model(app_label, model_name)
        module_policy.objects.bulk_create(
            module_policy(
                campaign_id=old.campaign_id, **{new: getattr(old, was) for new, was in moved.items()}
            )
            for old in campaign_policy.objects.all()
        )

    def backwards(apps: Any, schema_editor: Any) -> None:
        campaign_policy = apps.get_model("campaigns", "Policy")
        module_policy = apps.get_model(app_label, model_name)
        for new in module_policy.objects.all():
            campaign_policy.objects.filter(campaign_id=new.campaign_id).update(
                **{was: getattr(new, name) for name, was in moved.items()}
            )

    return migrations.RunPython(forwards, backwards)
