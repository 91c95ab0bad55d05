"""Contract tests: the OpenAPI document validates, describes every endpoint, and the live server's
answers match it (schemathesis against pytest-django's live server, with real tokens).

The document is generated from the code when this module is collected (drf-spectacular), and the
live server serves the same one (``test_the_live_server_serves_the_document_tested``)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.management import call_command
from django.urls import URLPattern, get_resolver
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from projects.api.models import ApiScope
from projects.models import Answer
from tests.factories import UserFactory
from tests.hardening.conftest import _answered, _notice
from tests.reporting.conftest import unit

from .helpers import make_client

DOCUMENT = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(DOCUMENT)


@pytest.fixture
def api_tokens(plan_2022) -> dict[str, str]:
    # A notice in the supervision loop, answered and sent back, so that the notices' loop fields and
    # answers are checked against the document with values, not only as an empty list.
    notice = _notice(1, "2.1.1", "湖滨区政府", "市住房城乡建设局")
    answer = _answered(notice, UserFactory(username="c-hubin", unit=unit("湖滨区政府")), notice=notice)
    Answer.objects.filter(pk=answer.pk).update(
        outcome="sent_back",
        outcome_reason="请补充现场照片",
        verified_at=answer.answered_at,
        new_date=notice.deadline,
        figures=[
            {"indicator": "2.1.1", "name": "棚户区改造", "month": "2022-06", "figure": "3 套", "status": "已报送"}
        ],
    )
    _c, read = make_client("省督查平台")
    _c, write = make_client("湖滨区统计系统", scope=ApiScope.WRITE, units=("湖滨区政府",))
    return {"read": read, "write": write}


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_answers_match_the_document(case, live_server, api_tokens):
    token = api_tokens["write" if case.method == "POST" else "read"]
    # The generated case carries an empty bearer token where the document asks for one; a case
    # made to lack it (a negative case) is sent without, and must be refused.
    has_token = "Authorization" in (case.headers or {})
    # Every check but one: an id no row has is valid by the document (an integer) and refused by
    # the filters with a message (400), which "positive data acceptance" counts as a failure.
    case.call_and_validate(
        base_url=live_server.url,
        headers={"Authorization": f"Bearer {token}"} if has_token else None,
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )


def api_routes() -> set[str]:
    """The API's routes as the document writes them (``/api/v1/plans/{id}/``)."""
    resolver = get_resolver()
    api = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "api")
    routes = set()
    for pattern in api.url_patterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern).lstrip("^").rstrip("$").replace("(?P<pk>[^/]+)", "{id}")
        routes.add(f"/api/v1/{route}")
    return routes


def test_the_document_validates_without_a_warning(tmp_path):
    # drf-spectacular checks the document against the OpenAPI 3 schema; any warning fails.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "openapi.yaml"))
    assert (tmp_path / "openapi.yaml").read_text().startswith("openapi: 3.0")


def test_every_endpoint_is_described():
    described = set(DOCUMENT["paths"])
    data_routes = api_routes() - {"/api/v1/schema/", "/api/v1/docs/"}
    assert described == data_routes
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary") and operation.get("description"), f"{method} {path}"
            assert {"200", "401", "403", "429"} <= set(operation["responses"]), f"{method} {path}"
            assert operation["security"] == [{"ApiToken": []}], f"{method} {path}"


@pytest.mark.django_db
def test_the_server_serves_the_document_tested(client):
    served = client.get("/api/v1/schema/?format=json")
    assert served.status_code == 200
    assert served.json()["paths"] == DOCUMENT["paths"]
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    body = page.content.decode()
    # Swagger UI from the app's own static files (drf-spectacular-sidecar), no CDN, no inline script.
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    assert "http" not in body.replace("http-equiv", "")
    assert "<script>" not in body and "<style>" not in body
