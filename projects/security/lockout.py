"""Lockout after repeated failed logins (django-axes), per account and per address.

- An account is locked after AXES_FAILURE_LIMIT failures (5) from any address: guessing one
  account's password from many addresses does not help.
- An address is locked after TRACKER_LOCKOUT_ADDRESS_LIMIT failures (20) across accounts: a spray
  of a few guesses at many accounts from one address is stopped. The limit is higher than the
  account's because an office's computers often share one address (NAT): five typos by five
  colleagues must not lock the whole office out.
- A lock lifts AXES_COOLOFF_TIME after the last attempt, or when the security administrator
  deletes its row in the admin (Axes → access attempts), which is recorded as an unlock.

django-axes counts one limit over every lockout parameter, so the handler weighs the address's
failures to the account's scale; each failure, lockout and unlock is also a security event, kept
in the audit trail whatever django-axes later trims from its own tables.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

ACCOUNT, ADDRESS = "account", "address"


def _failures(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LockoutHandler(AxesDatabaseHandler):
    """AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]: the first queryset is the account's
    attempts from any address, the second the address's attempts at any account."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        by_account, by_address = (_failures(qs) for qs in self.get_user_attempts(request, credentials))
        account_limit = settings.AXES_FAILURE_LIMIT
        address_limit = settings.TRACKER_LOCKOUT_ADDRESS_LIMIT
        weighed = by_address * account_limit // address_limit
        request.tracker_lockout_scope = ACCOUNT if by_account >= weighed else ADDRESS
        return max(by_account, weighed)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """A successful login forgives the account's own failures only, not the others' from its
        address: logging in between guesses must not reset the address's count."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """The page a locked-out login gets: what happened, to what, for how long, whom to ask."""
    scope = getattr(request, "tracker_lockout_scope", ACCOUNT)
    cool_off = get_cool_off(request)
    context = {
        "scope": scope,
        "failure_limit": settings.AXES_FAILURE_LIMIT if scope == ACCOUNT else settings.TRACKER_LOCKOUT_ADDRESS_LIMIT,
        "minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        "username": get_client_username(request, credentials) or "",
    }
    return render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
