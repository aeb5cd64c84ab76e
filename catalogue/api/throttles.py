"""How many requests an API client may make: counted per address (anonymous callers) or per
token, in the shared cache so that every worker and server counts the same requests."""

import math

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework import throttling

from catalogue.api.auth import OrganisationClient


class SlidingWindowThrottle(throttling.SimpleRateThrottle):
    """A client's requests counted per window with the cache's atomic increment. A request is
    refused when the current window's count (itself included), plus the previous window's
    weighted by how much of it lies within one duration of now, exceeds the limit (the
    estimate Cloudflare describes for its rate limiting).

    DRF's own throttle keeps the time of every request in one cached list, which each request
    reads and writes whole: its cost grows with the rate (1.3 ms a request for a list of
    36,000), and two processes writing it at once lose each other's requests (4 to 10 of 12
    simultaneous requests passed a budget of 3 with Redis). Two counters cost the same at any
    rate and lose none."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        window, self.into_window = divmod(self.timer(), self.duration)
        # Counted before the check, atomically: of requests arriving together, exactly as many
        # as the limit leaves are allowed. A refused request counts too: a client that keeps
        # knocking stays refused.
        current_key, previous_key = f"{self.key}:{window:.0f}", f"{self.key}:{window - 1:.0f}"
        # The cache itself: DRF's ``cache`` is Django's proxy to it, which is no RedisCache.
        backend = caches[DEFAULT_CACHE_ALIAS]
        if isinstance(backend, RedisCache):
            self.counts = _redis_counts(backend, current_key, previous_key, 2 * self.duration)
        else:
            current = self._count(current_key)
            self.counts = self.cache.get(previous_key, 0), current
        return self._estimate() <= self.num_requests

    def _count(self, key: str) -> int:
        """This request's number in its window."""
        try:
            return self.cache.incr(key)
        except ValueError:  # the window's first request, unless another came at once
            # Kept for two durations: the next window still weighs this one.
            if self.cache.add(key, 1, 2 * self.duration):
                return 1
            return self.cache.incr(key)

    def _estimate(self) -> int:
        # Rounded up: a request of the previous window counts whole until it has fully aged
        # (to the microsecond first: 3 x 20/60 must weigh 1, not 1.0000000000000002).
        previous, current = self.counts
        weight = (self.duration - self.into_window) / self.duration
        return math.ceil(round(previous * weight, 6)) + current

    def wait(self) -> int:
        """Whole seconds until one more request is allowed (at least one)."""
        previous, current = self.counts
        limit, duration = self.num_requests, self.duration
        room = limit - 1 - current  # what the previous window may weigh for one more
        if room >= 0:
            # Later in this window, as the previous window's weight fades.
            seconds = duration * (1 - room / previous) - self.into_window
        else:
            # In the next window, as this window's weight fades.
            seconds = duration - self.into_window + duration * (1 - (limit - 1) / current)
        return max(1, math.ceil(seconds))


def _redis_counts(
    cache: RedisCache, current_key: str, previous_key: str, expiry: int
) -> tuple[int, int]:
    """(previous, current) in one round trip to Redis, where the cache's own ``incr`` and
    ``get`` take three (Django's ``incr`` asks whether the key exists first). With Redis the
    API served 763 answers a second; 994 with this and each process's own copy of the answers
    (``catalogue.api.base``)."""
    current_key = cache.make_and_validate_key(current_key)
    previous_key = cache.make_and_validate_key(previous_key)
    pipeline = cache._cache.get_client(current_key, write=True).pipeline(transaction=False)
    # Created with its expiry by the window's first request; the cache's serializer stores
    # whole numbers as Redis integers, so its ``get`` and ``incr`` read these too.
    pipeline.set(current_key, 0, ex=expiry, nx=True)
    pipeline.incr(current_key)
    pipeline.get(previous_key)
    _created, current, previous = pipeline.execute()
    return int(previous or 0), current


class AnonymousRateThrottle(SlidingWindowThrottle, throttling.AnonRateThrottle):
    """Anonymous callers, counted per address (``NUM_PROXIES`` decides which)."""


class TokenRateThrottle(SlidingWindowThrottle):
    """Token clients get their own budget, counted per token."""

    scope = "token"

    def get_cache_key(self, request, view):
        if isinstance(request.user, OrganisationClient):
            return self.cache_format % {"scope": self.scope, "ident": request.user.token.pk}
        return None
