from django.apps import AppConfig


class InquiriesConfig(AppConfig):
    name = "shouhu.inquiries"
    label = "inquiries"
    verbose_name = "群众诉求"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        # The caller's phone is personal data: the log keeps only that it changed.
        auditlog.register(models.Inquiry, mask_fields=["caller_phone"])
