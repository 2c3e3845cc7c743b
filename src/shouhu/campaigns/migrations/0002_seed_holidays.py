from django.db import migrations


def seed_holidays(apps, schema_editor):
    from shouhu.campaigns.calendar import statutory_holidays

    Holiday = apps.get_model("campaigns", "Holiday")
    existing = set(Holiday.objects.values_list("date", flat=True))
    Holiday.objects.bulk_create(
        [
            Holiday(date=row.date, name=row.name, kind="workday" if row.is_workday else "holiday")
            for row in statutory_holidays()
            if row.date not in existing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]

    operations = [migrations.RunPython(seed_holidays, migrations.RunPython.noop)]
