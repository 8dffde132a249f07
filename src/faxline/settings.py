"""Django settings for faxline, all read from the environment (see ``faxline.config``)."""

from __future__ import annotations

import ipaddress
import re
import secrets
from pathlib import Path

import dj_database_url

from faxline.config import ConfigError, env_bool, env_int, env_list, env_str, load_dotenv

PACKAGE_DIR = Path(__file__).resolve().parent
load_dotenv(Path.cwd() / ".env")

FAXLINE_HOME = Path(env_str("FAXLINE_HOME", str(Path.cwd() / "var")) or "var").resolve()


def _secret_key() -> str:
    configured = env_str("FAXLINE_SECRET_KEY")
    if configured:
        if len(configured) < 32:
            raise ConfigError("FAXLINE_SECRET_KEY: must be at least 32 characters")
        return configured
    # The embedded single-machine install keeps a generated key under FAXLINE_HOME.
    key_file = FAXLINE_HOME / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    FAXLINE_HOME.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("FAXLINE_DEBUG", False)
ALLOWED_HOSTS = env_list("FAXLINE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("FAXLINE_CSRF_TRUSTED_ORIGINS", [])
# The provider's name, printed as the new carrier on LOAs and in emails.
FAXLINE_PROVIDER_NAME = env_str("FAXLINE_PROVIDER_NAME", "faxline") or "faxline"
# The portal's public address, in emails and links. When it is not set, `faxline serve` and
# `faxline web` use the address they listen on (and pass it to the processes they start);
# other commands fall back to the default port on this machine.
FAXLINE_PORTAL_URL = env_str("FAXLINE_PORTAL_URL", "http://127.0.0.1:8000") or ""

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "bootstrap",
    # django-ninja's own static files: the API documentation (Swagger UI) is served from
    # here, not from a CDN (offline, and within the Content-Security-Policy).
    "ninja",
    "django_tasks",
    "django_tasks_db",
    # The one place the apps are named (docs/architecture.md). Everything else finds them
    # here: their URLs, API routers, periodic jobs, Dashboard panels and demo steps are
    # declared on each AppConfig and collected in this order, which is therefore the order
    # of the OpenAPI document and of the Dashboard's panels.
    "faxline.core",
    "faxline.accounts",
    "faxline.numbers",
    "faxline.faxing",
    "faxline.onboarding",
    "faxline.notify",
    "faxline.porting",
    "faxline.gateway",
    "faxline.activity",
    "faxline.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy with a nonce; Secure cookies over HTTPS. Before the session
    # and CSRF middleware, whose cookies it marks.
    "faxline.portal.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "faxline.accounts.middleware.SecurityPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "faxline.urls"
WSGI_APPLICATION = "faxline.wsgi.application"
ASGI_APPLICATION = "faxline.asgi.application"

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
                "faxline.portal.context.portal",
                "faxline.portal.security.csp_nonce",
                "faxline.accounts.context.portal_actor",
                "faxline.accounts.menu.portal_menus",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = env_str("DATABASE_URL")
    if url:
        try:
            config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        except Exception as exc:
            raise ConfigError(f"DATABASE_URL: cannot parse it ({exc})") from exc
        if config.get("ENGINE") == "django.db.backends.postgresql":
            config.setdefault("TEST", {"NAME": env_str("FAXLINE_TEST_DATABASE", "test_faxline")})
        return config
    FAXLINE_HOME.mkdir(parents=True, exist_ok=True)
    # The embedded install (docs/decisions/0018-sqlite-and-supervision.md): WAL, so
    # that reads never wait for the one writer; every transaction BEGIN IMMEDIATE, so that
    # it takes the write lock when it starts and waits for it (a DEFERRED transaction that
    # reads and then writes fails at once with "database is locked" when another wrote
    # meanwhile, whatever the timeout); and a busy timeout far above the longest write
    # transaction, so that writers queue instead of failing.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": FAXLINE_HOME / "faxline.sqlite3",
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("FAXLINE_SQLITE_BUSY_TIMEOUT", 30, minimum=1),
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["faxline.accounts.auth.PolicyAwareBackend"]
# Argon2id at OWASP's m=19 MiB, t=2, p=1 (about 20 ms a hash; decision record "password
# hasher"); older PBKDF2 and scrypt hashes still verify and are upgraded at sign-in.
PASSWORD_HASHERS = env_list(
    "FAXLINE_PASSWORD_HASHERS",
    [
        "faxline.accounts.hashers.Argon2idPasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ],
)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"


def _secure_cookies() -> str:
    value = (env_str("FAXLINE_SECURE_COOKIES", "auto") or "auto").strip().lower()
    if value == "auto":
        return "auto"
    try:
        return "true" if env_bool("FAXLINE_SECURE_COOKIES", False) else "false"
    except ConfigError as exc:
        raise ConfigError(
            f"FAXLINE_SECURE_COOKIES: expected auto, true or false, got {value!r}"
        ) from exc


# auto: the session and CSRF cookies are Secure on every HTTPS response (portal.security);
# true: always (the portal is only ever reached over HTTPS); false: never.
FAXLINE_SECURE_COOKIES = _secure_cookies()
SESSION_COOKIE_SECURE = FAXLINE_SECURE_COOKIES == "true"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE


def _proxy_ssl_header() -> tuple[str, str] | None:
    name = (env_str("FAXLINE_PROXY_SSL_HEADER", "") or "").strip()
    if not name:
        return None
    if not re.fullmatch(r"[A-Za-z0-9-]+", name):
        raise ConfigError(
            f"FAXLINE_PROXY_SSL_HEADER: expected a header name such as X-Forwarded-Proto, "
            f"got {name!r}"
        )
    return ("HTTP_" + name.upper().replace("-", "_"), "https")


# Behind a TLS-terminating proxy: the header it sets to "https" (e.g. X-Forwarded-Proto).
# Only when every request comes through that proxy and it overwrites the header.
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header()
# Sent over HTTPS only (Django's SecurityMiddleware); 0 turns it off.
SECURE_HSTS_SECONDS = env_int("FAXLINE_HSTS_SECONDS", 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FAXLINE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_SAVE_EVERY_REQUEST = False
CSRF_FAILURE_VIEW = "faxline.portal.views.csrf_failure"
# A Bulk Resubmit of a whole Inbound Activity page (Row Count 1000) posts 1000 fax fields
# and a few more; Django's default (1000) would refuse it before the service could.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1100

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = FAXLINE_HOME / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = FAXLINE_HOME / "media"

TASKS = {
    "default": {
        "BACKEND": env_str("FAXLINE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Finished task rows are deleted this many days after they finished (core.task_results).
FAXLINE_TASK_RETENTION_DAYS = env_int("FAXLINE_TASK_RETENTION_DAYS", 14, minimum=1)

# Without an SMTP server, emails are printed on the console with their one-time links
# (password reset, set password, LOA signing) withheld: those links never reach a log.
EMAIL_BACKEND = env_str(
    "FAXLINE_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("FAXLINE_SMTP_HOST")
    else "faxline.notify.backends.ConsoleEmailBackend",
)
EMAIL_HOST = env_str("FAXLINE_SMTP_HOST", "localhost") or "localhost"
EMAIL_PORT = env_int("FAXLINE_SMTP_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("FAXLINE_SMTP_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("FAXLINE_SMTP_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("FAXLINE_SMTP_STARTTLS", False)
DEFAULT_FROM_EMAIL = env_str("FAXLINE_FROM_EMAIL", "faxline@localhost") or ""

# The SMTP email-to-fax gateway (faxline.gateway; FAXLINE_SMTP_* above are the outgoing
# relay's). Recipients are <fax number>@FAXLINE_FAX_DOMAIN; a message over
# FAXLINE_SMTPD_MAX_BYTES is refused (552); STARTTLS is offered when a certificate and its key
# are given; SPF and DKIM ask FAXLINE_DNS_SERVERS ("host[:port]", comma-separated; empty: the
# system's resolvers); the raw message is kept this many days, then deleted.
FAXLINE_FAX_DOMAIN = (env_str("FAXLINE_FAX_DOMAIN", "fax.localhost") or "").strip().lower()
FAXLINE_SMTPD_MAX_BYTES = env_int("FAXLINE_SMTPD_MAX_BYTES", 25 * 1024 * 1024, minimum=64 * 1024)
FAXLINE_SMTPD_TLS_CERT = env_str("FAXLINE_SMTPD_TLS_CERT", "") or ""
FAXLINE_SMTPD_TLS_KEY = env_str("FAXLINE_SMTPD_TLS_KEY", "") or ""
if bool(FAXLINE_SMTPD_TLS_CERT) != bool(FAXLINE_SMTPD_TLS_KEY):
    raise ConfigError("FAXLINE_SMTPD_TLS_CERT and FAXLINE_SMTPD_TLS_KEY: give both or neither")
# Refuse mail from a client that did not STARTTLS first (530): faxes often carry health data.
FAXLINE_SMTPD_REQUIRE_TLS = env_bool("FAXLINE_SMTPD_REQUIRE_TLS", False)
if FAXLINE_SMTPD_REQUIRE_TLS and not FAXLINE_SMTPD_TLS_CERT:
    raise ConfigError(
        "FAXLINE_SMTPD_REQUIRE_TLS: needs FAXLINE_SMTPD_TLS_CERT and FAXLINE_SMTPD_TLS_KEY"
    )
FAXLINE_DNS_SERVERS = env_list("FAXLINE_DNS_SERVERS", [])
FAXLINE_GATEWAY_RETENTION_DAYS = env_int("FAXLINE_GATEWAY_RETENTION_DAYS", 7, minimum=1)
# At most this many SMTP sessions at once in one `faxline smtpd` process (more: 421); at most
# this many "Unauthorized Sending Address" notices in any hour to all unregistered addresses
# together, across every process (0: none), so that forged senders get no backscatter.
FAXLINE_SMTPD_MAX_CONNECTIONS = env_int("FAXLINE_SMTPD_MAX_CONNECTIONS", 50, minimum=1)
FAXLINE_GATEWAY_REFUSAL_NOTICES_PER_HOUR_TOTAL = env_int(
    "FAXLINE_GATEWAY_REFUSAL_NOTICES_PER_HOUR_TOTAL", 100, minimum=0
)

# Encryption of personal data at rest (PINs, account numbers, secrets). Defaults to a key
# derived from SECRET_KEY; a provider sets its own to rotate the two independently.
FAXLINE_DATA_KEY = env_str("FAXLINE_DATA_KEY", "") or ""
FAXLINE_API_MAX_PAGE = 500
# The largest request body /api/v1 reads (uploads included); a larger one is refused with 413
# before anything is parsed. JSON and form bodies are held to DATA_UPLOAD_MAX_MEMORY_SIZE.
FAXLINE_API_MAX_REQUEST_BYTES = env_int(
    "FAXLINE_API_MAX_REQUEST_BYTES", 16 * 1024 * 1024, minimum=1024 * 1024
)
# How long an Idempotency-Key and the answer it got are kept (faxline.core.idempotency).
FAXLINE_IDEMPOTENCY_TTL_HOURS = env_int("FAXLINE_IDEMPOTENCY_TTL_HOURS", 24, minimum=1)


def _networks(name: str) -> list[str]:
    values = env_list(name, [])
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as exc:
            raise ConfigError(f"{name}: {value!r} is not a network (e.g. 10.20.0.0/16)") from exc
    return values


# Hosts and URLs customers set (the archive's FTP host; webhooks later) may not point at
# loopback, link-local, private, multicast, reserved or unspecified addresses, unless they
# are in one of these networks (CIDR, comma-separated; faxline.core.net).
FAXLINE_ALLOW_PRIVATE_NETWORKS = _networks("FAXLINE_ALLOW_PRIVATE_NETWORKS")

# Where new numbers come from: "sandbox" offers plausible free numbers with no carrier behind
# them (demo and tests); "stock" offers only the numbers operators imported.
FAXLINE_NUMBER_SUPPLIER = env_str("FAXLINE_NUMBER_SUPPLIER", "sandbox") or "sandbox"
if FAXLINE_NUMBER_SUPPLIER not in {"sandbox", "stock"}:
    raise ConfigError("FAXLINE_NUMBER_SUPPLIER: expected sandbox or stock")
# Days a released number ages before it returns to the provider's pool.
FAXLINE_NUMBER_AGING_DAYS = env_int("FAXLINE_NUMBER_AGING_DAYS", 30, minimum=0)

# The porting desk: the carrier adapter of new requests ("manual": the porting team works
# with the losing carrier and records outcomes; "sandbox": simulated, for demos and tests),
# and its fees in cents.
FAXLINE_PORTING_CARRIER = env_str("FAXLINE_PORTING_CARRIER", "manual") or "manual"
if FAXLINE_PORTING_CARRIER not in {"manual", "sandbox"}:
    raise ConfigError("FAXLINE_PORTING_CARRIER: expected manual or sandbox")
FAXLINE_RESUBMISSION_FEE_CENTS = env_int("FAXLINE_RESUBMISSION_FEE_CENTS", 1300, minimum=0)
FAXLINE_SNAP_BACK_FEE_CENTS = env_int("FAXLINE_SNAP_BACK_FEE_CENTS", 30000, minimum=0)
# The porting desk flags a request that has not moved for this many business days.
FAXLINE_PORTING_STALL_DAYS = env_int("FAXLINE_PORTING_STALL_DAYS", 3, minimum=1)
# The number the test fax to each ported number comes from (a fictitious 555-01xx number by
# default: the recipient sees it as the caller).
FAXLINE_PORT_TEST_FAX_FROM = env_str("FAXLINE_PORT_TEST_FAX_FROM", "+12125550199") or "+12125550199"

# Document intake (faxline.documents.sandbox): the hard limits of the worker process that
# decodes each uploaded document, and how many documents one process checks at once. The
# figures and why: docs/decisions/0016-document-budgets-and-intake-worker.md.
FAXLINE_INTAKE_CPU_SECONDS = env_int("FAXLINE_INTAKE_CPU_SECONDS", 10, minimum=1)
FAXLINE_INTAKE_MEMORY_MB = env_int("FAXLINE_INTAKE_MEMORY_MB", 1024, minimum=256)
FAXLINE_INTAKE_WALL_SECONDS = env_int("FAXLINE_INTAKE_WALL_SECONDS", 30, minimum=1)
FAXLINE_INTAKE_CONCURRENCY = env_int("FAXLINE_INTAKE_CONCURRENCY", 2, minimum=1)

# The sandbox PSTN (the embedded transport: a simulated telephone network, no real lines).
# Lines: calls it carries at once per process (more get "No Free Channel"); real time: pace
# every call at real time (demonstrations) instead of running it as fast as the CPU allows.
FAXLINE_SANDBOX_LINES = env_int("FAXLINE_SANDBOX_LINES", 8, minimum=1)
FAXLINE_SANDBOX_REAL_TIME = env_bool("FAXLINE_SANDBOX_REAL_TIME", False)
# SIP trunks (Settings ▸ SIP Trunks): the address this process's SIP user agent listens on
# and sends from, once an operator enabled a trunk (until then the sandbox carries the calls).
FAXLINE_SIP_HOST = env_str("FAXLINE_SIP_HOST", "127.0.0.1") or "127.0.0.1"
FAXLINE_SIP_PORT = env_int("FAXLINE_SIP_PORT", 5080, minimum=1)
if FAXLINE_SIP_PORT > 65535:
    raise ConfigError(f"FAXLINE_SIP_PORT: at most 65535, got {FAXLINE_SIP_PORT}")
# Outbound dispatcher: an attempt's lease (renewed every third of it while the call runs); a
# dispatcher that died is noticed this long after its last renewal.
FAXLINE_DISPATCH_LEASE_SECONDS = env_int("FAXLINE_DISPATCH_LEASE_SECONDS", 60, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One-time links (password reset, LOA signing) and Bearer keys never reach the log.
    "filters": {"redact_secrets": {"()": "faxline.core.redact.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env_str("FAXLINE_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
