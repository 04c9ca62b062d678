"""A Redis cache that degrades instead of failing: with Redis down a read is a miss and a write is skipped.

The portal keeps nothing in the cache that it cannot compute again (sessions live in the database), so a page
should not fail because Redis is gone; each failure is logged. `incr` and `decr` still raise: a counter that
silently stops counting (a rate limit, say) would be worse than an error.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
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
