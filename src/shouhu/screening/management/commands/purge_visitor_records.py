"""Delete screening records older than the policy's retention days (run daily from cron).

    15 2 * * *  cd /srv/shouhu && .venv/bin/python manage.py purge_visitor_records

Each purged day's anonymous counts per institution are kept in DailyScreeningCount first.
"""

from typing import Any

from django.core.management.base import BaseCommand

from shouhu.screening.services import visitor_records_purge


class Command(BaseCommand):
    help = "删除超过保存天数的入口查验记录（保留每日人次统计）"

    def handle(self, *args: Any, **options: Any) -> None:
        result = visitor_records_purge()
        self.stdout.write(
            f"已删除 {result.cutoff} 之前的查验记录 {result.deleted} 条，保留 {result.days} 个场所日的统计数量"
        )
