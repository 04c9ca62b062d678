"""Typed readers for environment variables that fail loudly on bad values.

Every variable may instead be given as a file: NAME_FILE=/run/secrets/name reads the value from that file (its
trailing newline dropped), as container secrets are mounted. Setting both NAME and NAME_FILE is an error.
"""

from __future__ import annotations

import os
from typing import overload
from urllib.parse import quote, urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if path is None or path == "":
        return value
    if value is not None and value != "":
        raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both")
    try:
        with open(path, encoding="utf-8") as file:
            return file.read().rstrip("\r\n")
    except OSError as error:
        raise ImproperlyConfigured(f"{name}_FILE names {path}, which cannot be read: {error.strerror}") from None


@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: None = None) -> str | None: ...


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def url_with_password(url: str, password: str | None) -> str:
    """The URL with its password replaced by `password` (quoted), or unchanged when there is none."""
    if not url or not password:
        return url
    parts = urlsplit(url)
    user = quote(parts.username or "", safe="")
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{user}:{quote(password, safe='')}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def read_env_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """The `NAME=value` lines of a `.env` file: `#` comments, blank lines and an `export ` prefix are allowed,
    a value may be quoted. A line that is none of these is refused with its number."""
    values: dict[str, str] = {}
    with open(path, encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("export "):
                line = line[len("export ") :].lstrip()
            name, sep, value = line.partition("=")
            name = name.strip()
            if not sep or not name.isidentifier():
                raise ImproperlyConfigured(f"{path}, line {number}: expected NAME=value, not {raw.rstrip()!r}")
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            values[name] = value
    return values


def load_env_file(path: str | os.PathLike[str]) -> None:
    """Put a `.env` file's settings into the environment; a variable already set in the environment wins.
    A missing file is no error (production sets its variables in the service manager or compose)."""
    if not os.path.isfile(path):
        return
    for name, value in read_env_file(path).items():
        os.environ.setdefault(name, value)
