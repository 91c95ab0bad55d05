"""API clients: made by the system administrator in the admin, the token shown once and stored
hashed, refused once expired, switched off, from another address or over its rate."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.utils import timezone

from projects.api.models import ApiClient, ApiScope
from projects.api.services import token_hash
from projects.audit.models import AuditRecord
from projects.models import Role
from projects.security.roles import account_role_apply, roles_ensure
from tests.factories import UserFactory

from .helpers import get, make_client

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/plans/"


def administrator(role: str, username: str):
    roles_ensure()
    user = UserFactory(username=username, role=role)
    account_role_apply(user=user)
    return user


def test_the_system_administrator_makes_a_client_and_sees_its_token_once(client, plan_2022):
    client.force_login(administrator(Role.SYSTEM_ADMIN, "sysadmin"))
    expires = (timezone.localtime() + dt.timedelta(days=90)).replace(microsecond=0)
    response = client.post(
        "/admin/projects/apiclient/add/",
        {
            "name": "市数据共享平台",
            "contact": "大数据局 张工 0398-0000000",
            "scope": ApiScope.READ,
            "expires_at_0": expires.strftime("%Y-%m-%d"),
            "expires_at_1": expires.strftime("%H:%M:%S"),
            "rate_limit": 30,
            "allowed_addresses": "10.20.0.0/16\n127.0.0.1",
            "is_active": "on",
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    page = response.content.decode()
    token = re.search(r'<code id="api-token">(trk_[A-Za-z0-9_-]+)</code>', page).group(1)
    assert "它只显示这一次" in page
    stored = ApiClient.objects.get(name="市数据共享平台")
    # Only the hash is kept: the token is nowhere in the database.
    assert stored.token_hash == token_hash(token) != token
    assert token not in str(list(ApiClient.objects.values()))
    assert token not in str(list(AuditRecord.objects.values("detail", "object_repr")))
    assert stored.token_prefix == token[:10]
    # The client's page does not show it again.
    assert token not in client.get(f"/admin/projects/apiclient/{stored.pk}/change/").content.decode()
    assert get(token, PLANS).status_code == 200
    issued = AuditRecord.objects.get(action="api.token_issue")
    assert issued.actor_username == "sysadmin" and issued.detail["prefix"] == stored.token_prefix


def test_a_new_token_replaces_the_old_one(client, plan_2022):
    api, old = make_client()
    client.force_login(administrator(Role.SYSTEM_ADMIN, "sysadmin"))
    response = client.post("/admin/projects/apiclient/", {"action": "issue_new_token", "_selected_action": [api.pk]})
    new = re.search(r'<code id="api-token">(trk_[A-Za-z0-9_-]+)</code>', response.content.decode()).group(1)
    assert new != old
    assert get(old, PLANS).status_code == 401
    assert get(new, PLANS).status_code == 200


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.OFFICE])
def test_no_other_role_makes_clients(client, plan_2022, role):
    client.force_login(administrator(role, f"u-{role}"))
    assert client.get("/admin/projects/apiclient/add/").status_code == 403
    assert client.post("/admin/projects/apiclient/add/", {"name": "x"}).status_code == 403
    assert not ApiClient.objects.exists()


def test_a_write_client_names_its_units_and_a_read_client_none(client, plan_2022):
    client.force_login(administrator(Role.SYSTEM_ADMIN, "sysadmin"))
    response = client.post(
        "/admin/projects/apiclient/add/",
        {
            "name": "市统计局系统", "scope": ApiScope.WRITE, "expires_at_0": "2030-01-01", "expires_at_1": "00:00:00",
            "rate_limit": 60, "allowed_addresses": "10.1.2.3",
        },
    )  # fmt: skip
    assert "报送权限须指定可报送的单位" in response.content.decode()
    response = client.post(
        "/admin/projects/apiclient/add/",
        {
            "name": "市统计局系统", "scope": ApiScope.READ, "expires_at_0": "2030-01-01", "expires_at_1": "00:00:00",
            "rate_limit": 60, "allowed_addresses": "不是地址",
        },
    )  # fmt: skip
    assert "“不是地址”不是有效的地址或网段" in response.content.decode()
    assert not ApiClient.objects.exists()


def test_an_expired_or_switched_off_token_is_refused(plan_2022):
    _a, expired = make_client("甲", expires_in=-dt.timedelta(seconds=1))
    _b, off = make_client("乙", is_active=False)
    for token, message in ((expired, "已过期"), (off, "无效或已停用"), ("trk_guess", "无效或已停用")):
        response = get(token, PLANS)
        assert response.status_code == 401
        assert message in response.json()["detail"]
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert get(None, PLANS).status_code == 401


def test_only_the_allowed_addresses_get_in(plan_2022):
    _c, token = make_client(addresses="10.20.0.0/16\n127.0.0.1")
    assert get(token, PLANS, address="10.20.3.4").status_code == 200
    refused = get(token, PLANS, address="10.21.0.1")
    assert refused.status_code == 403
    assert "10.21.0.1" in refused.json()["detail"]
    call = AuditRecord.objects.filter(action="api.call").latest("seq")
    assert (call.address, call.result, call.detail["status"]) == ("10.21.0.1", "failure", 403)


def test_each_client_has_its_own_rate_limit(plan_2022):
    caches["api_rate"].clear()
    _a, slow = make_client("甲", rate_limit=3)
    _b, fast = make_client("乙", rate_limit=100)
    answers = [get(slow, PLANS) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 60
    assert get(fast, PLANS).status_code == 200  # another client's count is its own


def test_every_call_is_in_the_audit_trail(plan_2022):
    api, token = make_client("省督查平台")
    before = AuditRecord.objects.filter(action="api.call").count()
    get(token, PLANS, year=2022)
    get(token, "/api/v1/progress/city/")  # plan missing: refused
    get(None, PLANS)
    calls = list(AuditRecord.objects.filter(action="api.call").order_by("seq"))[before:]
    assert [(c.actor_username, c.via, c.result, c.detail["status"]) for c in calls] == [
        ("api:省督查平台", "api", "success", 200),
        ("api:省督查平台", "api", "failure", 400),
        ("", "api", "failure", 401),
    ]
    assert calls[0].detail["query"] == {"year": "2022"} and calls[0].source == "GET /api/v1/plans/"
    assert calls[0].object_id == str(api.pk)
