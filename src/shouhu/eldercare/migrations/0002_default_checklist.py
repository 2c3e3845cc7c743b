"""The plan's daily prevention checklist (人物同防) as the starting data; the region edits it later."""

from django.db import migrations

DEFAULT_ITEMS = [
    ("室内环境消杀", "居室、活动室、食堂、卫生间等室内区域按规定消毒"),
    ("室外环境消杀", "院落、出入口、垃圾收集点等室外区域消毒"),
    ("分餐制和餐具消毒", "老人分餐、错峰就餐，餐具一人一用一消毒"),
    ("冷链食品查验消杀", "进口冷链食品查验“三证”，外包装消毒后入库"),
    ("快递邮件消杀", "快递、邮件在院外指定地点消毒后接收"),
    ("通风换气", "居室和公共区域每日定时开窗通风"),
]


def add_items(apps, schema_editor):
    ChecklistItem = apps.get_model("eldercare", "ChecklistItem")
    for order, (label, hint) in enumerate(DEFAULT_ITEMS, start=1):
        ChecklistItem.objects.get_or_create(label=label, defaults={"hint": hint, "order": order})


class Migration(migrations.Migration):
    dependencies = [("eldercare", "0001_closures_rounds_checks_logs")]

    operations = [migrations.RunPython(add_items, migrations.RunPython.noop)]
