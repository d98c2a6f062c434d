"""Reading the settings from the environment (and from a `.env` file beside
manage.py, if there is one): a missing or malformed variable stops start-up
with one line that names it."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def config_error(name: str, reason: str) -> SystemExit:
    # SystemExit with a message prints one line to stderr and no traceback.
    return SystemExit(f"Configuration error: {name}: {reason}")


def env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default="").strip().lower()
    if raw == "":
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise config_error(name, f"expected true or false, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = env.str(name, default="").strip()
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise config_error(name, f"expected a whole number, got {raw!r}") from None


def env_url(name: str, default: str, parse, schemes: set[str] | None = None):
    raw = env.str(name, default="").strip() or default
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if schemes is not None and scheme not in schemes:
        raise config_error(name, f"unsupported URL {raw!r}; expected one of {', '.join(sorted(schemes))}")
    try:
        return parse(raw)
    except (ImproperlyConfigured, ValueError, KeyError) as exc:
        raise config_error(name, f"cannot be parsed ({exc})") from None
