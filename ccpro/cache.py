"""Django's Redis cache, minus per-call costs:
- it builds a new `redis.Redis` client for every operation, and redis-py's client constructor copies its table
  of ~170 response callbacks each time (about a third of a cached price request's Redis time,
  docs/performance.md). This backend keeps one client per connection pool; redis-py clients are thread-safe
  and hold no per-call state, the pool still hands out the connections;
- every key is checked for memcached portability through a generator of warnings; here a key that passes is
  let through by the same test first (the price and the profile read 3 and 6 keys per request).
"""

import re

from django.core.cache.backends.base import MEMCACHE_MAX_KEY_LENGTH, memcached_error_chars_re
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

# Django's pattern, compiled here: Django's is a lazy object whose every use goes through a proxy.
_MEMCACHED_ERROR_CHARS = re.compile(memcached_error_chars_re.pattern)


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def validate_key(self, key):
        if len(key) <= MEMCACHE_MAX_KEY_LENGTH and not _MEMCACHED_ERROR_CHARS.search(key):
            return
        super().validate_key(key)  # the same warnings as Django's
