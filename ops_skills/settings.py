"""Settings for ops-skills.

One file for every environment: the defaults make ``runserver`` work on SQLite with no set-up,
production values come from the environment (see README, "Configuration").
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from ops_skills.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
# Without SECRET_KEY a fixed development key is used: `check --deploy` flags it (security.W009)
# and the WSGI entry point refuses to serve with it unless DEBUG is on.
DEVELOPMENT_SECRET_KEY = "django-insecure-development-key-change-me-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
SITE_NAME = env_str("SITE_NAME", "ops-skills")

INSTALLED_APPS = [
    "ops_skills.web.admin_site.AdminConfig",  # django.contrib.admin, with safe choice fields
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.openid_connect",
    "django_tasks_db",
    "health_check",
    "auditlog",
    "ops_skills.people",
    "ops_skills.skills",
    "ops_skills.evidence",
    "ops_skills.levels",
    "ops_skills.reports",
    "ops_skills.planner",
    "ops_skills.onboarding",
    "ops_skills.api",
    "ops_skills.web",
    "ops_skills.audit",
    "ops_skills.chat",
    "ops_skills.oncall",
    "ops_skills.repos",
]

MIDDLEWARE = [
    "ops_skills.web.request_log.RequestLogMiddleware",  # first: times everything, logs each request
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ops_skills.people.http.RefuseNulMiddleware",  # a NUL in a query or form: 400, not a PostgreSQL 500
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "ops_skills.audit.middleware.AuditMiddleware",
    "ops_skills.web.middleware.DatabaseBusyMiddleware",  # last: "database is locked" → 503, not 500
]

# The audit trail (django-auditlog): entries name the team and people they are about and where
# the change came from (ops_skills.audit). The address is the connecting one, not X-Forwarded-For.
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"

ROOT_URLCONF = "ops_skills.urls"
WSGI_APPLICATION = "ops_skills.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ops_skills.people.context_processors.viewer",
            ],
        },
    },
]

# Database: SQLite by default, anything dj-database-url understands (PostgreSQL in production)
# through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, db_worker) share the file: wait for locks instead of failing,
    # and take the write lock up front so a read-then-write transaction cannot deadlock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        # A page cache of up to 64 MiB (allocated as used): the default 2 MiB made a large import's
        # inserts into the levels' indexes read the same pages again and again.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache also holds allauth's login rate limits, so it must be shared by every worker process:
# Redis when REDIS_URL is set, otherwise a table in the database (never per-process memory).
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "ops_skills_cache",
        }
    }

AUTH_USER_MODEL = "people.Person"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "people:home"

# django-allauth: email and password, verified email, no open signup (see accounts adapter).
ACCOUNT_ADAPTER = "ops_skills.web.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "ops_skills.web.adapter.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "ops_skills.people.forms.SignupExtraForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_USER_DISPLAY = "ops_skills.people.adapter.user_display"
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_RATE_LIMITS = {
    # Per IP and per account; counted in the shared cache above.
    "login": "30/m/ip",
    "login_failed": env_str("LOGIN_FAILED_RATE_LIMIT", "10/m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
    "signup": "20/m/ip",
}
ACCOUNT_RATE_LIMITS_ENABLED = True
# Behind a reverse proxy every request comes from the proxy's address, and the per-IP limits would
# count everyone together: trust the last TRUSTED_PROXY_COUNT addresses of X-Forwarded-For (the
# proxies you run), or the header your proxy sets. With neither, the header is ignored, since a
# client could send any X-Forwarded-For to dodge the limits.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if ALLAUTH_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 (no proxy) or the number of proxies in front of the app")
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env_str("TRUSTED_CLIENT_IP_HEADER").strip() or None
# People whose email is at one of these domains may sign up without an invitation.
SIGNUP_EMAIL_DOMAINS = [d.lower() for d in env_list("SIGNUP_EMAIL_DOMAINS")]
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)

# The transfer planner (README, "Transfer plan"); a lead can override these per run.
PLANNER_MENTOR_CAPACITY = env_int("PLANNER_MENTOR_CAPACITY", 2)  # open assignments per mentor
PLANNER_LEARNER_CAPACITY = env_int("PLANNER_LEARNER_CAPACITY", 2)  # open assignments per learner
PLANNER_DUE_DAYS = env_int("PLANNER_DUE_DAYS", 30)  # default due date of an accepted assignment
PLANNER_TARGETS = None  # {tier: target bus factor}; None means DESIGN.md's targets

MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = SITE_NAME
# Passkeys need HTTPS except on localhost during development.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# Single sign-on: a provider is switched on by setting its client id and secret (README, "SSO").
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_PROVIDERS: dict = {}
if env_str("GITHUB_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APPS": [{"client_id": env_str("GITHUB_CLIENT_ID"), "secret": env_str("GITHUB_CLIENT_SECRET")}],
        "SCOPE": ["user:email"],
    }
if env_str("GOOGLE_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{"client_id": env_str("GOOGLE_CLIENT_ID"), "secret": env_str("GOOGLE_CLIENT_SECRET")}],
        "SCOPE": ["profile", "email"],
    }
if env_str("OIDC_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": env_str("OIDC_PROVIDER_ID", "sso"),
                "name": env_str("OIDC_NAME", "Single sign-on"),
                "client_id": env_str("OIDC_CLIENT_ID"),
                "secret": env_str("OIDC_CLIENT_SECRET"),
                "settings": {"server_url": env_str("OIDC_SERVER_URL")},
            }
        ],
    }

# Email: Django's mailers. Console in development, SMTP in production when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ops-skills <ops-skills@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
if env_str("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST"),
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
                "use_ssl": env_bool("EMAIL_USE_SSL", default=False),
                "timeout": env_int("EMAIL_TIMEOUT", 20),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Background work: the database-backed queue in production (run `manage.py db_worker`),
# immediate execution in tests and when TASKS_BACKEND=immediate.
if env_str("TASKS_BACKEND", "database") == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Chat (README, "Slack"). A bot token and the signing secret connect a Slack workspace; with an
# app-level token as well, `manage.py slack_socket` runs Socket Mode and no public URL is needed.
SLACK_BOT_TOKEN = env_str("SLACK_BOT_TOKEN")
SLACK_SIGNING_SECRET = env_str("SLACK_SIGNING_SECRET")
SLACK_APP_TOKEN = env_str("SLACK_APP_TOKEN")
SLACK_COMMAND = env_str("SLACK_COMMAND", "/ops-skills")
SLACK_API_URL = env_str("SLACK_API_URL", "https://slack.com/api/")  # tests point it at a local server
CHAT_TIMEOUT_SECONDS = env_int("CHAT_TIMEOUT_SECONDS", 10)
CHAT_LINK_CACHE_DAYS = env_int("CHAT_LINK_CACHE_DAYS", 7)  # how long "no Slack user with this email" is kept

# On-call readiness (README, "On-call"): iCalendar feeds and the PagerDuty REST API, fetched by
# `manage.py oncall_fetch` with a timeout and a size cap; readiness looks ONCALL_WEEKS ahead.
ONCALL_TIMEOUT_SECONDS = env_int("ONCALL_TIMEOUT_SECONDS", 15)
ONCALL_FEED_MAX_BYTES = env_int("ONCALL_FEED_MAX_BYTES", 5 * 1024 * 1024)
ONCALL_WEEKS = env_int("ONCALL_WEEKS", 4)
ONCALL_FETCH_WEEKS = env_int("ONCALL_FETCH_WEEKS", 12)  # how far ahead the shifts are read and kept
ONCALL_MAX_SHIFTS = env_int("ONCALL_MAX_SHIFTS", 5000)  # per schedule: a feed with more is refused
PAGERDUTY_API_URL = env_str("PAGERDUTY_API_URL", "https://api.pagerduty.com")  # tests point it at a local server
PAGERDUTY_API_TOKEN = env_str("PAGERDUTY_API_TOKEN")
# Feeds are fetched from public addresses only (no loopback, private, link-local as the cloud's
# metadata service, multicast or reserved): true allows a rota tool on the local network. On for
# a DEBUG run (the demo) and in the tests, whose feeds are served on 127.0.0.1.
ONCALL_FEEDS_ALLOW_PRIVATE = env_bool("ONCALL_FEEDS_ALLOW_PRIVATE", default=DEBUG)

# GitHub webhook (README, "GitHub webhook"): a merged pull request of a registered repository logs
# a pending pairing session of its author with its reviewers. The secret checks each delivery's
# signature; the token (read access to pull requests) lets the app read a pull request's files and
# reviews, and the whole reading must end within GITHUB_TIMEOUT_SECONDS.
GITHUB_WEBHOOK_SECRET = env_str("GITHUB_WEBHOOK_SECRET")
GITHUB_API_URL = env_str("GITHUB_API_URL", "https://api.github.com")  # tests point it at a local server
GITHUB_TOKEN = env_str("GITHUB_TOKEN")
GITHUB_TIMEOUT_SECONDS = env_int("GITHUB_TIMEOUT_SECONDS", 10)
GITHUB_REVIEW_MINUTES = env_int("GITHUB_REVIEW_MINUTES", 30)  # the session's duration: one review

# Git suggestions (README, "Git repositories"): someone with GIT_SUGGEST_MIN_CHANGES commits or more to
# a system's mapped files in the last GIT_SUGGEST_DAYS days, and no level there, is suggested to
# their lead.
GIT_SUGGEST_DAYS = env_int("GIT_SUGGEST_DAYS", 90)
GIT_SUGGEST_MIN_CHANGES = env_int("GIT_SUGGEST_MIN_CHANGES", 5)
# Reading a clone's history (`manage.py git_knowledge`): a git command running longer than this is
# stopped and the read fails, keeping what was read before.
GIT_TIMEOUT_SECONDS = env_int("GIT_TIMEOUT_SECONDS", 600)
# Where `manage.py seed_demo` writes the demo's git repository (ops_skills/repos/demo.py); each run
# replaces it.
DEMO_REPOS_DIR = Path(env_str("DEMO_REPOS_DIR", str(BASE_DIR / ".demo" / "repos")))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security. Everything the app serves comes from itself: no inline script or style.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Matrix import limits: a 500 × 1,000 sheet is about 1.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# `import_runbooks` skips a larger file (with an error): the longest example runbook is 3.5 kB.
RUNBOOK_IMPORT_MAX_BYTES = env_int("RUNBOOK_IMPORT_MAX_BYTES", 1024 * 1024)

# Logs go to stderr: plain text by default, one JSON object a line with LOG_FORMAT=json (for a
# log collector). Every line carries the request id; each request logs one line on
# "ops_skills.request" with method, path, status, duration_ms, user_id and request_id.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops_skills.web.request_log.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Every line once, through the root's handler. Django's own defaults put a second console
    # handler on "django" (with DEBUG on), which printed each of its lines twice; runserver's
    # access line ("django.server") repeats our request line, and django.request's "Not Found"
    # line repeats its status: a request logs one line, a failure that line and its traceback.
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.request": {"level": "ERROR"},
        "django.server": {"handlers": ["null"], "propagate": False},
    },
}

# /health/ (ops_skills.web.health): reached by the load balancer over plain HTTP, so never
# redirected to HTTPS; a task ready to run for longer than this is reported (as a warning).
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
HEALTH_TASK_MAX_WAIT_SECONDS = env_int("HEALTH_TASK_MAX_WAIT_SECONDS", 600)
