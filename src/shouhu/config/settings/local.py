"""A developer's or a demo machine: SQLite under var/, debug on unless told otherwise."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "local-only-insecure-key-do-not-deploy"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

VAR_DIR.mkdir(parents=True, exist_ok=True)

# Without SHOUHU_FIELD_KEYS and SHOUHU_BLIND_INDEX_KEY a demo machine keeps its own keys in this
# file (never committed). It is made on first use, and only for a database that holds no personal
# data yet: the database cannot be reached while settings load, so the decision is made there
# (common.keyring.local_keys). A database restored without this file is refused, not given keys
# that could never read it.
SHOUHU_LOCAL_KEYS_FILE = str(VAR_DIR / "personal-data-keys.json")
