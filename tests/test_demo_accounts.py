"""Demo accounts: one per role, passwords printed once and stored only as hashes."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from projects.models import Role, User

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("create_demo_accounts", *args, stdout=out)
    return out.getvalue()


def passwords(output):
    return dict(re.findall(r"^\s+(\w+)\s.*\s(\S{16})$", output, flags=re.M))


def test_one_account_per_role_with_working_printed_passwords(plan_2022):
    shown = passwords(run())
    assert set(shown) == {
        "duchashi",
        "zhujian",
        "hubin",
        "shanzhou",
        "yima",
        "lingbao",
        "mianchi",
        "lushi",
        "fushizhang",
        "xitong",
        "anquan",
        "shenji",
    }
    assert (
        authenticate(RequestFactory().post("/accounts/login/"), username="hubin", password=shown["hubin"]).unit.name
        == "湖滨区政府"
    )
    assert User.objects.get(username="duchashi").role == Role.OFFICE
    leader = User.objects.get(username="fushizhang")
    assert sorted(leader.portfolio.values_list("number", flat=True)) == [2, 6, 10]
    assert User.objects.filter(role=Role.UNIT, unit__kind="county").count() == 6
    # The three administrators, one account each, none of them the office or a superuser.
    admins = {u.username: u.role for u in User.objects.filter(role__in=["sysadmin", "secadmin", "auditadmin"])}
    assert admins == {"xitong": Role.SYSTEM_ADMIN, "anquan": Role.SECURITY_ADMIN, "shenji": Role.AUDIT_ADMIN}
    assert not User.objects.filter(is_superuser=True).exists()


def test_passwords_are_printed_once_and_not_stored_in_clear(plan_2022):
    first = passwords(run())
    again = run()
    assert passwords(again) == {}
    assert "已存在" in again
    user = User.objects.get(username="lushi")
    assert first["lushi"] not in user.password
    reset = passwords(run("--reset"))
    assert reset["lushi"] != first["lushi"]
