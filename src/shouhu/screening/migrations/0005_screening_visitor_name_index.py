"""A search key for the visitor's name (which is encrypted), so that one person's visits can be
found in the records list; the records still kept get theirs from their decrypted names."""

from django.db import migrations, models

BATCH = 1000


def index_visitor_names(apps, schema_editor):
    from shouhu.common.crypto import blind_index

    Screening = apps.get_model("screening", "Screening")
    pending = []
    for row in Screening.objects.exclude(visitor_name="").only("pk", "visitor_name").iterator(chunk_size=BATCH):
        row.visitor_name_index = blind_index("visitor_name", " ".join((row.visitor_name or "").split()))
        pending.append(row)
        if len(pending) >= BATCH:
            Screening.objects.bulk_update(pending, ["visitor_name_index"])
            pending = []
    if pending:
        Screening.objects.bulk_update(pending, ["visitor_name_index"])


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0004_screening_policy_values"),
    ]

    operations = [
        migrations.AddField(
            model_name="screening",
            name="visitor_name_index",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="姓名检索码"),
        ),
        migrations.AddIndex(
            model_name="screening",
            index=models.Index(fields=["visitor_name_index"], name="screening_visitor_name_index"),
        ),
        migrations.RunPython(index_visitor_names, migrations.RunPython.noop),
    ]
