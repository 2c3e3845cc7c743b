"""Send queued text messages. Run from cron every minute: `manage.py send_outbox`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shouhu.notifications.services import outbox_send


class Command(BaseCommand):
    help = "发送短信发件箱中待发送的消息"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="本次最多发送条数")
        parser.add_argument("--retry-failed", action="store_true", help="同时重发发送失败的消息")

    def handle(self, *args: Any, **options: Any) -> None:
        result = outbox_send(limit=options["limit"], retry_failed=options["retry_failed"])
        self.stdout.write(f"已发送 {result.sent} 条，失败 {result.failed} 条")
