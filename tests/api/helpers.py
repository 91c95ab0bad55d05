"""What the API's tests share: a client with its token, and calls made with it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client
from django.utils import timezone

from projects.api.models import ApiClient, ApiScope
from projects.api.services import api_client_issue_token
from projects.models import Unit


def make_client(
    name: str = "省督查平台",
    *,
    scope: str = ApiScope.READ,
    units: tuple[str, ...] = (),
    addresses: str = "127.0.0.1\n10.0.0.0/8",
    rate_limit: int = 1000,
    expires_in: dt.timedelta = dt.timedelta(days=365),
    is_active: bool = True,
) -> tuple[ApiClient, str]:
    client = ApiClient(
        name=name,
        scope=scope,
        expires_at=timezone.now() + expires_in,
        rate_limit=rate_limit,
        allowed_addresses=addresses,
        is_active=is_active,
    )
    token = api_client_issue_token(client=client, actor=None)
    if units:
        client.units.set(Unit.objects.filter(name__in=units))
    return client, token


def get(token: str | None, url: str, *, address: str = "127.0.0.1", **params: Any):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().get(url, params, REMOTE_ADDR=address, **headers)


def post(token: str | None, url: str, body: Any, *, key: str | None = "k-1", address: str = "127.0.0.1"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().post(url, json.dumps(body), content_type="application/json", REMOTE_ADDR=address, **headers)
