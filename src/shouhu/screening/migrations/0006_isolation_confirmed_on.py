"""Whether an isolated person is a confirmed case (确诊日期), so that other modules learn it from the
register (assistance, A6) instead of a clerk typing it twice; empty for everyone recorded before."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('screening', '0005_screening_visitor_name_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='isolationrecord',
            name='confirmed_on',
            field=models.DateField(blank=True, help_text='卫健部门通报为确诊病例的日期；非确诊病例不填', null=True, verbose_name='确诊日期'),
        ),
    ]
