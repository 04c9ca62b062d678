"""A Redis cache that degrades instead of failing: with Redis down a read is a miss and a write is skipped.

The portal keeps nothing in the cache that it cannot compute again (sessions live in the database), so a page
should not fail because Redis is gone; each failure is logged. `incr` and `decr` still raise: a counter that
silently stops counting (a rate limit, say) would be worse than an error.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _or_else(fallback: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(self: RedisCache, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as error:
                logger.warning("Cache unavailable, %s skipped: %s", method.__name__, error)
                return fallback(*args, **kwargs)

        return wrapper

    return decorator


def _default(key: Any, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


class DegradingRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache, with reads as misses and writes skipped while Redis is down."""

    get = _or_else(_default)(RedisCache.get)
    get_many = _or_else(lambda *args, **kwargs: {})(RedisCache.get_many)
    has_key = _or_else(lambda *args, **kwargs: False)(RedisCache.has_key)
    add = _or_else(lambda *args, **kwargs: False)(RedisCache.add)
    set = _or_else(lambda *args, **kwargs: None)(RedisCache.set)
    set_many = _or_else(lambda data, *args, **kwargs: list(data))(RedisCache.set_many)
    touch = _or_else(lambda *args, **kwargs: False)(RedisCache.touch)
    delete = _or_else(lambda *args, **kwargs: False)(RedisCache.delete)
    delete_many = _or_else(lambda *args, **kwargs: None)(RedisCache.delete_many)
    clear = _or_else(lambda *args, **kwargs: False)(RedisCache.clear)


# ------------------------------------------------------------------------------------------------
# Public pages cached whole for visitors who are not signed in.
#
# A page is stored under its generation: a number in the database (core.models.PageGeneration) renewed in the
# same transaction as every change of the data the page shows (the app connects the signals). A changed page is
# therefore never served: the next visitor asks for the new number and misses. The number lives in the database,
# not in the cache, so that every server process sees it at once even with a per-process cache. Writes that send
# no signals (QuerySet.update, bulk_create) call `page_generation_renew` themselves.

PAGE_TIMEOUT = 600  # seconds; a cached page is dropped after this even when nothing changed (memory)
_CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_PLACEHOLDER = "\x00csrf\x00"


def page_generation(name: str) -> int:
    from core.models import PageGeneration

    return PageGeneration.objects.filter(name=name).values_list("number", flat=True).first() or 0


def page_generation_renew(name: str) -> None:
    """Make every page cached under `name` stale: a new generation (in the caller's transaction: undone with it).

    The new number is drawn at random rather than counted up: a number of a transaction that was rolled back is
    then never used again by a later one (whose pages would differ)."""
    from core.models import PageGeneration

    number = secrets.randbits(62) + 1
    if not PageGeneration.objects.filter(name=name).update(number=number):
        PageGeneration.objects.update_or_create(name=name, defaults={"number": number})


def cache_public_page(name: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Serve a view's HTML page from the cache to visitors who are not signed in, per address (with its query
    string) and language, under the current generation of `name`.

    The form tokens in the page are the visitor's own (a cached page holds a placeholder instead of another
    visitor's), and a request with messages to show is answered by the view itself.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "GET" or request.user.is_authenticated or len(get_messages(request)):
                return view(request, *args, **kwargs)
            path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
            key = f"page:{name}:{page_generation(name)}:{get_language()}:{path}"
            html = cache.get(key)
            if html is None:
                response = view(request, *args, **kwargs)
                if not _cacheable(response):
                    return response
                html = _CSRF_VALUE.sub(rf"\g<1>{_CSRF_PLACEHOLDER}\g<2>", response.content.decode())
                cache.set(key, html, PAGE_TIMEOUT)
                return response
            return HttpResponse(html.replace(_CSRF_PLACEHOLDER, get_token(request)))

        return wrapper

    return decorator


def _cacheable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.has_header("Content-Disposition")
        and not response.cookies
    )
