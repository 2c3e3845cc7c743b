from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "shouhu.orgs"
    label = "orgs"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import OrgUnit

        auditlog.register(OrgUnit, exclude_fields=["path", "depth", "numchild"])
