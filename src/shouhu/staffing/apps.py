from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "shouhu.staffing"
    label = "staffing"
    verbose_name = "工作人员管理"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.StaffAccount)
        auditlog.register(models.LeaveRequest)
        auditlog.register(models.TravelReport)
