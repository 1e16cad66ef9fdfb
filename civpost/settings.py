"""The one settings module: every deployment difference is an environment variable.

Defaults are the safe production ones (DEBUG off, HTTPS-only cookies); `make run`
and the test suite switch them for local use.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from import_export.formats.base_formats import CSV, XLSX
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for local development).")
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "apps.accounts",  # before the admin, so that its password pages (registration/*.html) are the portal's
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "import_export",
    "treebeard",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "pgtrigger",
    "civpost",
    "apps.audit",
    "apps.organizations",
    "apps.collectives",
    "apps.notifications",
    "apps.evaluations",
    "apps.activities",
    "apps.directory",
    "apps.stats",
    "apps.complaints",
    "apps.rechecks",
    "apps.imports",
    "apps.exports",
    "apps.privacy",
    "apps.workbench",
    "apps.security",  # after accounts and the django-otp plugins: its admin replaces theirs
    "apps.benchmarks",  # seed_scale: the data the benchmarks measure (no models)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "civpost.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.security.trail.SecurityTrailMiddleware",
    "apps.security.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "civpost.middleware.RequestSizeLimitMiddleware",
    "civpost.db_routers.PublicReadsMiddleware",
    "apps.accounts.sessions.IdleSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it turns a lockout raised by the login into the lockout page
]

ROOT_URLCONF = "civpost.urls"
# Every form: required marks and Chinese label punctuation (civpost/forms.py).
FORM_RENDERER = "civpost.forms.FormRenderer"
FILTERS_EMPTY_CHOICE_LABEL = _("Choose…")
WSGI_APPLICATION = "civpost.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civpost.context_processors.navigation",
                "civpost.context_processors.display",
                "apps.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# SQLite file in the project is the embedded default; production sets
# DATABASE_URL=postgres://user:password@host:5432/civpost
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# The queries of pages a visitor may be the first to open are prepared once per PostgreSQL session
# (civpost/compiled.py); off behind a connection pooler in transaction mode, which shares sessions.
PREPARE_COMPILED_QUERIES = env.bool("PREPARE_COMPILED_QUERIES", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait their turn instead of failing with "database is locked": every transaction takes the
    # write lock when it begins (so a decision reads the state the previous writer left, as PostgreSQL's row locks
    # give), a writer waits up to SQLITE_TIMEOUT seconds for it, and WAL lets readers go on meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_TIMEOUT", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Optional read replica: public pages (civpost/db_routers.py) read from it; everything else uses the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {**env.db("DATABASE_REPLICA_URL"), "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"]}
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["civpost.db_routers.PublicPagesToReplica"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "civpost.cache.RedisCache"  # the same, without a new client per operation
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # Each process keeps its own: room for the pages of the posts it serves (a few kB each) and the directory's
    # counts and results, beyond the default of 300 entries. Production shares one cache: CACHE_URL=redis://...
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 10_000)

# Statistics pages read snapshots that the scheduler (`manage.py run_scheduler`) recomputes every 5 minutes; one
# older than this many seconds is recomputed by the request that finds it (apps/stats/figures.py).
STATS_MAX_AGE = env.int("STATS_MAX_AGE", default=600)
# Volunteer hours one person can plausibly serve over all their reports; above either, staff verify the report's
# hours (apps/activities/workflow.py).
VOLUNTEER_HOURS_PER_DAY = env.int("VOLUNTEER_HOURS_PER_DAY", default=12)
VOLUNTEER_HOURS_PER_MONTH = env.int("VOLUNTEER_HOURS_PER_MONTH", default=120)

# Sessions in the database by default; with several app servers and Redis, cached_db reads them from the shared
# cache and keeps them in the database (deploy/README.md).
SESSION_ENGINE = env.str("SESSION_ENGINE", default="django.contrib.sessions.backends.db")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address before any password check
    "apps.accounts.backends.UsernameOrPhoneBackend",
]
# Passwords chosen in a form (sign-up, change, reset, invitation): 8 characters or more from 3 of the 4 classes,
# never containing the username or the phone number. Demo and test accounts are created directly and keep theirs.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "apps.accounts.validators.PasswordStrengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Where login leads is decided by the user's roles: apps/accounts/views.LoginView.

# Failed sign-ins (django-axes): LOGIN_FAILURE_LIMIT failures for one account, or from one address, lock it for
# LOGIN_LOCKOUT_MINUTES; a committee admin unlocks a person of their committees (staff page), a superuser anyone
# (admin → Access attempts). Accounts are counted by their username however they were typed (username or phone).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success does not wipe the count: axes would wipe every failure from the address too, and an attacker signing in
# to an account of their own between guesses would never be locked. Failures expire with the lockout time.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "apps.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "civpost.ratelimit.client_address"
AXES_USERNAME_CALLABLE = "apps.accounts.backends.login_username"
AXES_VERBOSE = False

# Two-factor authentication (apps/security/twofactor.py): anyone may turn it on at /accounts/two-factor/; with
# OTP_REQUIRED_FOR_ADMINS committee admins and superusers must, and can do nothing else until they have. On unless
# DEBUG (production), off in the demo (`make run`) and the tests, which switch it on where they check it.
OTP_REQUIRED_FOR_ADMINS = env.bool("OTP_REQUIRED_FOR_ADMINS", default=not DEBUG)
OTP_TOTP_ISSUER = "青年文明号"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# The security trail (apps/security) is kept this many days, at least 180 (等保 2.0); older events are deleted by
# `manage.py purge_security_events` (cron, daily).
SECURITY_EVENT_RETENTION_DAYS = env.int("SECURITY_EVENT_RETENTION_DAYS", default=180)
if SECURITY_EVENT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured("SECURITY_EVENT_RETENTION_DAYS must be at least 180.")

# Idle sessions end (apps/accounts/sessions.py): staff after minutes, 号长 after days.
SESSION_IDLE_STAFF_MINUTES = env.int("SESSION_IDLE_STAFF_MINUTES", default=30)
SESSION_IDLE_LEADER_DAYS = env.int("SESSION_IDLE_LEADER_DAYS", default=7)
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files live outside the static tree and are served by views that check access.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# MEDIA_STORAGE=s3 keeps uploads in S3-compatible object storage (django-storages, `pip install -e .[s3]`), private:
# the views that check access hand out short-lived signed URLs' content, never a public bucket.
if env.str("MEDIA_STORAGE", default="local") == "s3":
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
            "access_key": env.str("S3_ACCESS_KEY", default=None),
            "secret_key": env.str("S3_SECRET_KEY", default=None),
            "region_name": env.str("S3_REGION", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.cn:587, or consolemail:// (the default) in development.
_email = env.email("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": "EMAIL_HOST",
    "port": "EMAIL_PORT",
    "username": "EMAIL_HOST_USER",
    "password": "EMAIL_HOST_PASSWORD",
    "use_tls": "EMAIL_USE_TLS",
    "use_ssl": "EMAIL_USE_SSL",
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {
            option: _email[key] for option, key in _smtp_options.items() if _email.get(key) not in (None, "")
        }
        if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="civpost <noreply@civpost.local>")
# The portal's public address, for absolute links in notification mail and the QR codes and addresses printed on
# certificates and posters (never the host a request came through).
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")
# The TrueType CJK font embedded in every PDF (civpost/pdf.py): Debian's fonts-wqy-microhei, installed by
# `make install`; PDF_FONT_INDEX picks the face of a .ttc collection.
PDF_FONT = env.path("PDF_FONT", default="/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
PDF_FONT_INDEX = env.int("PDF_FONT_INDEX", default=0)
# Text messages (apps/notifications/sms.py): the console backend writes them to the log; production names the
# provider's backend, e.g. SMS_BACKEND=apps.notifications.sms.TencentCloudBackend with its credentials and the IDs of
# the approved templates (sms.TEMPLATE_TEXTS gives their text). SMS_BACKEND="" switches text messages off.
SMS_BACKEND = env.str("SMS_BACKEND", default="apps.notifications.sms.ConsoleBackend")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="青年文明号")
SMS_TEMPLATES = {"code": env.str("SMS_TEMPLATE_CODE", default="code"), "notice": env.str("SMS_TEMPLATE_NOTICE", default="notice")}
SMS_OPTIONS = {
    "secret_id": env.str("SMS_SECRET_ID", default=""),
    "secret_key": env.str("SMS_SECRET_KEY", default=""),
    "sdk_app_id": env.str("SMS_SDK_APP_ID", default=""),
    "region": env.str("SMS_REGION", default="ap-guangzhou"),
    "endpoint": env.str("SMS_ENDPOINT", default="https://sms.tencentcloudapi.com"),
}
# Sign-up asks for a code sent to the mobile phone (only with an SMS backend).
SMS_VERIFY_AT_SIGNUP = env.bool("SMS_VERIFY_AT_SIGNUP", default=False)
# The hour (local time) of the staff's daily digest, and how long read notifications and sent messages are kept.
DIGEST_HOUR = env.int("DIGEST_HOUR", default=8)
NOTIFICATION_RETENTION_DAYS = env.int("NOTIFICATION_RETENTION_DAYS", default=365)
TASK_RESULT_RETENTION_DAYS = env.int("TASK_RESULT_RETENTION_DAYS", default=30)
# Staff exports (apps/exports): a list of more rows than this is written by the task worker instead of within the
# request (2,000 rows take about a second; a national list of 480,000 more than gunicorn's timeout), and its file is
# kept for this many days.
EXPORT_SYNC_LIMIT = env.int("EXPORT_SYNC_LIMIT", default=2000)
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=7)

# HTTPS is on unless switched off for local development and tests.
HTTPS = env.bool("HTTPS", default=True)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Asking browsers to preload HSTS for the domain is a commitment for every subdomain that is hard to take back: only
# when the deployment sets it. Until then `check --deploy` would warn (security.W021) on every run; that warning is
# the one silenced, and only while preload is off.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# The admin's address: a deployment may move it away from the guessable /admin/ (e.g. ADMIN_PATH=manage-7f3a/).
ADMIN_PATH = env.str("ADMIN_PATH", default="admin/")
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind the proxy, the client's address (rate limits, lockouts, the security trail) is the last one of this header,
# as Django names it: HTTP_X_FORWARDED_FOR, or HTTP_X_REAL_IP.
PROXY_CLIENT_ADDRESS_HEADER = env.str("PROXY_CLIENT_ADDRESS_HEADER", default="HTTP_X_FORWARDED_FOR")
SESSION_COOKIE_HTTPONLY = True
# Uploads: attachments are checked one by one (apps/evaluations/uploads.py); form fields without files are capped
# by DATA_UPLOAD_MAX_MEMORY_SIZE, files above FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, and a request
# declaring a body above REQUEST_BODY_MAX_MB (an activity report: 9 photos of 10 MB) is refused with a 413 before it
# is read (civpost/middleware.py). Set the reverse proxy's client_max_body_size to the same value.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
REQUEST_BODY_MAX_MB = env.int("REQUEST_BODY_MAX_MB", default=100)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Pages carry no inline script or style and nothing from another origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}


CSRF_FAILURE_VIEW = "civpost.views.csrf_failure"

# Background work (large imports, apps/imports/tasks.py) through Django's tasks framework. The default backend keeps
# the tasks in the database (django-tasks-db) and `manage.py db_worker` runs them; `make run` starts one beside the
# web server. Another backend (e.g. a Redis one in production) is named by its dotted path.
TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

# Staff work in Excel: offer it first in every import and export.
IMPORT_EXPORT_FORMATS = [XLSX, CSV]
