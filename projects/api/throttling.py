"""Each client's own rate limit (calls per minute, set by the system administrator)."""

from __future__ import annotations

import logging

from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from projects.api.permissions import client_of

logger = logging.getLogger(__name__)


class ClientRateThrottle(SimpleRateThrottle):
    scope = "api_client"
    cache = caches["api_rate"]

    def get_rate(self) -> str | None:
        return None  # set per client in allow_request

    def allow_request(self, request, view) -> bool:
        client = client_of(request)
        if client is None:
            return True  # refused by authentication or permissions anyway
        self.num_requests, self.duration = client.rate_limit, 60
        self.key = self.cache_format % {"scope": self.scope, "ident": client.pk}
        try:
            self.history = self.cache.get(self.key, [])
            self.now = self.timer()
            while self.history and self.history[-1] <= self.now - self.duration:
                self.history.pop()
            if len(self.history) >= self.num_requests:
                return self.throttle_failure()
            return self.throttle_success()
        except Exception:  # the counter's store (Redis) is down: the call goes on, uncounted
            logger.exception("API rate limit not counted for client %s", client.pk)
            return True
