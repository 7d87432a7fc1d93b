"""Settings read from the environment and checked once, at start-up.

A missing or malformed value stops the program with one line that names the
variable and says what is expected (:class:`ConfigError`).
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import SplitResult, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ZOOM_API_URL = "https://api.zoom.us/v2"
ZOOM_OAUTH_URL = "https://zoom.us"
ZOOM_CREDENTIALS = (
    "ZOOM_CLIENT_ID",
    "ZOOM_CLIENT_SECRET",
    "ZOOM_BOT_JID",
    "ZOOM_ACCOUNT_ID",
)
LANGUAGES = ("fr", "en")
SWITCH = ("on", "off")
DEPLOY_ROOT = "D:\\Batchs"
LOG_ROOT = "D:\\Logs"
WINDOWS_FOLDER = re.compile(r"^(?:[A-Za-z]:\\|\\\\[^\\/]+\\[^\\/]+)[^/:*?\"<>|]*$")
"""A drive path (``D:\\Batchs``) or a share (``\\\\srv\\batchs``)."""


class ConfigError(Exception):
    """A setting is missing or malformed; the text names it and what it needs."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    timezone: str = "Europe/Paris"
    lang: str = "fr"
    zoom_client_id: str | None = None
    zoom_client_secret: str | None = field(default=None, repr=False)
    zoom_bot_jid: str | None = None
    zoom_secret_token: str | None = field(default=None, repr=False)
    zoom_account_id: str | None = None
    zoom_alert_channel_jid: str | None = None
    zoom_api_url: str = ZOOM_API_URL
    zoom_oauth_url: str = ZOOM_OAUTH_URL
    public_base_url: str = "http://127.0.0.1:8080"
    secret_key: str = field(default="", repr=False)
    var_dir: Path = Path("var")
    daily_report: bool = False
    artifacts_url: str | None = None
    """An HTTP(S) artifact repository; when unset, ``artifacts_dir`` is."""
    artifacts_user: str | None = None
    artifacts_password: str | None = field(default=None, repr=False)
    artifacts_dir: Path = Path("var/artifacts")
    deploy_root: str = DEPLOY_ROOT
    """Where deployed batches get their execution folder, on every server."""
    log_root: str = LOG_ROOT
    """Where deployed batches get their log folder, on every server."""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def zoom_enabled(self) -> bool:
        """True when cards go to Zoom; otherwise they go to the outbox."""
        return self.zoom_client_id is not None

    def zoom_credentials(self) -> tuple[str, str, str, str]:
        """Client id, client secret, bot JID and account id, all set."""
        values = (
            self.zoom_client_id,
            self.zoom_client_secret,
            self.zoom_bot_jid,
            self.zoom_account_id,
        )
        if not all(values):
            raise ConfigError(f"set all of {', '.join(ZOOM_CREDENTIALS)} for Zoom")
        return values  # type: ignore[return-value]

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, var_dir: Path | None = None
    ) -> Settings:
        env = os.environ if env is None else env
        var = Path(env.get("BATCHOPS_VAR_DIR", "var")) if var_dir is None else var_dir
        zoom = _zoom_credentials(env)
        if zoom and not _optional(env, "ZOOM_SECRET_TOKEN"):
            raise ConfigError(
                "ZOOM_SECRET_TOKEN is missing: copy the app's Secret Token from "
                "the Zoom App Marketplace, it verifies Zoom's webhook requests"
            )
        if zoom and not _optional(env, "BATCHOPS_SECRET_KEY"):
            raise ConfigError(
                "BATCHOPS_SECRET_KEY is missing: with Zoom configured, set it to "
                "at least 16 random characters so signed links survive restarts"
            )

        artifacts = _artifacts(env, var)
        return cls(
            artifacts_url=artifacts.url,
            artifacts_user=artifacts.user,
            artifacts_password=artifacts.password,
            artifacts_dir=artifacts.folder,
            deploy_root=_windows_folder(env, "BATCHOPS_DEPLOY_ROOT", DEPLOY_ROOT),
            log_root=_windows_folder(env, "BATCHOPS_LOG_ROOT", LOG_ROOT),
            database_url=_database_url(env, var),
            timezone=_timezone(env),
            lang=_choice(env, "BATCHOPS_LANG", LANGUAGES, "fr"),
            zoom_client_id=zoom.get("ZOOM_CLIENT_ID"),
            zoom_client_secret=zoom.get("ZOOM_CLIENT_SECRET"),
            zoom_bot_jid=zoom.get("ZOOM_BOT_JID"),
            zoom_account_id=zoom.get("ZOOM_ACCOUNT_ID"),
            zoom_secret_token=_optional(env, "ZOOM_SECRET_TOKEN"),
            zoom_alert_channel_jid=_optional(env, "ZOOM_ALERT_CHANNEL_JID"),
            zoom_api_url=_url(env, "ZOOM_API_URL", ZOOM_API_URL),
            zoom_oauth_url=_url(env, "ZOOM_OAUTH_URL", ZOOM_OAUTH_URL),
            public_base_url=_url(env, "PUBLIC_BASE_URL", "http://127.0.0.1:8080"),
            secret_key=_secret_key(env, var),
            var_dir=var,
            daily_report=_choice(env, "BATCHOPS_DAILY_REPORT", SWITCH, "off") == "on",
        )


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _zoom_credentials(env: Mapping[str, str]) -> dict[str, str]:
    given = {name: v for name in ZOOM_CREDENTIALS if (v := _optional(env, name))}
    if given and len(given) < len(ZOOM_CREDENTIALS):
        missing = next(name for name in ZOOM_CREDENTIALS if name not in given)
        raise ConfigError(
            f"{missing} is missing: set all of {', '.join(ZOOM_CREDENTIALS)} "
            "to talk to Zoom, or none of them to keep cards in the local outbox"
        )
    return given


def _database_url(env: Mapping[str, str], var: Path) -> str:
    url = _optional(env, "DATABASE_URL")
    if url is None:
        return f"sqlite:///{var / 'batchops.db'}"

    # Hosting platforms hand out postgres:// URLs; SQLAlchemy 2 wants a driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if not url.startswith(("sqlite:", "postgresql+")):
        raise ConfigError(
            "DATABASE_URL is malformed: expected sqlite:///PATH or "
            "postgresql://USER@HOST:PORT/DATABASE"
        )
    return url


def _timezone(env: Mapping[str, str]) -> str:
    name = env.get("BATCHOPS_TIMEZONE", "Europe/Paris").strip() or "Europe/Paris"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"BATCHOPS_TIMEZONE is malformed: {name!r} is not an IANA time zone "
            "such as Europe/Paris"
        ) from None
    return name


def _choice(
    env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str
) -> str:
    value = env.get(name, default).strip().lower() or default
    if value not in allowed:
        raise ConfigError(f"{name} is malformed: expected one of {', '.join(allowed)}")
    return value


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, default).strip() or default
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name} is malformed: expected an http(s):// URL")
    return value.rstrip("/")


class _ArtifactSource(NamedTuple):
    url: str | None
    user: str | None
    password: str | None
    folder: Path


def _artifacts(env: Mapping[str, str], var: Path) -> _ArtifactSource:
    """Where artifacts come from: an HTTP(S) repository or a folder."""
    url = _optional(env, "BATCHOPS_ARTIFACTS_URL")
    folder = _optional(env, "BATCHOPS_ARTIFACTS_DIR")
    user = _optional(env, "BATCHOPS_ARTIFACTS_USER")
    password = _optional(env, "BATCHOPS_ARTIFACTS_PASSWORD")
    if url and folder:
        raise ConfigError(
            "BATCHOPS_ARTIFACTS_URL and BATCHOPS_ARTIFACTS_DIR are both set: "
            "artifacts come from one repository, keep one of them"
        )
    if (user is None) != (password is None):
        missing = "BATCHOPS_ARTIFACTS_PASSWORD" if user else "BATCHOPS_ARTIFACTS_USER"
        raise ConfigError(
            f"{missing} is missing: the artifact repository's credentials go "
            "together, set both or neither"
        )
    if url is None:
        if user:
            raise ConfigError(
                "BATCHOPS_ARTIFACTS_USER is set without BATCHOPS_ARTIFACTS_URL: "
                "credentials are for an HTTP(S) repository"
            )
        path = Path(folder) if folder else var / "artifacts"
        if folder and not path.is_dir():
            raise ConfigError(f"BATCHOPS_ARTIFACTS_DIR is not a folder: {folder}")
        return _ArtifactSource(None, None, None, path)

    checked = _url(env, "BATCHOPS_ARTIFACTS_URL", url)
    _check_repository_url(checked, with_credentials=user is not None)
    return _ArtifactSource(checked, user, password, var / "artifacts")


def _check_repository_url(url: str, *, with_credentials: bool) -> None:
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ConfigError(
            "BATCHOPS_ARTIFACTS_URL holds credentials: put them in "
            "BATCHOPS_ARTIFACTS_USER and BATCHOPS_ARTIFACTS_PASSWORD, where they "
            "stay out of logs and cards"
        )
    if with_credentials and parts.scheme == "http" and not _is_loopback(parts):
        raise ConfigError(
            "BATCHOPS_ARTIFACTS_URL is http://: the password would travel in "
            "clear, use https://"
        )


def _is_loopback(parts: SplitResult) -> bool:
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _windows_folder(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, default).strip() or default
    if not WINDOWS_FOLDER.match(value):
        raise ConfigError(
            f"{name} is malformed: expected a Windows folder such as {default} "
            "or \\\\server\\share\\folder"
        )
    return value.rstrip("\\")


def _secret_key(env: Mapping[str, str], var: Path) -> str:
    """The signing key; generated once under var/ when not configured."""
    value = _optional(env, "BATCHOPS_SECRET_KEY")
    if value is not None:
        if len(value) < 16:
            raise ConfigError(
                "BATCHOPS_SECRET_KEY is too short: use at least 16 random characters"
            )
        return value

    key_file = var / "secret.key"
    if key_file.exists():
        return key_file.read_text().strip()
    var.mkdir(parents=True, exist_ok=True)
    key_file.write_text(os.urandom(32).hex())
    key_file.chmod(0o600)
    return key_file.read_text().strip()
