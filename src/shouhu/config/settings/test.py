"""The test suite: a fast hasher, an in-memory cache, static files from the finders."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "progress"},
}
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
ALLOWED_HOSTS = ["*"]
if DATABASES["default"]["ENGINE"] == "shouhu.common.sqlite" and not os.environ.get(  # noqa: F405
    "DATABASE_URL"
):
    # ":memory:" by name: pytest-django leaves it alone under xdist (each worker is its own process
    # with its own database); for another name it would add a per-worker file suffix.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Test-only keys: they protect nothing but the test database.
SHOUHU_FIELD_KEYS = ["2cXvCj3kzK0Hq0G3pQ2bU1n8lS7yH9fW4eR6tY5uI0o="]
SHOUHU_BLIND_INDEX_KEY = "test-only-blind-index-key-protects-nothing"

# Evidence files written by tests go to a directory of the test run, never to the project's var/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="shouhu-test-media-"))
