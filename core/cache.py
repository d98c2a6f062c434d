"""The shared cache's connections to Redis, failing fast while Redis is away.

The cache only speeds things up (settings: CACHES). When Redis cannot be
reached, every cache operation of a page would wait for its own connection
attempt; a page makes several (the session, the user's roles, its own data).
This pool remembers the failure: for `RETRY_AFTER` seconds this process does
not try again, and each operation misses at once, so a page waits for at most
one attempt, and then for none until Redis is tried again.
"""

import time

import redis

RETRY_AFTER = 5.0


class FailFastConnectionPool(redis.ConnectionPool):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unreachable_until = 0.0

    def get_connection(self, *args, **kwargs):
        if time.monotonic() < self.unreachable_until:
            raise redis.ConnectionError("Redis could not be reached a moment ago; not tried again yet.")
        try:
            connection = super().get_connection(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError):
            self.unreachable_until = time.monotonic() + RETRY_AFTER
            raise
        self.unreachable_until = 0.0
        return connection
