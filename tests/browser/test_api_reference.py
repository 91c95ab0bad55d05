"""The API's reference page and the admin's token page, in Chromium: the reference (Swagger UI
from the app's own files) lists every endpoint under the site's CSP with nothing fetched from
outside; the system administrator creates a client and sees its token once."""

from __future__ import annotations

import re

import pytest

from projects.api.models import ApiClient
from projects.api.services import token_hash
from projects.models import Role
from projects.security.roles import account_role_apply, roles_ensure

from .conftest import log_in, screenshot
from .test_csp_in_browser import WATCH_VIOLATIONS

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_reference_page_lists_every_endpoint_with_local_assets(page, live_server):
    page.add_init_script(WATCH_VIOLATIONS)
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = set(page.locator(".opblock-summary-path").all_inner_texts())
    assert {"/api/v1/figures/", "/api/v1/progress/units/", "/api/v1/bulletin/", "/api/v1/plans/{id}/"} <= paths
    assert page.locator(".opblock-post").count() == 1  # the one write: a unit's figures
    assert page.evaluate("window.__cspViolations") == []
    screenshot(page, "api-reference")


def test_the_system_administrator_sees_a_new_clients_token_once(page, live_server, make_user, plan_2022):
    roles_ensure()
    admin = make_user(Role.SYSTEM_ADMIN, username="xitong-api")
    account_role_apply(user=admin)
    log_in(page, live_server, username="xitong-api", next_path="/admin/projects/apiclient/add/")
    page.goto(f"{live_server.url}/admin/projects/apiclient/add/")
    page.fill("input[name='name']", "市数据共享平台")
    page.fill("input[name='contact']", "市政务和大数据局 张工")
    page.fill("input[name='expires_at_0']", "2030-12-31")
    page.fill("input[name='expires_at_1']", "00:00:00")
    page.fill("textarea[name='allowed_addresses']", "10.20.0.0/16")
    with page.expect_navigation():
        page.click("input[name='_save']")
    token = page.locator("#api-token").inner_text()
    assert re.fullmatch(r"trk_[\w-]{43}", token)
    assert ApiClient.objects.get(name="市数据共享平台").token_hash == token_hash(token)
    screenshot(page, "api-token", full_page=False)
    page.goto(f"{live_server.url}/admin/projects/apiclient/")
    assert token not in page.content()
