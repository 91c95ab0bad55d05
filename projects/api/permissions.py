"""What a client's scope lets it do.

- ``read``: every read endpoint, every unit; no write.
- ``write``: the catalogue (plans, projects, tasks, indicators, units), and its named units' own
  figures, progress, alerts and notices; writes for those units only. The city-wide reads (the
  city's progress, the bulletin) are the read scope's.

A unit the client may not see does not exist for it (404), as on the site's pages."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from rest_framework import permissions

from projects.api.models import ApiClient, ApiScope
from projects.models import Unit


def client_of(request) -> ApiClient | None:
    return request.auth if isinstance(request.auth, ApiClient) else None


def readable_units(client: ApiClient) -> QuerySet[Unit] | None:
    """The units whose figures the client reads; None: all of them."""
    if client.scope == ApiScope.READ:
        return None
    return client.units.all()


def check_unit(client: ApiClient, unit_id: int | None) -> None:
    """A 404 for an explicit unit the client may not read."""
    units = readable_units(client)
    if unit_id is not None and units is not None and not units.filter(pk=unit_id).exists():
        raise Http404


class HasClient(permissions.BasePermission):
    """Any active client with a valid token."""

    def has_permission(self, request, view) -> bool:
        return client_of(request) is not None


class ReadScope(permissions.BasePermission):
    """City-wide reads: the read scope only."""

    def has_permission(self, request, view) -> bool:
        client = client_of(request)
        return client is not None and client.scope == ApiScope.READ


class WriteScope(permissions.BasePermission):
    """Writes: the write scope (the unit is checked by the service)."""

    def has_permission(self, request, view) -> bool:
        client = client_of(request)
        return client is not None and client.scope == ApiScope.WRITE
