"""Messages the portal keeps in the database and tells in the reader's language when it shows them.

A run's reason ("Model changed (version 3)") is written once but read by people who chose Bokmål, Nynorsk or
English. It is kept as its English msgid and its arguments (`kept(gettext_noop("…"), version=3)`), plain JSON,
and translated when shown (`tell`). Dates among the arguments are kept as ISO dates and written in the reader's
format.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext

_DATE = "date:"


def kept(msgid: str, **args: Any) -> dict[str, Any]:
    """The message as the database keeps it: the msgid (marked with gettext_noop where written) and its arguments."""
    return {
        "msgid": msgid,
        "args": {
            name: _DATE + value.isoformat() if isinstance(value, datetime.date) else value
            for name, value in args.items()
        },
    }


def tell(message: Mapping[str, Any] | None, fallback: str = "") -> str:
    """The kept message in the active language; `fallback` (text kept before messages were) without one."""
    if not message or not message.get("msgid"):
        return fallback
    args = {name: _shown(value) for name, value in (message.get("args") or {}).items()}
    text = gettext(message["msgid"])
    return text % args if args else text


def _shown(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_DATE):
        return date_format(datetime.date.fromisoformat(value[len(_DATE) :]), "SHORT_DATE_FORMAT")
    return value
