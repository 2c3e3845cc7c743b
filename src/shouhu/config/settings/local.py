"""A developer's or a demo machine: SQLite under var/, debug on unless told otherwise."""

import os

from .base import *  # noqa: F403
from .base import SHOUHU_BLIND_INDEX_KEY, SHOUHU_FIELD_KEYS, VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "local-only-insecure-key-do-not-deploy"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

VAR_DIR.mkdir(parents=True, exist_ok=True)


def _local_personal_data_keys() -> tuple[list[str], str]:
    """A demo machine keeps its own keys in var/ (created once, never committed)."""
    import json

    from cryptography.fernet import Fernet

    path = VAR_DIR / "personal-data-keys.json"
    if not path.exists():
        path.write_text(
            json.dumps(
                {"field_keys": [Fernet.generate_key().decode()], "index_key": Fernet.generate_key().decode()}
            )
        )
        path.chmod(0o600)
    stored = json.loads(path.read_text())
    return stored["field_keys"], stored["index_key"]


if not SHOUHU_FIELD_KEYS or not SHOUHU_BLIND_INDEX_KEY:
    SHOUHU_FIELD_KEYS, SHOUHU_BLIND_INDEX_KEY = _local_personal_data_keys()
