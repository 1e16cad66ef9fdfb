"""The shared Redis cache of production (CACHE_URL=redis://…), with one Redis client per connection pool.

Django's Redis backend builds a new `redis.Redis` for every cache operation, and with it a table of some 170 response
callbacks: about 0.13 ms of CPU, as much as the operation itself, and a cached public page is one operation
(civpost/versions.py). The client holds no connection of its own (its pool does, and renews them in a forked
worker), so one per pool serves every operation of the process."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClients(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        if index not in self._clients:
            self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return self._clients[index]


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClients
