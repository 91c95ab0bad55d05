"""Every endpoint of the API, GET and POST, as every kind of caller, with its own unit's and other
units' ids.

The site's matrix (test_permission_matrix.py) counts the API as one entry and checks that a
person's session opens none of it; this table is the API's. It is checked against the URL
configuration: an API route without a row fails ``test_every_api_route_has_a_row``.

Callers (one column each):

    none     no token                      bad      a token nobody holds
    expired  a client past its expiry      off      a client switched off
    far      a good token from an address its allow-list does not hold
    read     the read scope (every unit)   write    the write scope for 湖滨区政府 only

Answers: the HTTP status. Each request runs in a savepoint that is rolled back; behind every
refusal the database is checked to be unchanged (the figures, the idempotency keys).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from projects.api.models import ApiScope, IdempotencyKey
from projects.models import Submission
from tests.api.helpers import make_client

from .conftest import JUNE, World, indicator

pytestmark = pytest.mark.django_db

CALLERS = ("none", "bad", "expired", "off", "far", "read", "write")

#                       method none bad  exp  off  far  read write
TABLE = """
plans                   GET    401  401  401  401  403  200  200
plans                   POST   401  401  401  401  403  405  405
plan                    GET    401  401  401  401  403  200  200
plan                    POST   401  401  401  401  403  405  405
projects                GET    401  401  401  401  403  200  200
projects                POST   401  401  401  401  403  405  405
tasks                   GET    401  401  401  401  403  200  200
tasks                   POST   401  401  401  401  403  405  405
# The catalogue is everyone's: it names every unit anyway.
indicators:other        GET    401  401  401  401  403  200  200
indicators:other        POST   401  401  401  401  403  405  405
units                   GET    401  401  401  401  403  200  200
units                   POST   401  401  401  401  403  405  405
# City-wide reads are the read scope's.
progress_city           GET    401  401  401  401  403  200  403
progress_city           POST   401  401  401  401  403  405  403
progress_units          GET    401  401  401  401  403  200  200
progress_units          POST   401  401  401  401  403  405  405
progress_units:own      GET    401  401  401  401  403  200  200
progress_units:other    GET    401  401  401  401  403  200  404
alerts                  GET    401  401  401  401  403  200  200
alerts                  POST   401  401  401  401  403  405  405
alerts:own              GET    401  401  401  401  403  200  200
alerts:other            GET    401  401  401  401  403  200  404
notices                 GET    401  401  401  401  403  200  200
notices                 POST   401  401  401  401  403  405  405
notices:own             GET    401  401  401  401  403  200  200
notices:other           GET    401  401  401  401  403  200  404
# The supervision loop's filters: the state and the overdue ones narrow, never widen, what a client reads.
notices:answered        GET    401  401  401  401  403  200  200
notices:overdue         GET    401  401  401  401  403  200  200
notices:own:issued      GET    401  401  401  401  403  200  200
notices:other:issued    GET    401  401  401  401  403  200  404
notices:other:overdue   GET    401  401  401  401  403  200  404
bulletin                GET    401  401  401  401  403  200  403
bulletin                POST   401  401  401  401  403  405  403
figures:own             GET    401  401  401  401  403  200  200
figures:other           GET    401  401  401  401  403  200  404
figures:own             POST   401  401  401  401  403  403  200
figures:other           POST   401  401  401  401  403  403  404
# The OpenAPI document and its reference page hold no data: public.
schema                  GET    200  200  200  200  200  200  200
schema                  POST   405  405  405  405  405  405  405
docs                    GET    200  200  200  200  200  200  200
docs                    POST   405  405  405  405  405  405  405
"""

OWN, OTHER = "county", "other"  # the hardening world's 湖滨区政府 and 三门峡供电公司


@dataclass(frozen=True)
class Case:
    url_name: str
    url: Callable[[World], str]
    body: Callable[[World], dict] = lambda w: {}


def _plan(w: World) -> int:
    return indicator("2.1.1").task.project.plan_id


def _list(path: str, unit: str | None = None, month: bool = False, **extra: str) -> Callable[[World], str]:
    def url(w: World) -> str:
        params = []
        if month:
            params += [f"plan={_plan(w)}", f"month={JUNE:%Y-%m}"]
        if unit:
            params.append(f"unit={w.units[unit].pk}")
        params += [f"{name}={value}" for name, value in extra.items()]
        return f"/api/v1/{path}" + (f"?{'&'.join(params)}" if params else "")

    return url


def _figures(unit: str, code: str, key: str) -> Callable[[World], dict]:
    return lambda w: {
        "unit": w.units[unit].pk,
        "month": f"{JUNE:%Y-%m}",
        "figures": [{"indicator": indicator(code).pk, "version": w.submissions[key].version, "value": 4}],
    }


CASES: dict[str, Case] = {
    "plans": Case("api:plans", _list("plans/")),
    "plan": Case("api:plan", lambda w: f"/api/v1/plans/{_plan(w)}/"),
    "projects": Case("api:projects", _list("projects/")),
    "tasks": Case("api:tasks", _list("tasks/")),
    "indicators:other": Case("api:indicators", _list("indicators/", OTHER)),
    "units": Case("api:units", _list("units/")),
    "progress_city": Case("api:progress_city", _list("progress/city/", month=True)),
    "progress_units": Case("api:progress_units", _list("progress/units/", month=True)),
    "progress_units:own": Case("api:progress_units", _list("progress/units/", OWN, month=True)),
    "progress_units:other": Case("api:progress_units", _list("progress/units/", OTHER, month=True)),
    "alerts": Case("api:alerts", _list("alerts/")),
    "alerts:own": Case("api:alerts", _list("alerts/", OWN)),
    "alerts:other": Case("api:alerts", _list("alerts/", OTHER)),
    "notices": Case("api:notices", _list("notices/")),
    "notices:own": Case("api:notices", _list("notices/", OWN)),
    "notices:other": Case("api:notices", _list("notices/", OTHER)),
    "notices:answered": Case("api:notices", _list("notices/", state="answered")),
    "notices:overdue": Case("api:notices", _list("notices/", overdue="false")),
    "notices:own:issued": Case("api:notices", _list("notices/", OWN, state="issued")),
    "notices:other:issued": Case("api:notices", _list("notices/", OTHER, state="issued")),
    "notices:other:overdue": Case("api:notices", _list("notices/", OTHER, overdue="true")),
    "bulletin": Case("api:bulletin", _list("bulletin/", month=True)),
    "figures:own": Case("api:figures", _list("figures/", OWN, month=True), _figures(OWN, "2.1.1", "county_sent")),
    "figures:other": Case("api:figures", _list("figures/", OTHER, month=True), _figures(OTHER, "10.4.1", "other_sent")),
    "schema": Case("api:schema", lambda w: "/api/v1/schema/"),
    "docs": Case("api:docs", lambda w: "/api/v1/docs/"),
}


def parse_table(text: str) -> dict[tuple[str, str], dict[str, int]]:
    rows: dict[tuple[str, str], dict[str, int]] = {}
    for line in text.strip().splitlines():
        line = line.split("#", 1)[0]
        if not line.strip():
            continue
        case, method, *answers = line.split()
        assert len(answers) == len(CALLERS), f"{case} {method}: {len(answers)} answers"
        assert (case, method) not in rows, f"{case} {method} twice"
        rows[(case, method)] = dict(zip(CALLERS, map(int, answers), strict=True))
    return rows


EXPECTED = parse_table(TABLE)


def api_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, ":".join(filter(None, [namespace, pattern.namespace])) or None)
            elif isinstance(pattern, URLPattern) and namespace == "api":
                names.add(f"api:{pattern.name}")

    walk(get_resolver().url_patterns, None)
    return names


def test_every_api_route_has_a_row_with_get_and_post():
    assert {case for case, _m in EXPECTED} == set(CASES)
    for method in ("GET", "POST"):
        covered = {CASES[case].url_name for case, m in EXPECTED if m == method}
        assert covered == api_route_names(), f"API routes never asked with {method}"


@pytest.fixture
def tokens(world) -> dict[str, str | None]:
    caches["api_rate"].clear()  # the rate limits' counters
    tokens: dict[str, str | None] = {"none": None, "bad": "trk_nobody-holds-this-token"}
    _c, tokens["expired"] = make_client("过期的平台", expires_in=-dt.timedelta(minutes=1))
    _c, tokens["off"] = make_client("停用的平台", is_active=False)
    _c, tokens["far"] = make_client("外网的平台", addresses="192.0.2.0/24")
    _c, tokens["read"] = make_client("省督查平台")
    _c, tokens["write"] = make_client("湖滨区统计系统", scope=ApiScope.WRITE, units=("湖滨区政府",))
    return tokens


def state() -> tuple:
    return (
        list(Submission.objects.order_by("pk").values_list("pk", "status", "value", "version")),
        list(IdempotencyKey.objects.values_list("pk", flat=True)),
    )


def ask(method: str, url: str, token: str | None, body: dict, key: str) -> tuple[int, bool, dict | None]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    with transaction.atomic():
        before = state()
        if method == "GET":
            response = Client().get(url, **headers)
        else:
            response = Client().post(
                url, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **headers
            )
        changed = state() != before
        transaction.set_rollback(True)
    data = response.json() if response.get("Content-Type", "").startswith("application/json") else None
    return response.status_code, changed, data


@pytest.mark.parametrize("caller", CALLERS)
def test_the_api_permission_matrix(world, tokens, caller):
    wrong: list[str] = []
    for number, ((case_name, method), answers) in enumerate(EXPECTED.items()):
        case = CASES[case_name]
        url = case.url(world)
        if method == "POST":
            url = url.split("?")[0]  # a write says its plan, month and unit in its body, not the query
        got, changed, data = ask(method, url, tokens[caller], case.body(world), key=f"matrix-{number}")
        expected = answers[caller]
        if got != expected:
            wrong.append(f"{case_name:22} {method:4} expected {expected} got {got} ({url}) {data}")
        elif expected >= 400 and changed:
            wrong.append(f"{case_name:22} {method:4} refused but the database changed")
        elif method == "POST" and expected == 200 and not changed:
            wrong.append(f"{case_name:22} {method:4} answered 200 but stored nothing")
    assert wrong == [], f"as {caller}:\n" + "\n".join(wrong)


def test_a_write_client_lists_only_its_own_units_rows(world, tokens):
    own = world.units[OWN].pk
    for case_name in ("progress_units", "alerts", "notices", "figures:own"):
        status, _changed, data = ask("GET", CASES[case_name].url(world).split("&unit=")[0], tokens["write"], {}, "")
        assert status == 200
        assert data["results"], f"{case_name}: the world has rows of its own unit"
        assert {row["unit_id"] for row in data["results"]} == {own}, case_name
        # The read scope sees the other units' rows too.
        _s, _c, everything = ask("GET", CASES[case_name].url(world).split("&unit=")[0], tokens["read"], {}, "")
        assert {row["unit_id"] for row in everything["results"]} > {own}, case_name


def test_the_loops_filters_never_show_a_write_client_another_units_notice(world, tokens):
    """The hardening world: 湖滨区政府's notice answered, 三门峡供电公司's still to be signed for."""
    own, other = world.notices["county"], world.notices["other"]

    def ids(token: str, **params: str) -> list[int]:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        status, _changed, data = ask("GET", f"/api/v1/notices/?{query}", token, {}, "")
        assert status == 200, data
        return [row["id"] for row in data["results"]]

    assert ids(tokens["read"], state="issued") == [other.pk]
    assert ids(tokens["write"], state="issued") == []
    assert ids(tokens["read"], state="answered") == ids(tokens["write"], state="answered") == [own.pk]
    # 3 July 2022: both deadlines (5 August) are ahead.
    assert ids(tokens["write"], overdue="false") == [own.pk]
    assert sorted(ids(tokens["read"], overdue="false")) == sorted([own.pk, other.pk])
    assert ids(tokens["read"], overdue="true") == []
