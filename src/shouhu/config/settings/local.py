"""A developer's or a demo machine: SQLite under var/, debug on unless told otherwise."""

import os

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "local-only-insecure-key-do-not-deploy"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
