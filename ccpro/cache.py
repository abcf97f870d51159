"""Django's Redis cache, minus a per-call cost: it builds a new `redis.Redis` client for every operation, and
redis-py's client constructor copies its table of ~170 response callbacks each time (about a third of a
cached price request's Redis time, docs/performance.md). This backend keeps one client per connection pool;
redis-py clients are thread-safe and hold no per-call state, the pool still hands out the connections."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


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
