"""System checks run at every start: `check` (with or without --deploy), `migrate`,
`runserver`, the task worker, and the WSGI application (shouhu.config.wsgi)."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db.utils import DatabaseError

from shouhu.common import keyring

KEYS_TAG = "shouhu_keys"


def personal_data_keys_check(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """The personal-data keys are well formed and can read the data the database holds.

    Unlike Django's own database checks this one reads the database even when `check` was not
    given --database: refusing to start with keys that cannot read the data is its purpose."""
    try:
        found = keyring.problems()
    except DatabaseError as error:
        found = keyring.problems(with_database=False)
        messages: list[checks.CheckMessage] = [
            checks.Warning(
                f"无法连接数据库，未能核对个人信息密钥与已加密的数据 (database unreachable: {error})",
                id="shouhu_keys.W001",
            )
        ]
    else:
        messages = []
    messages += [checks.Error(p.message, hint=p.hint or None, id=p.check_id) for p in found]
    return messages


def register() -> None:
    checks.register(personal_data_keys_check, checks.Tags.security, checks.Tags.database, KEYS_TAG)


def refuse_to_serve_with_unusable_keys() -> None:
    """gunicorn runs no system checks: the WSGI module calls this, so a server with keys that
    cannot read the data fails to boot, with the check's message in its log."""
    errors = [
        message
        for message in checks.run_checks(tags=[KEYS_TAG])
        if message.is_serious() and not message.is_silenced()
    ]
    if errors:
        raise ImproperlyConfigured("\n".join(f"{e.id}: {e.msg} {e.hint or ''}".rstrip() for e in errors))
