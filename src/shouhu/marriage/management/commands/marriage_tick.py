"""Cron, every few minutes: `manage.py marriage_tick`.

The slot rows of the booking window's days that have none yet are made (the day that entered the
window at midnight, a day a holiday or the policy opened); lapsed waiting-list offers pass on to
the next couple, waiting places of past days lapse, and the holders of bookings inside a
marriage-registration suspension are told (once) that they may rebook first. `send_outbox` then
delivers the messages.
"""

from typing import Any

from django.core.management.base import BaseCommand

from shouhu.campaigns.models import ServiceSuspension, ServiceType
from shouhu.common import clock
from shouhu.marriage import services


class Command(BaseCommand):
    help = "婚姻登记定时任务：生成可预约日的时段、递补超时顺延、暂停服务通知"

    def handle(self, *args: Any, **options: Any) -> None:
        made = services.slots_make_upcoming()
        expired = services.offers_expire()
        told = 0
        suspensions = ServiceSuspension.objects.filter(
            service=ServiceType.MARRIAGE_REGISTRATION, ends_on__gte=clock.today(), lifted_at__isnull=True
        ).select_related("unit")
        for suspension in suspensions:
            told += services.suspension_notify(suspension=suspension)
        self.stdout.write(f"新增时段 {made} 个；递补超时或候补失效 {expired} 个；暂停服务通知 {told} 个预约")
