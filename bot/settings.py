"""The one place that reads the environment: every RAPPORT_* setting, with safe local defaults."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class InsecureSettings(RuntimeError):
    """Raised when production would start on an insecure default."""


def _currency(value: str) -> str:
    code = value.strip()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValueError("RAPPORT_CURRENCY must be a three-letter ISO 4217 code such as GBP")
    return code.upper()


def _secret_file(path: Path) -> str:
    """Read a generated secret, creating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8080
    engine_port: int = 5005
    actions_port: int = 5055
    production: bool = False
    api_key: str = field(default="", repr=False)
    api_key_file: Path | None = None
    signing_key: str = field(default="", repr=False)
    engine_token: str = field(default="", repr=False)
    profile_db_url: str = ""
    tracker_db_url: str = ""
    models_dir: Path | None = None
    redis_url: str = ""
    max_message_chars: int = 4000
    engine_timeout: float = 30.0
    # Web chat: the HMAC secret host sites sign their user ids with (identified mode is
    # refused while it is empty), and how long an idle visitor's session stays valid.
    web_identity_secret: str = field(default="", repr=False)
    web_session_max_age: int = 30 * 24 * 3600
    # Token buckets (0 turns a rule off); "redis" shares them between gateways.
    rate_limit_backend: str = "memory"
    rate_session_burst: float = 30
    rate_session_per_second: float = 1.0
    rate_ip_burst: float = 600
    rate_ip_per_second: float = 50.0
    # New anonymous web sessions (each makes a customer) from one address.
    rate_new_visitor_burst: float = 20
    rate_new_visitor_per_second: float = 1 / 30
    # Open web chat sockets, in all and from one address (0: no cap); customer turns the
    # gateway works on at once before it sheds new ones with "busy, retry" (0: no cap).
    web_max_sockets: int = 5000
    web_max_sockets_per_ip: int = 50
    max_turns_in_flight: int = 200
    # Proxies in front of the gateway that append to X-Forwarded-For (0: trust no header).
    forwarded_hops: int = 0
    # Telegram is off while the token is empty. "webhook" (production) or "polling" (local).
    telegram_token: str = field(default="", repr=False)
    telegram_secret: str = field(default="", repr=False)
    telegram_mode: str = "webhook"
    telegram_api_url: str = "https://api.telegram.org"
    # Cross-channel links: the bot's Telegram username (t.me deep links are off while it is
    # empty), the page hosting the web chat that Telegram customers are sent to (default:
    # the gateway's demo page), and how long a link token stays valid (seconds).
    telegram_bot_username: str = ""
    public_base_url: str = ""
    link_token_max_age: int = 15 * 60
    # Staff console: session idle timeout and absolute lifetime (seconds), and the handoff
    # rules file (staffed hours, priorities, extra triggers; bot/handoff/rules.yml by default).
    staff_session_idle: int = 8 * 3600
    staff_session_max_age: int = 24 * 3600
    handoff_rules_path: Path | None = None
    # ISO 4217 code of the catalogue's prices, of amounts customers type without a currency
    # (the engine reads the same RAPPORT_CURRENCY, see bot.supervisor) and of value views.
    currency: str = "GBP"

    @property
    def public_url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def nlg_url(self) -> str:
        """Where the engine fetches responses: the gateway's /nlg (bot.studio.nlg)."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}/nlg"

    @property
    def nlg_token(self) -> str:
        """The engine's credential for /nlg, derived from the signing key (no new secret)."""
        return hmac.new(self.signing_key.encode(), b"rapport.studio.nlg", hashlib.sha256).hexdigest()

    @property
    def engine_url(self) -> str:
        return f"http://127.0.0.1:{self.engine_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def model_dir(self) -> Path:
        return self.models_dir or self.data_dir / "models"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("RAPPORT_DATA_DIR", str(REPO_ROOT / "var"))).resolve()
        production = env.get("RAPPORT_ENV", "development") == "production"
        secrets_dir = data_dir / "secrets"

        def secret(name: str, filename: str) -> tuple[str, Path | None]:
            value = env.get(name, "")
            if value:
                return value, None
            if production:
                raise InsecureSettings(f"{name} must be set when RAPPORT_ENV=production")
            return _secret_file(secrets_dir / filename), secrets_dir / filename

        api_key, api_key_file = secret("RAPPORT_API_KEY", "api_key")
        signing_key, _ = secret("RAPPORT_SIGNING_KEY", "signing_key")
        engine_token, _ = secret("RAPPORT_ENGINE_TOKEN", "engine_token")
        telegram_token = env.get("RAPPORT_TELEGRAM_TOKEN", "")
        # Webhooks are verified with this secret, so it is required whenever Telegram is on.
        telegram_secret = (
            secret("RAPPORT_TELEGRAM_SECRET", "telegram_secret")[0] if telegram_token else ""
        )
        telegram_mode = env.get("RAPPORT_TELEGRAM_MODE", "webhook")
        if telegram_mode not in ("webhook", "polling"):
            raise ValueError("RAPPORT_TELEGRAM_MODE must be 'webhook' or 'polling'")
        return cls(
            data_dir=data_dir,
            host=env.get("RAPPORT_HOST", "127.0.0.1"),
            port=int(env.get("RAPPORT_PORT", "8080")),
            engine_port=int(env.get("RAPPORT_ENGINE_PORT", "5005")),
            actions_port=int(env.get("RAPPORT_ACTIONS_PORT", "5055")),
            production=production,
            api_key=api_key,
            api_key_file=api_key_file,
            signing_key=signing_key,
            engine_token=engine_token,
            profile_db_url=env.get(
                "RAPPORT_PROFILE_DB_URL", f"sqlite+aiosqlite:///{data_dir / 'profile.db'}"
            ),
            tracker_db_url=env.get("RAPPORT_TRACKER_DB_URL", f"sqlite:///{data_dir / 'tracker.db'}"),
            models_dir=Path(env["RAPPORT_MODELS_DIR"]).resolve() if env.get("RAPPORT_MODELS_DIR") else None,
            redis_url=env.get("RAPPORT_REDIS_URL", ""),
            max_message_chars=int(env.get("RAPPORT_MAX_MESSAGE_CHARS", "4000")),
            engine_timeout=float(env.get("RAPPORT_ENGINE_TIMEOUT", "30")),
            web_identity_secret=env.get("RAPPORT_WEB_IDENTITY_SECRET", ""),
            web_session_max_age=int(env.get("RAPPORT_WEB_SESSION_MAX_AGE", str(30 * 24 * 3600))),
            rate_limit_backend=env.get("RAPPORT_RATE_LIMIT_BACKEND", "memory"),
            rate_session_burst=float(env.get("RAPPORT_RATE_SESSION_BURST", "30")),
            rate_session_per_second=float(env.get("RAPPORT_RATE_SESSION_PER_SECOND", "1")),
            rate_ip_burst=float(env.get("RAPPORT_RATE_IP_BURST", "600")),
            rate_ip_per_second=float(env.get("RAPPORT_RATE_IP_PER_SECOND", "50")),
            web_max_sockets=int(env.get("RAPPORT_WEB_MAX_SOCKETS", "5000")),
            web_max_sockets_per_ip=int(env.get("RAPPORT_WEB_MAX_SOCKETS_PER_IP", "50")),
            max_turns_in_flight=int(env.get("RAPPORT_MAX_TURNS_IN_FLIGHT", "200")),
            rate_new_visitor_burst=float(env.get("RAPPORT_RATE_NEW_VISITOR_BURST", "20")),
            rate_new_visitor_per_second=float(env.get("RAPPORT_RATE_NEW_VISITOR_PER_SECOND", str(1 / 30))),
            forwarded_hops=int(env.get("RAPPORT_FORWARDED_HOPS", "0")),
            telegram_token=telegram_token,
            telegram_secret=telegram_secret,
            telegram_mode=telegram_mode,
            telegram_api_url=env.get("RAPPORT_TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/"),
            telegram_bot_username=env.get("RAPPORT_TELEGRAM_BOT_USERNAME", "").strip().lstrip("@"),
            public_base_url=env.get("RAPPORT_PUBLIC_URL", "").strip(),
            link_token_max_age=int(env.get("RAPPORT_LINK_TOKEN_MAX_AGE", str(15 * 60))),
            staff_session_idle=int(env.get("RAPPORT_STAFF_SESSION_IDLE", str(8 * 3600))),
            staff_session_max_age=int(env.get("RAPPORT_STAFF_SESSION_MAX_AGE", str(24 * 3600))),
            handoff_rules_path=(
                Path(env["RAPPORT_HANDOFF_RULES"]).resolve() if env.get("RAPPORT_HANDOFF_RULES") else None
            ),
            currency=_currency(env.get("RAPPORT_CURRENCY", "") or "GBP"),
        )
