from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shouhu.alerts import runner
from shouhu.alerts.registry import registered_checks


class Command(BaseCommand):
    help = "运行全部提醒检查：逾期和缺报事项自动提醒到人（由定时任务每小时或每天运行）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--check", action="append", default=[], help="只运行这些检查（可重复）")
        parser.add_argument("--dry-run", action="store_true", help="只列出到期的提醒，不送达")

    def handle(self, *args: Any, **options: Any) -> None:
        checks = registered_checks()
        wanted: list[str] = options["check"]
        unknown = [name for name in wanted if name not in checks]
        if unknown:
            raise CommandError(f"没有这些提醒检查：{'、'.join(unknown)}；已登记：{'、'.join(checks)}")
        if wanted:
            checks = {name: checks[name] for name in wanted}
        collected = runner.collect(checks=checks)
        if options["dry_run"]:
            for item in collected.scheduled:
                self.stdout.write(f"{item.check_name}\t{item.reminder.dedupe_key}\t{item.reminder.title}")
            self.stdout.write(f"到期提醒 {len(collected.scheduled)} 条（未送达）。")
            return
        report = runner.deliver(collected)
        self.stdout.write(
            f"检查 {report.checks} 项，到期 {report.due} 条：新提醒 {report.raised} 条（送达 {report.recipients} 人），"
            f"已有未解除提醒 {report.already_open} 条，送达前已办结 {report.no_longer_due} 条，"
            f"解除 {report.resolved} 条。"
        )
        if report.failed_checks or report.failed_reminders:
            raise CommandError(
                f"失败：检查 {'、'.join(report.failed_checks) or '无'}；提醒 {report.failed_reminders} 条（详见日志）"
            )
