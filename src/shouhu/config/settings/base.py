"""Settings shared by every environment; each value can be set from the environment."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

# --- Paths -------------------------------------------------------------------------------
PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent  # src/shouhu
PROJECT_DIR = Path(os.environ.get("SHOUHU_PROJECT_DIR", PACKAGE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("SHOUHU_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core ----------------------------------------------------------------------------------
SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A stale or foreign form gets a Chinese page (never Django's English one with its DEBUG hint).
CSRF_FAILURE_VIEW = "shouhu.common.error_views.csrf_failure"
ROOT_URLCONF = "shouhu.config.urls"
WSGI_APPLICATION = "shouhu.config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

INSTALLED_APPS = [
    # django.contrib.admin, with the admin site behind the login lockout (accounts.lockout).
    "shouhu.accounts.admin_config.ShouhuAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "treebeard",
    # django-auditlog and django-tasks-db under names in the reader's language (config/vendor_apps).
    "shouhu.config.vendor_apps.ShouhuAuditlogConfig",
    "django_tasks",
    "shouhu.config.vendor_apps.ShouhuTasksConfig",
    "shouhu.common",
    "shouhu.accounts",
    "shouhu.orgs",
    "shouhu.campaigns",
    "shouhu.people",
    "shouhu.vaccination",
    "shouhu.screening",
    "shouhu.alerts",
    "shouhu.notifications",
    "shouhu.eldercare",
    "shouhu.marriage",
    "shouhu.inquiries",
    "shouhu.assistance",
    "shouhu.funerals",
    "shouhu.evidence",
    "shouhu.rectification",
    "shouhu.training",
    "shouhu.community",
    "shouhu.gatherings",
    "shouhu.rescue",
    "shouhu.staffing",
    "shouhu.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files are answered before it and need no policy.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "shouhu.common.middleware.PageMethodsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication, and after WhiteNoise (static files stay cacheable).
    "shouhu.common.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # auditlog's actor and address for the request (ours: the address as limits see it).
    "shouhu.common.middleware.AuditMiddleware",
    # Last: a view's "database is locked" becomes a 503 "please retry", not a server error.
    "shouhu.common.error_views.DatabaseBusyMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shouhu.campaigns.context_processors.current_phase",
                "shouhu.accounts.context_processors.navigation",
                "shouhu.alerts.context_processors.unread_alerts",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
# SQLite for a single machine and the demo; PostgreSQL (DATABASE_URL) in production.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'shouhu.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    # Values travel apart from the statement (server-side binding), so psycopg can prepare a
    # statement that a connection has run five times: PostgreSQL then stops parsing and planning
    # it again. The booking and screening paths run the same dozen statements on every request
    # (bench/README.md). Django turns preparing off by default for PgBouncer in transaction mode,
    # which keeps no prepared statements before 1.21 or with max_prepared_statements = 0: set the
    # variable to 0 there. The options are added to those DATABASE_URL may carry (sslmode, …).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's own backend, with the parameters per statement SQLite allows (common/sqlite).
    DATABASES["default"]["ENGINE"] = "shouhu.common.sqlite"
    # WAL lets readers work while a writer commits; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on busy_timeout instead of failing with "database is locked" mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# --- Cache ---------------------------------------------------------------------------------
# The database cache is shared by every app server behind one database, so login throttling
# counts failures across all of them without another service.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "shouhu_cache",
    },
    # Import progress is written while the import's own transaction is open, so it must not
    # go to the database: files under var/, shared by the web server and the task worker.
    "progress": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("SHOUHU_PROGRESS_DIR", str(VAR_DIR / "progress")),
    },
}

# --- Authentication and sessions ------------------------------------------------------
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Every password login (login page, admin, API token) goes through the login lockout: at most
# LOGIN_FAILURE_LIMIT attempts per account and per client address, counted before the password
# is checked, until LOGIN_FAILURE_WINDOW_SECONDS have passed since the last (accounts.lockout).
AUTHENTICATION_BACKENDS = ["shouhu.accounts.backends.LockoutModelBackend"]
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))
# Behind a reverse proxy that overwrites X-Forwarded-For with the client's address (README).
SHOUHU_BEHIND_PROXY = env_bool("SHOUHU_BEHIND_PROXY", False)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Content Security Policy ----------------------------------------------------------
# The pages load only their own static files (Bootstrap, Bootstrap Icons, ECharts, htmx, the
# project's CSS and JS), so nothing else may load or run: no inline script, event handler or style
# (site.js and site.css carry them), no other host. data: images are Bootstrap's own SVG icons
# (select arrows, check marks) in its CSS. The API docs add what Swagger UI and ReDoc need on
# their own pages (config/urls.py); the 500 page sends its own policy (common/error_views.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Static files --------------------------------------------------------------------------
# Front-end packages come from npm at install time (node_modules) and are served locally.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
NODE_MODULES = Path(os.environ.get("SHOUHU_NODE_MODULES", PROJECT_DIR / "node_modules"))
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
# Evidence files (photos, scans, documents of work done): the largest one kept, in bytes.
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    # Each API class names the permission code of each method it handles; a method it does not
    # name is refused, so an endpoint that forgets its declaration is closed, not open.
    "DEFAULT_PERMISSION_CLASSES": ["shouhu.common.permissions.MethodPermission"],
    # JSON only: the browsable API's renderer cost 0.4 ms on every request even when JSON was
    # chosen (measured on the booking endpoint); the documentation pages describe the API.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "shouhu.common.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "shouhu.common.schema.ShouhuAutoSchema",
    "EXCEPTION_HANDLER": "shouhu.common.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
    # DRF's throttles key on the client address. Unset, DRF would take it from X-Forwarded-For,
    # which a client reaching the server directly can rotate at will; behind the proxy, which
    # overwrites that header, the one address in it is the client's (shouhu.common.clients).
    "NUM_PROXIES": 1 if SHOUHU_BEHIND_PROXY else 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "守护 Shouhu API",
    "DESCRIPTION": "民政系统疫情防控“百日平安守护行动”信息系统接口",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "IsolationKindEnum": "shouhu.screening.models.IsolationKind",
        "UnitStatusEnum": "shouhu.orgs.models.UnitStatus",
        "IdTypeEnum": "shouhu.people.models.IdType",
        "ContraindicationSourceEnum": "shouhu.vaccination.models.ContraindicationSource",
        "RecipientKindEnum": "shouhu.marriage.models.RecipientKind",
        "LevelEnum": "shouhu.screening.models.RiskLevel",
        "AssistanceLevelEnum": "shouhu.assistance.models.Level",
        "IncomeKindEnum": "shouhu.assistance.models.IncomeKind",
        "PaymentKindEnum": "shouhu.assistance.models.PaymentKind",
        "PaymentStatusEnum": "shouhu.assistance.models.PaymentStatus",
        "ApplicationStatusEnum": "shouhu.assistance.models.ApplicationStatus",
        "ApplicableStandingEnum": "shouhu.assistance.models.APPLICABLE_STANDINGS",
        "NonHeadRelationEnum": "shouhu.assistance.models.NON_HEAD_RELATIONS",
        "StandingEnum": "shouhu.assistance.models.Standing",
        "RelationEnum": "shouhu.assistance.models.Relation",
        "FindingStatusEnum": "shouhu.rectification.models.FindingStatus",
        "FindingEventKindEnum": "shouhu.rectification.models.EventKind",
        "GatheringStatusEnum": "shouhu.gatherings.models.GatheringStatus",
        "GatheringKindEnum": "shouhu.gatherings.models.GatheringKind",
        "GatheringTestResultEnum": "shouhu.gatherings.models.TestResult",
        "RescuedStatusEnum": "shouhu.rescue.models.RescuedStatus",
        "ReturnStatusEnum": "shouhu.rescue.models.ReturnStatus",
        "RescueTransportEnum": "shouhu.rescue.models.Transport",
        "ProvisionKindEnum": "shouhu.rescue.models.ProvisionKind",
        "AssignmentKindEnum": "shouhu.rescue.models.AssignmentKind",
        "IncidentKindEnum": "shouhu.rescue.models.IncidentKind",
        "GenderEnum": "shouhu.people.models.Gender",
        "PpeItemEnum": "shouhu.funerals.models.PPEItem",
        "StockMovementKindEnum": "shouhu.funerals.models.MovementKind",
        "SupplyItemEnum": "shouhu.community.models.SupplyItem",
        "RosterRoleEnum": "shouhu.community.models.RosterRole",
        "TrainingAudienceEnum": "shouhu.training.models.Audience",
        "LeaveKindEnum": "shouhu.staffing.models.LeaveKind",
        "StaffingTransportEnum": "shouhu.staffing.models.Transport",
    },
}

# --- Background tasks -------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

# Files with more rows than this are checked and imported by the background worker.
SHOUHU_IMPORT_INLINE_ROWS = int(os.environ.get("SHOUHU_IMPORT_INLINE_ROWS", "2000"))
# A running import that has not reported progress for this long is shown as interrupted.
SHOUHU_IMPORT_STALE_SECONDS = int(os.environ.get("SHOUHU_IMPORT_STALE_SECONDS", "120"))
# A task worker that has not beaten for this long is dead: /healthz says "stale", and a live
# worker takes over its running task (common.workers). It beats every sixth of this period.
SHOUHU_WORKER_STALE_SECONDS = int(os.environ.get("SHOUHU_WORKER_STALE_SECONDS", "60"))
# How many times a task is started before a task whose worker keeps dying is marked failed.
SHOUHU_TASK_MAX_ATTEMPTS = int(os.environ.get("SHOUHU_TASK_MAX_ATTEMPTS", "3"))
# An import (or its dry run) still running after this long stops, rolls back and fails with a
# message. Sized for the largest file allowed (200,000 rows) through the bulk importer (people);
# the row-by-row importers (doses, isolations) manage about a tenth of that rate.
SHOUHU_IMPORT_MAX_SECONDS = int(os.environ.get("SHOUHU_IMPORT_MAX_SECONDS", "1800"))

# --- Entry screening (S4) -------------------------------------------------------------------
# The address printed in venue codes (e.g. https://shouhu.example.org); empty: the address the
# poster page was opened at. Set it when staff reach the server by another name than the public.
SHOUHU_PUBLIC_BASE_URL = os.environ.get("SHOUHU_PUBLIC_BASE_URL", "")

# --- Audit ---------------------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# --- Logging -------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A refused page is one line (path and user id), not a traceback (common/log_filters.py).
    "filters": {"permission_denied": {"()": "shouhu.common.log_filters.PermissionDeniedOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {"django.request": {"filters": ["permission_denied"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Personal data (X2) -----------------------------------------------------------------
# Fernet keys, newest first, and the blind-index key: never derived from SECRET_KEY.
SHOUHU_FIELD_KEYS = env_list("SHOUHU_FIELD_KEYS")
SHOUHU_BLIND_INDEX_KEY = os.environ.get("SHOUHU_BLIND_INDEX_KEY", "")
# Where a `local` install keeps its own keys when the two above are not set (empty: nowhere).
SHOUHU_LOCAL_KEYS_FILE = ""
AUDITLOG_MASK_CALLABLE = "shouhu.people.masking.mask_any"

# --- Shouhu ----------------------------------------------------------------------------------
SHOUHU_SITE_NAME = _("守护")
