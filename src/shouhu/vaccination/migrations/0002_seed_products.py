"""The COVID-19 vaccines in use in China in 2021–2022, with their schedules (editable in the admin)."""

from django.db import migrations

# short name, vaccine, manufacturer, doses for completion, min interval days, booster after days
PRODUCTS = [
    (
        "国药北京生物",
        "新冠病毒灭活疫苗（Vero细胞）",
        "北京生物制品研究所有限责任公司（国药集团中国生物）",
        2,
        21,
        180,
    ),
    ("北京科兴", "新冠病毒灭活疫苗（Vero细胞）", "北京科兴中维生物技术有限公司", 2, 21, 180),
    (
        "智飞龙科马",
        "重组新型冠状病毒蛋白疫苗（CHO细胞）",
        "安徽智飞龙科马生物制药有限公司",
        3,
        28,
        None,
    ),
    ("康希诺", "重组新型冠状病毒疫苗（5型腺病毒载体）", "康希诺生物股份公司", 1, 0, None),
]


def seed(apps, schema_editor):
    VaccineProduct = apps.get_model("vaccination", "VaccineProduct")
    for short_name, name, manufacturer, doses, interval, booster in PRODUCTS:
        VaccineProduct.objects.get_or_create(
            short_name=short_name,
            defaults={
                "name": name,
                "manufacturer": manufacturer,
                "doses_for_completion": doses,
                "min_interval_days": interval,
                "booster_after_days": booster,
            },
        )


def unseed(apps, schema_editor):
    VaccineProduct = apps.get_model("vaccination", "VaccineProduct")
    VaccineProduct.objects.filter(short_name__in=[p[0] for p in PRODUCTS], doses__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("vaccination", "0001_vaccination_ledger")]

    operations = [migrations.RunPython(seed, unseed)]
