from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _record_keys_after_migrate(using: str, **kwargs: Any) -> None:
    from shouhu.common import keyring

    keyring.record_keys_in_use(using)


class CommonConfig(AppConfig):
    name = "shouhu.common"
    label = "common"
    verbose_name = "通用"

    def ready(self) -> None:
        from shouhu.common import checks

        checks.register()
        # migrate (a new install, `make run`, every upgrade) records the keys the data is
        # written with, before anything is written (common.keyring).
        post_migrate.connect(_record_keys_after_migrate, sender=self)
