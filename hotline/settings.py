"""hotline settings: one file, driven by environment variables, failing loudly on bad values.

Environment (README §3 is the operator's list; ``deploy/hotline.env`` the example):

* ``HOTLINE_DEBUG`` — ``true``/``false`` (also 1/0, yes/no); anything else is an error.
  Default true: a fresh clone runs with ``make run``.  Production sets false.
* ``HOTLINE_SECRET_KEY`` (or ``HOTLINE_SECRET_KEY_FILE``) — required when debug is off
  (at least 50 characters); in debug a key is generated into ``VAR_DIR/secret_key``.
* ``HOTLINE_ALLOWED_HOSTS`` — comma-separated; required when debug is off (``*`` refused).
* ``HOTLINE_DATABASE_URL`` — ``sqlite:///path`` (default ``VAR_DIR/hotline.sqlite3``) or
  ``postgres://user@host:port/db``.
* ``HOTLINE_REDIS_URL`` — ``redis://host:port/db``; when set, background tasks use Redis.
* ``HOTLINE_VAR_DIR`` — the SQLite file, uploads, collected static files, the task queue.
  Default: ``var/`` of the checkout when running from one; when installed from the wheel,
  ``$STATE_DIRECTORY`` (systemd's ``StateDirectory=``) or else ``~/.local/share/hotline``.
* ``HOTLINE_HTTPS`` — ``true`` behind TLS: Secure cookies, HSTS, redirect to https, the
  proxy's ``X-Forwarded-Proto`` trusted, CSRF origins from the allowed hosts.
* ``HOTLINE_TRUSTED_PROXIES`` — IPs/CIDRs of the reverse proxies whose ``X-Forwarded-For``
  is believed (``hotline.common.client_ip``).
* ``HOTLINE_ACCESS_LOG`` — ``-`` (stdout, default), a file path, or ``off``.

Hardening (issue 15, docs/security.md): ``HOTLINE_LOGIN_FAILURES`` (5) wrong passwords lock a
username for one client address for ``HOTLINE_LOGIN_LOCKOUT_MINUTES`` (15);
``HOTLINE_SESSION_HOURS`` (12) staff session length; ``HOTLINE_API_TOKEN_DAYS`` (90) API token
lifetime; ``HOTLINE_PUBLIC_API_DOCS`` (default: on in debug only) lets anyone read /api/docs;
``HOTLINE_MAX_BODY_KB`` (1024) form/JSON body size; ``HOTLINE_PORTAL_MAX_FILES`` (9) and
``HOTLINE_PORTAL_MAX_TOTAL_MB`` (50) attachments per public submission;
``HOTLINE_MAX_IMAGE_MEGAPIXELS`` (40).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from hotline.common.client_ip import parse_networks
from hotline.rules import limits

BASE_DIR = Path(__file__).resolve().parent.parent
# Templates, static files, migrations and seed data ship inside the package.
PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
# A checkout (or an editable install of one) has the project files beside the package; an
# installed wheel has site-packages there.
IN_CHECKOUT = (BASE_DIR / "pyproject.toml").is_file() and (BASE_DIR / "manage.py").is_file()


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def envbool(name: str, default: bool) -> bool:
    """Read a boolean; anything but true/false/1/0/yes/no/on/off is a configuration error."""
    value = env(name)
    if value is None:
        return default
    v = value.strip().lower()
    if v in {"1", "true", "yes", "on"}:
        return True
    if v in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: expected true or false")


def envint(name: str, default: int, minimum: int = 0) -> int:
    value = env(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r}: must be at least {minimum}")
    return number


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


def default_var_dir(in_checkout: bool, environ: Mapping[str, str]) -> Path:
    """``var/`` of the checkout; for an installed wheel the service's state directory
    (systemd sets ``STATE_DIRECTORY`` from ``StateDirectory=``) or the user's data
    directory (``$XDG_DATA_HOME/hotline``, ``~/.local/share/hotline``) — never
    site-packages."""
    if in_checkout:
        return BASE_DIR / "var"
    state = environ.get("STATE_DIRECTORY")
    if state:
        return Path(state.split(":")[0])
    data_home = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "hotline"


VAR_DIR = (
    Path(env("HOTLINE_VAR_DIR") or default_var_dir(IN_CHECKOUT, os.environ)).expanduser().resolve()
)
try:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
except OSError as exc:
    raise ImproperlyConfigured(
        f"HOTLINE_VAR_DIR={str(VAR_DIR)!r}: cannot create the directory ({exc.strerror})"
    ) from None

DEBUG = envbool("HOTLINE_DEBUG", True)
# Demo data and the published demo credentials exist only when asked for in debug
# (``hotline demo``); decided here, once, so test runners that flip DEBUG do not change it.
HOTLINE_DEMO_ALLOWED = DEBUG

# Django's deployment check asks for 50 characters with at least 5 different ones.
PRODUCTION_SECRET_KEY_LENGTH = 50


def _secret_key() -> str:
    key = env("HOTLINE_SECRET_KEY")
    source = "HOTLINE_SECRET_KEY"
    key_path = env("HOTLINE_SECRET_KEY_FILE")
    if not key and key_path:
        source = "HOTLINE_SECRET_KEY_FILE"
        try:
            key = Path(key_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"HOTLINE_SECRET_KEY_FILE={key_path!r}: cannot read it ({exc.strerror})"
            ) from None
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured(f"{source} must be at least 32 characters")
        if not DEBUG and (len(key) < PRODUCTION_SECRET_KEY_LENGTH or len(set(key)) < 5):
            raise ImproperlyConfigured(
                f"{source} must be at least {PRODUCTION_SECRET_KEY_LENGTH} random characters "
                "when HOTLINE_DEBUG=false"
            )
        return key
    if not DEBUG:
        # The generated debug key under VAR_DIR is not used: production keys are chosen,
        # kept secret and the same on every app server.
        raise ImproperlyConfigured(
            "HOTLINE_SECRET_KEY (or HOTLINE_SECRET_KEY_FILE) must be set when HOTLINE_DEBUG=false"
        )
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()


def _allowed_hosts() -> list[str]:
    hosts = envlist("HOTLINE_ALLOWED_HOSTS")
    if DEBUG:
        return hosts or ["*"]
    if not hosts:
        raise ImproperlyConfigured(
            "HOTLINE_ALLOWED_HOSTS must be set when HOTLINE_DEBUG=false "
            "(the host names the centre is reached by, comma-separated)"
        )
    if "*" in hosts:
        raise ImproperlyConfigured(
            "HOTLINE_ALLOWED_HOSTS='*' is refused when HOTLINE_DEBUG=false: name the hosts"
        )
    return hosts


ALLOWED_HOSTS = _allowed_hosts()

# --- HTTPS and reverse proxies ----------------------------------------------------------

HTTPS = envbool("HOTLINE_HTTPS", False)


def _https_origins(hosts: list[str]) -> list[str]:
    """``12345.example.gov.cn`` → ``https://12345.example.gov.cn``; ``.example.gov.cn`` →
    ``https://*.example.gov.cn``."""
    out = []
    for host in hosts:
        if host == "*":
            continue
        out.append(f"https://*{host}" if host.startswith(".") else f"https://{host}")
    return out


CSRF_TRUSTED_ORIGINS = envlist("HOTLINE_CSRF_TRUSTED_ORIGINS")
if HTTPS:
    # TLS ends at the proxy, which says so in X-Forwarded-Proto (it must overwrite what a
    # client sent, and the app servers must be reachable only through it: deploy/nginx).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # a load balancer's plain-HTTP health probe is answered, not redirected
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$", r"^health$", r"^metrics$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("HOTLINE_HSTS_SECONDS", 31536000, 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("HOTLINE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("HOTLINE_HSTS_PRELOAD", True)
    CSRF_TRUSTED_ORIGINS += [
        o for o in _https_origins(ALLOWED_HOSTS) if o not in CSRF_TRUSTED_ORIGINS
    ]


def _trusted_proxies() -> tuple:
    value = env("HOTLINE_TRUSTED_PROXIES", "") or ""
    try:
        return parse_networks(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"HOTLINE_TRUSTED_PROXIES={value!r}: {exc}") from None


HOTLINE_TRUSTED_PROXIES = _trusted_proxies()

# --- database ---------------------------------------------------------------------------

SQLITE_OPTIONS = {
    # Several processes (web workers + the task worker) share one file: WAL lets readers run
    # beside the writer, IMMEDIATE takes the write lock at BEGIN so two writers queue on the
    # busy timeout instead of failing with "database is locked" on lock upgrade.
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": ("PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL"),
}


def _database() -> dict:
    url = env("HOTLINE_DATABASE_URL", f"sqlite:///{VAR_DIR / 'hotline.sqlite3'}")
    assert url is not None
    scheme = urlparse(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"HOTLINE_DATABASE_URL={url!r}: use sqlite:///path or postgres://user@host/db"
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=0 if scheme == "sqlite" else 60)
    except ValueError as exc:
        raise ImproperlyConfigured(f"HOTLINE_DATABASE_URL={url!r}: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
        # Tests use a file, not ":memory:", so threads and processes in the concurrency
        # tests go through the same WAL/IMMEDIATE path production does.
        config["TEST"] = {"NAME": env("HOTLINE_TEST_SQLITE_NAME", str(VAR_DIR / "test.sqlite3"))}
    else:
        config.setdefault("OPTIONS", {})
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis / background tasks -----------------------------------------------------------

REDIS_URL = env("HOTLINE_REDIS_URL")
if REDIS_URL and urlparse(REDIS_URL).scheme not in {"redis", "rediss", "unix"}:
    raise ImproperlyConfigured(
        f"HOTLINE_REDIS_URL={REDIS_URL!r}: use redis://host:port/db or rediss://…"
    )

# --- applications -----------------------------------------------------------------------

INSTALLED_APPS = [
    "hotline.admin_site.HotlineAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "hotline.common",
    "axes",
    "csp",
    "hotline.org",
    "hotline.catalog",
    "hotline.calendars",
    "hotline.orders",
    "hotline.supervision",
    "hotline.callbacks",
    "hotline.api",
    "hotline.demo",
    "hotline.analytics",
    "hotline.knowledge",
    "hotline.system",
    "hotline.web",
    "hotline.intelligence",
    "hotline.channels",
    "hotline.open311",
]

MIDDLEWARE = [
    "hotline.system.middleware.AccessLog",
    # the database or Redis not answering: 503 with Retry-After (hotline.common.unavailable)
    "hotline.common.unavailable.UnavailableMiddleware",
    # request counts and latency for /metrics (hotline.system.metrics)
    "hotline.system.metrics.RequestMetrics",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hotline.common.middleware.SecurityHeaders",
    "csp.middleware.CSPMiddleware",
    "hotline.common.middleware.LimitRequestBody",
    "hotline.system.middleware.RejectNullCharacters",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # last: turns a lock-out flagged during authentication into the lock-out answer
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hotline.urls"
WSGI_APPLICATION = "hotline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hotline.web.context.workbench",
            ],
        },
    },
]

AUTH_USER_MODEL = "org.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("HOTLINE_PASSWORD_MIN_LENGTH", 10, 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

# Brute force (django-axes, shared through the database by every app server): a username
# is locked for one client address after this many wrong passwords, on /login/,
# /admin/login/ and POST /api/v1/auth/token alike; an administrator unlocks it in the admin
# (用户 → 解除登录锁定) or by waiting.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("HOTLINE_LOGIN_FAILURES", 5, 1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("HOTLINE_LOGIN_LOCKOUT_MINUTES", 15, 1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "hotline.common.lockout.client_address"  # ratelimit.client_ip
AXES_LOCKOUT_CALLABLE = "hotline.common.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# A try during the lock-out neither extends it nor counts again: one lock-out, one log line.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the access log, not a table

# Content-Security-Policy (django-csp 4): everything from this origin, no inline script or
# style (templates carry none: static files), no eval (htmx.config.allowEval is off,
# ECharts draws on a canvas), no framing.  Bootstrap's form controls draw with data: SVGs;
# photo previews use blob: URLs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

SESSION_COOKIE_AGE = envint("HOTLINE_SESSION_HOURS", 12, 1) * 3600
HOTLINE_API_TOKEN_DAYS = envint("HOTLINE_API_TOKEN_DAYS", 90, 1)
# Swagger UI and the schema are for staff: public only in debug unless switched on.
HOTLINE_PUBLIC_API_DOCS = envbool("HOTLINE_PUBLIC_API_DOCS", DEBUG)

# --- i18n / time ------------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"  # display and calendar; the database stores UTC
USE_I18N = True
USE_TZ = True

# --- files ------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"


def _file_storage() -> dict:
    """Where attachments go: the filesystem under ``MEDIA_ROOT`` (default), or an
    S3-compatible service with ``HOTLINE_STORAGE=s3`` (needs the optional ``s3`` extra,
    django-storages).  Files are never served from the bucket directly: downloads go through
    the app, which checks who may see the order; keep the bucket private."""
    kind = (env("HOTLINE_STORAGE", "filesystem") or "").strip().lower()
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"HOTLINE_STORAGE={kind!r}: expected filesystem or s3")
    try:
        import storages  # noqa: F401
    except ImportError:
        raise ImproperlyConfigured(
            "HOTLINE_STORAGE=s3 needs django-storages: pip install 'hotline[s3]'"
        ) from None
    bucket = env("HOTLINE_S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("HOTLINE_STORAGE=s3: set HOTLINE_S3_BUCKET")
    options = {
        "bucket_name": bucket,
        "endpoint_url": env("HOTLINE_S3_ENDPOINT_URL"),
        "region_name": env("HOTLINE_S3_REGION"),
        "access_key": env("HOTLINE_S3_ACCESS_KEY"),
        "secret_key": env("HOTLINE_S3_SECRET_KEY"),
        "location": env("HOTLINE_S3_PREFIX", "") or "",
        "default_acl": "private",
        "file_overwrite": False,
    }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {k: v for k, v in options.items() if v is not None},
    }


STORAGES = {
    "default": _file_storage(),
    # hashed names + gzip/brotli, a year's cache for hashed files (hotline.common.staticfiles)
    # world-readable, unlike stored uploads (FILE_UPLOAD_PERMISSIONS): nginx serves them
    "staticfiles": {
        "BACKEND": "hotline.common.staticfiles.Storage",
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}
WHITENOISE_USE_FINDERS = True
# A form or JSON body (files aside) larger than this is refused with 413 before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("HOTLINE_MAX_BODY_KB", 1024, 64) * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploads are hashed as they arrive and a big one is read at a bounded pace, so a few
# large videos cannot take a small server's CPU from text intake (hotline.common.uploads).
FILE_UPLOAD_HANDLERS = [
    "hotline.common.uploads.MemoryHandler",
    "hotline.common.uploads.TemporaryFileHandler",
]
HOTLINE_UPLOAD_MB_PER_S = envint("HOTLINE_UPLOAD_MB_PER_S", 10, 0)
HOTLINE_UPLOAD_BURST_MB = envint("HOTLINE_UPLOAD_BURST_MB", 5, 0)
# Stored files: readable by the service's user and group only, never by the world; they
# are served only by the permission-checked download views, never from MEDIA_ROOT.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# Upload limits per attachment kind (bytes), §6.1.2.
HOTLINE_ATTACHMENT_LIMITS = {
    "voice": envint("HOTLINE_MAX_VOICE_MB", 20, 1) * 1024 * 1024,
    "image": envint("HOTLINE_MAX_IMAGE_MB", 10, 1) * 1024 * 1024,
    "video": envint("HOTLINE_MAX_VIDEO_MB", 200, 1) * 1024 * 1024,
    "document": envint("HOTLINE_MAX_DOCUMENT_MB", 20, 1) * 1024 * 1024,
}
# Pixels an image may have: beyond it (or beyond Pillow's decompression-bomb check) it is
# refused, so a tiny file cannot expand into gigabytes in a browser or a thumbnailer.
HOTLINE_MAX_IMAGE_PIXELS = (
    envint("HOTLINE_MAX_IMAGE_MEGAPIXELS", limits.IMAGE_MAX_MEGAPIXELS, 1) * 1_000_000
)
# One public submission (portal, Open311, channel API): at most this many files and bytes.
HOTLINE_PUBLIC_UPLOADS = {
    "max_files": envint("HOTLINE_PORTAL_MAX_FILES", limits.PUBLIC_MAX_FILES, 1),
    "max_total": envint("HOTLINE_PORTAL_MAX_TOTAL_MB", limits.PUBLIC_MAX_TOTAL_MB, 1) * 1024 * 1024,
}

# --- the centre's policy (limits the standard leaves to the centre) ---------------------

HOTLINE_POLICY = {
    "sign_working_days": envint("HOTLINE_SIGN_WORKING_DAYS", 1),
    "emergency_sign_minutes": envint("HOTLINE_EMERGENCY_SIGN_MINUTES", 30, 1),
    # §6.2 + §6.4.4 as this centre reads them: emergency orders reviewed within minutes
    "emergency_dispatch_minutes": envint("HOTLINE_EMERGENCY_DISPATCH_MINUTES", 30, 1),
    "callback_working_days": envint("HOTLINE_CALLBACK_WORKING_DAYS", 2),
    "reverify_working_days": envint("HOTLINE_REVERIFY_WORKING_DAYS", 2),
    "warning_share": envint("HOTLINE_WARNING_PERCENT", 75, 1) / 100,
    "max_callback_attempts": envint("HOTLINE_MAX_CALLBACK_ATTEMPTS", 3, 1),
}
if not 0 < HOTLINE_POLICY["warning_share"] < 1:
    raise ImproperlyConfigured("HOTLINE_WARNING_PERCENT must be between 1 and 99")

HOTLINE_CENTRE_NAME = env("HOTLINE_CENTRE_NAME", "乌海市12345政务服务便民热线") or ""

# --- privacy (PIPL; docs/privacy.md) -------------------------------------------------------
# Years after an order is finished (closed or not accepted) before the citizen's personal
# data is anonymised by ``hotline privacy purge`` and the worker's monthly task.
HOTLINE_RETENTION_YEARS = envint("HOTLINE_RETENTION_YEARS", 5, 1)
# Whom citizens contact about their personal information (the portal's privacy notice).
HOTLINE_PRIVACY_CONTACT = (
    env("HOTLINE_PRIVACY_CONTACT", "拨打 12345 热线，或到热线中心窗口办理") or ""
)


def _tiers(value: str | None) -> list[tuple[float, str, str]] | None:
    """``HOTLINE_ASSESSMENT_TIERS=90,80,60``: the lowest scores of 优秀, 良好 and 一般
    (docs/assessment.md); unset: the defaults of ``hotline.analytics.assessment``."""
    if value is None:
        return None
    try:
        cuts = [float(v) for v in value.split(",")]
    except ValueError:
        cuts = []
    if len(cuts) != 3 or not 100 >= cuts[0] > cuts[1] > cuts[2] >= 0:
        raise ImproperlyConfigured(
            f"HOTLINE_ASSESSMENT_TIERS={value!r}: expected three falling scores, e.g. 90,80,60"
        )
    return list(zip(cuts, ("excellent", "good", "fair"), ("优秀", "良好", "一般"), strict=True))


# Limits other parts read with a default of their own; each can be set from the environment.
_tiers_value = _tiers(env("HOTLINE_ASSESSMENT_TIERS"))
if _tiers_value is not None:
    HOTLINE_ASSESSMENT_TIERS = _tiers_value
# Units with fewer orders to sign in the period are listed in 单位考核 but not ranked.
HOTLINE_ASSESSMENT_MIN_ORDERS = envint("HOTLINE_ASSESSMENT_MIN_ORDERS", 5, 0)
HOTLINE_HOTSPOT_MAX_RECORDS = envint("HOTLINE_HOTSPOT_MAX_RECORDS", 20_000, 100)
HOTLINE_CHANNEL_MAX_FILES = envint("HOTLINE_CHANNEL_MAX_FILES", 9, 1)
HOTLINE_CHANNEL_TRACK_PER_MINUTE = envint("HOTLINE_CHANNEL_TRACK_PER_MINUTE", 20, 1)
HOTLINE_OPEN311_READS_PER_MINUTE = envint("HOTLINE_OPEN311_READS_PER_MINUTE", 120, 1)

# --- supervision: the sweep, the ladder, the outbox (§6.5, §6.4.4; docs/supervision.md) ---

HOTLINE_TASKS = {
    # huey: Redis storage when HOTLINE_REDIS_URL is set, else this SQLite file
    "sqlite_path": VAR_DIR / "tasks.sqlite3",
    "immediate": envbool("HOTLINE_TASKS_IMMEDIATE", False),  # run tasks in-process (tests)
    "sweep_minutes": envint("HOTLINE_SWEEP_MINUTES", 1, 1),
}
HOTLINE_SUPERVISION = {
    # A ladder starts once the order is overdue (§6.5: 督办 is for overdue orders) and this
    # many minutes have passed: working-day time for general orders, clock time for
    # emergency orders.  The rungs themselves are admin-editable (LadderStep).
    "general_start_after_minutes": envint("HOTLINE_LADDER_START_AFTER_MINUTES", 240, 0),
    "emergency_start_after_minutes": envint("HOTLINE_EMERGENCY_LADDER_START_AFTER_MINUTES", 0, 0),
    "reminder_channels": {"warning": ["system"], "overdue": ["system", "sms"]},
    "emergency_report_window_hours": 48,
}
# --- health and metrics (docs/operations.md) ----------------------------------------------
# /health fails when the oldest message waiting in the outbox is older than this
HOTLINE_HEALTH_OUTBOX_MAX_AGE_MINUTES = envint("HOTLINE_HEALTH_OUTBOX_MAX_AGE_MINUTES", 30, 1)
# /metrics answers only with "Authorization: Bearer <this>"; unset: open in debug, off (404)
# otherwise
HOTLINE_METRICS_TOKEN = env("HOTLINE_METRICS_TOKEN", "") or ""

HOTLINE_OUTBOX = {
    "gateway": env("HOTLINE_MESSAGE_GATEWAY", "file"),  # file | console | http | dotted.Class
    "url": env("HOTLINE_MESSAGE_GATEWAY_URL"),
    "token": env("HOTLINE_MESSAGE_GATEWAY_TOKEN"),
    "timeout_seconds": envint("HOTLINE_MESSAGE_GATEWAY_TIMEOUT", 10, 1),
    "dir": VAR_DIR / "outbox",
    # where a sender on SQLite keeps the lock files of its claims (hotline.supervision.claims)
    "claims_dir": VAR_DIR / "outbox-claims",
    "max_attempts": envint("HOTLINE_OUTBOX_MAX_ATTEMPTS", 8, 1),
    "retry_base_seconds": envint("HOTLINE_OUTBOX_RETRY_SECONDS", 30, 1),
    "retry_max_seconds": 3600,
    "lease_seconds": envint("HOTLINE_OUTBOX_LEASE_SECONDS", 120, 10),
}
if HOTLINE_OUTBOX["gateway"] == "http" and not HOTLINE_OUTBOX["url"]:
    raise ImproperlyConfigured("HOTLINE_MESSAGE_GATEWAY=http needs HOTLINE_MESSAGE_GATEWAY_URL")

# --- smart callback and citizen notifications (§6.8.2; docs/callback.md) -----------------


def _sms_providers() -> dict[str, str]:
    """``HOTLINE_SMS_PROVIDER_SECRETS=name:secret,name2:secret2`` — the HMAC secret each SMS
    provider signs its inbound deliveries with (and ours to it are signed with)."""
    out: dict[str, str] = {}
    for item in (env("HOTLINE_SMS_PROVIDER_SECRETS", "") or "").split(","):
        if not item.strip():
            continue
        name, _, secret = item.strip().partition(":")
        if not name or not name.replace("-", "").replace("_", "").isalnum():
            raise ImproperlyConfigured(
                f"HOTLINE_SMS_PROVIDER_SECRETS: provider name {name!r} must be letters, "
                "digits, - or _"
            )
        if len(secret) < 16:
            raise ImproperlyConfigured(
                f"HOTLINE_SMS_PROVIDER_SECRETS: the secret of {name!r} must be at least "
                "16 characters"
            )
        out[name] = secret
    return out


HOTLINE_CALLBACK = {
    # who hears what: SMS to the citizen at acceptance, at the unit's reply and at closing
    "notify_citizens": envbool("HOTLINE_NOTIFY_CITIZENS", True),
    # SMS / WeChat surveys picked by the callback policy (otherwise every callback is manual)
    "smart_callback": envbool("HOTLINE_SMART_CALLBACK", True),
    # a survey without an answer after this many hours goes to a callback agent
    "survey_hours": envint("HOTLINE_SURVEY_HOURS", 24, 1),
    "max_followups": envint("HOTLINE_SURVEY_FOLLOWUPS", 1, 0),
    # the tracking link in the acceptance SMS stays valid this long
    "tracking_link_days": envint("HOTLINE_TRACKING_LINK_DAYS", 180, 1),
    # links in messages start with this (no link when empty), e.g. https://12345.example.gov.cn
    "public_url": (env("HOTLINE_PUBLIC_URL", "http://127.0.0.1:8000" if DEBUG else "") or "")
    .strip()
    .rstrip("/"),
    "sms_signature": env("HOTLINE_SMS_SIGNATURE", "【12345】"),
    # inbound SMS (POST /api/v1/channel/sms/inbound): per-provider HMAC secrets, replay window
    "providers": _sms_providers(),
    "replay_window_seconds": envint("HOTLINE_SMS_REPLAY_WINDOW_SECONDS", 300, 30),
    # the provider our own gateway sends through (hotline.callbacks.gateways)
    "send_provider": env("HOTLINE_SMS_SEND_PROVIDER", ""),
}
if HOTLINE_CALLBACK["send_provider"] and (
    HOTLINE_CALLBACK["send_provider"] not in HOTLINE_CALLBACK["providers"]
):
    raise ImproperlyConfigured(
        "HOTLINE_SMS_SEND_PROVIDER names a provider without a secret in "
        "HOTLINE_SMS_PROVIDER_SECRETS"
    )

# A channel submission sent without an Idempotency-Key is keyed by its fingerprint for this
# many minutes: a retry after a time-out returns the first order (docs/channels.md §3).
HOTLINE_CHANNEL_IMPLICIT_KEY_MINUTES = envint("HOTLINE_CHANNEL_IMPLICIT_KEY_MINUTES", 10, 0)

# --- workbench and citizen portal (hotline.web) ------------------------------------------

HOTLINE_WEB = {
    "page_size": envint("HOTLINE_WEB_PAGE_SIZE", 30, 5),
    # Citizen portal guards against enumeration and flooding, per client address.
    "portal_track_failures": envint("HOTLINE_PORTAL_TRACK_FAILURES", 10, 1),
    "portal_submissions": envint("HOTLINE_PORTAL_SUBMISSIONS", 10, 1),
    "portal_window_minutes": envint("HOTLINE_PORTAL_WINDOW_MINUTES", 60, 1),
}

# --- security headers -------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# --- logs -------------------------------------------------------------------------------
# Application logs go to stderr; the access log (one line per request, hotline.system.
# middleware.AccessLog: time, client address, user id, method, path without query values,
# status, duration) to stdout by default, a file, or nowhere.  Every handler masks phone
# and ID-card numbers (hotline.common.logs).

LOG_LEVEL = (env("HOTLINE_LOG_LEVEL", "INFO") or "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"HOTLINE_LOG_LEVEL={LOG_LEVEL!r}: expected DEBUG, INFO, WARNING, ERROR or CRITICAL"
    )
ACCESS_LOG = env("HOTLINE_ACCESS_LOG", "-") or "-"


def _access_handler() -> dict:
    if ACCESS_LOG.lower() in {"off", "none", "false"}:
        return {"class": "logging.NullHandler"}
    if ACCESS_LOG == "-":
        return {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "access",
            "filters": ["personal_data"],
        }
    path = Path(ACCESS_LOG).expanduser()
    if not path.is_absolute() or not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
        raise ImproperlyConfigured(
            f"HOTLINE_ACCESS_LOG={ACCESS_LOG!r}: expected -, off, or an absolute path in a "
            "writable directory"
        )
    # WatchedFileHandler reopens the file after logrotate moves it
    return {
        "class": "logging.handlers.WatchedFileHandler",
        "filename": str(path),
        "encoding": "utf-8",
        "formatter": "access",
        "filters": ["personal_data"],
    }


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "hotline.common.logs.MaskPersonalData"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "access": {"format": "%(asctime)s %(message)s", "datefmt": "%Y-%m-%dT%H:%M:%S%z"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["personal_data"],
        },
        "access": _access_handler(),
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # Django's own console handler (debug only) would bypass the masking filter
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "hotline": {"level": LOG_LEVEL},
        "hotline.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        # hotline.security writes the one line per lock-out; axes' own lines would repeat it
        "axes": {"level": "ERROR"},
    },
}
