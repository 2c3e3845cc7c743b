"""Delete what has expired: attempt counters, one-time codes, unconfirmed public requests (nightly).

    manage.py purge_expired

Attempt counters: a counter whose last attempt is older than its window counts for nothing, but
its row stays until this runs. The default age, two days, is longer than any window the project
counts in (the login window, LOGIN_FAILURE_WINDOW_SECONDS, is taken if it is longer): deleting a
counter still inside its window would give its client a fresh set of attempts. Everything else
is what the apps registered in `common.expiry` (codes past their minutes, requests past theirs).
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from shouhu.common.attempts import attempts_purge
from shouhu.common.expiry import registered_purges

DEFAULT_HOURS = 48


class Command(BaseCommand):
    help = "删除已过期的数据（尝试次数计数、短信验证码、未确认的在线申请等），每晚运行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-hours",
            type=int,
            default=DEFAULT_HOURS,
            help=f"删除最近一次尝试早于这么多小时的尝试次数计数（默认 {DEFAULT_HOURS}）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seconds = max(options["older_than_hours"] * 3600, settings.LOGIN_FAILURE_WINDOW_SECONDS)
        self.stdout.write(f"已删除过期的尝试次数计数 {attempts_purge(older_than_seconds=seconds)} 条")
        for label, purge in registered_purges().items():
            self.stdout.write(f"已删除过期的{label} {purge()} 条")
