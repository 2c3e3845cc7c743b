"""Production: every secret from the environment, HTTPS behind a reverse proxy."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

if not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured("SECRET_KEY 环境变量未设置 (SECRET_KEY is not set)")

if not SHOUHU_FIELD_KEYS or not SHOUHU_BLIND_INDEX_KEY:  # noqa: F405
    raise ImproperlyConfigured(
        "个人信息密钥未设置：SHOUHU_FIELD_KEYS 和 SHOUHU_BLIND_INDEX_KEY (personal-data keys are not set)"
    )

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
