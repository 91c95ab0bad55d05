"""Every admin URL × every role × GET and POST: no route writes an account or a group beyond
what the role may, judged on every field of every user and every group before and after.

The POSTs are attacks (by every role but the superuser, who may write anything): a change, add
or history-revert form as the superuser's browser would send it back, with a takeover overlaid (the attacker's e-mail, the superuser flag, an
administrator's role, every group and permission, a new password, "delete selected" on every
account); and, by the two administrators who may edit accounts, a plausible edit (an ordinary
role, the business group) that must still leave every field it may not set alone. The expectations below are
written by hand, per role, not computed by the rule they check.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from projects.models import Role, User
from tests.account_factories import UserFactory, account
from tests.test_settings_audit import admin_form_data

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Jie-Guan-2022-takeover"
ADMIN_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
ROLE_GROUP_NAMES = {"市政府督查室", "系统管理员", "安全管理员", "审计管理员"}
BUSINESS_GROUP = "审核人员"

# The actors: one account of each kind that can log in to the admin or try to.
ACTORS = ("unit", "leader", "staff", "office", "sys", "sec", "audit", "super")


@dataclass
class World:
    actors: dict[str, User]
    targets: dict[str, User]  # accounts whose routes are asked for
    groups: dict[str, Group]


@pytest.fixture
def world(plan_2022) -> World:
    actors = {
        "unit": UserFactory(username="a-unit"),
        "leader": UserFactory(username="a-leader", role=Role.LEADER),
        "staff": UserFactory(username="a-staff", is_staff=True),  # admin access, no role
        "office": account(Role.OFFICE, username="a-office"),
        "sys": account(Role.SYSTEM_ADMIN, username="a-sys"),
        "sec": account(Role.SECURITY_ADMIN, username="a-sec"),
        "audit": account(Role.AUDIT_ADMIN, username="a-audit"),
        "super": UserFactory(username="a-super", is_staff=True, is_superuser=True),
    }
    root = UserFactory(username="root", is_staff=True, is_superuser=True, email="root@tracker.example")
    # Once a superuser, now an ordinary account: reverting it to its first version must not
    # bring the flag back (the finding of issue 12).
    demoted = UserFactory(username="demoted", is_staff=True, is_superuser=True)
    demoted.is_superuser = False
    demoted.is_staff = False
    demoted.save()
    targets = {
        "root": root,
        "demoted": demoted,
        "sys2": account(Role.SYSTEM_ADMIN, username="t-sys"),
        "sec2": account(Role.SECURITY_ADMIN, username="t-sec"),
        "audit2": account(Role.AUDIT_ADMIN, username="t-audit"),
        "office2": account(Role.OFFICE, username="t-office"),
        "unit2": UserFactory(username="t-unit", email="t-unit@tracker.example"),
    }
    reviewers = Group.objects.create(name=BUSINESS_GROUP)
    reviewers.permissions.add(Permission.objects.get(codename="view_indicator"))
    groups = {g.name: g for g in Group.objects.all()}
    return World(actors=actors, targets=targets, groups=groups)


# --- the state compared before and after ----------------------------------------------------

USER_FIELDS = [f.attname for f in User._meta.concrete_fields if f.attname not in ("last_login",)]


def state() -> dict:
    """Every field of every user (but the time of the last login) and group, in four queries."""
    user_groups: dict[int, set[int]] = {}
    for user_id, group_id in User.groups.through.objects.values_list("user_id", "group_id"):
        user_groups.setdefault(user_id, set()).add(group_id)
    user_perms: dict[int, set[int]] = {}
    for user_id, perm_id in User.user_permissions.through.objects.values_list("user_id", "permission_id"):
        user_perms.setdefault(user_id, set()).add(perm_id)
    group_perms: dict[int, set[int]] = {}
    for group_id, perm_id in Group.permissions.through.objects.values_list("group_id", "permission_id"):
        group_perms.setdefault(group_id, set()).add(perm_id)
    users = {
        u["id"]: {
            **u,
            "groups": frozenset(user_groups.get(u["id"], ())),
            "user_permissions": frozenset(user_perms.get(u["id"], ())),
        }
        for u in User.objects.values(*USER_FIELDS)
    }
    groups = {
        pk: {"name": name, "permissions": frozenset(group_perms.get(pk, ()))}
        for pk, name in Group.objects.values_list("pk", "name")
    }
    return {"users": users, "groups": groups}


def changes(before: dict, after: dict) -> list[tuple[str, object, str]]:
    """(kind, id, field) of every difference; field "(created)" or "(deleted)" for whole rows."""
    out = []
    for kind in ("users", "groups"):
        for pk in before[kind].keys() | after[kind].keys():
            if pk not in after[kind]:
                out.append((kind, pk, "(deleted)"))
            elif pk not in before[kind]:
                out.append((kind, pk, "(created)"))
            else:
                out += [(kind, pk, f) for f, v in before[kind][pk].items() if after[kind][pk][f] != v]
    return out


# --- what each role may change, written by hand ---------------------------------------------


def role_group_ids(w: World) -> set[int]:
    return {w.groups[n].pk for n in ROLE_GROUP_NAMES}


def admin_permission_ids() -> set[int]:
    names = [
        ("projects", "view_auditrecord"), ("projects", "export_auditrecord"), ("projects", "purge_auditrecord"),
        ("projects", "add_user"), ("projects", "change_user"), ("projects", "delete_user"),
        ("auth", "change_group"), ("auth", "add_group"), ("axes", "delete_accessattempt"),
        ("axes", "view_accesslog"), ("django_celery_beat", "change_periodictask"),
    ]  # fmt: skip
    return {Permission.objects.get(content_type__app_label=a, codename=c).pk for a, c in names}


def ordinary(row: dict) -> bool:
    """Not a superuser's and not an administrator's account."""
    return not row["is_superuser"] and row["role"] not in ADMIN_ROLES


SYS_FIELDS = {"username", "first_name", "last_name", "email", "unit_id", "title", "phone", "receives_alerts",
              "is_active", "password"}  # fmt: skip
SEC_FIELDS = {"role", "groups", "is_active", "is_staff"}


def wrongs(actor: str, w: World, before: dict, after: dict) -> list[str]:
    """What changed that ``actor`` may not change."""
    out = []
    role_groups = role_group_ids(w)
    admin_perms = admin_permission_ids()
    me = w.actors[actor].pk
    for kind, pk, field in changes(before, after):
        was = before[kind].get(pk)
        now = after[kind].get(pk)
        label = f"{kind}:{(was or now).get('username') or (was or now).get('name')}.{field}"
        if actor == "super":
            continue  # break glass: the superuser may write anything
        if kind == "users":
            if field == "password" and pk == me:
                continue  # one's own password (the admin's own password page)
            if actor == "sys":
                if field == "(created)" and ordinary(now) and not now["is_staff"] and not now["groups"]:
                    continue
                if field == "(deleted)" and ordinary(was) and pk != me:
                    continue
                if field in SYS_FIELDS and ordinary(was):
                    continue
            business_role = now is not None and now["role"] in (Role.OFFICE, Role.UNIT, Role.LEADER)
            no_admin_group = now is not None and not (now["groups"] & role_groups) - {w.groups["市政府督查室"].pk}
            if actor == "sec" and ordinary(was) and field in SEC_FIELDS and business_role and no_admin_group:
                continue
        business_group = (was or now)["name"] not in ROLE_GROUP_NAMES
        if kind == "groups" and actor == "sec" and business_group and not (now and now["permissions"] & admin_perms):
            continue
        out.append(label)
    return out


# --- the URLs --------------------------------------------------------------------------------


def admin_url_patterns() -> list[tuple[str | None, str]]:
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found.append((p.name, prefix + str(p.pattern)))

    walk(admin.site.urls[0])
    return found


class Missing:
    """An object that does not exist: its routes are asked for all the same (404 or a redirect)."""

    pk = 999_999


def urls(w: World) -> list[tuple[str, str]]:
    """(what, url) for every admin URL pattern: each account and group for the account and group
    admins' object routes (every version for the history revert), one object for the others."""
    out: list[tuple[str, str]] = []
    objects: dict[str, list] = {
        f"{model._meta.app_label}_{model._meta.model_name}": [model._default_manager.order_by("pk").first() or Missing]
        for model in admin.site._registry
    }
    objects |= {"projects_user": list(w.targets.values()), "auth_group": list(Group.objects.order_by("pk"))}
    for name, pattern in admin_url_patterns():
        if name is None:
            continue  # the redirects of old change URLs and the catch-all: no view of their own
        if name == "app_list":
            out += [(f"app_list {a}", reverse("admin:app_list", args=[a])) for a in ("projects", "auth", "axes")]
            continue
        if name == "view_on_site" or name.endswith(("_config", "_qrcode", "_autocomplete")):
            out.append((name, f"/admin/{pattern}".replace("<path:content_type_id>", "1").replace(
                "<path:object_id>", "1").replace("<int:pk>", "1")))  # fmt: skip
            continue
        if not any(arg in pattern for arg in ("<path:object_id>", "<id>", "([^/]+)")):
            out.append((name, reverse(f"admin:{name}")))
            continue
        model_key = "_".join(pattern.split("/")[:2])  # "projects/user/<…>" → "projects_user"
        for obj in objects.get(model_key, []):
            if name.endswith("_simple_history") and obj is not Missing:
                versions = obj.history.order_by("history_id")
                for version in {versions.first(), versions.last()}:
                    args = [obj.pk, version.history_id]
                    out.append((f"{name} {obj} v{version.history_id}", reverse(f"admin:{name}", args=args)))
            elif not name.endswith("_simple_history"):
                out.append((f"{name} {obj}", reverse(f"admin:{name}", args=[obj.pk])))
    return out


def test_every_admin_url_pattern_is_asked_for(world):
    """A new admin route without a way to ask for it here fails this test."""
    asked = urls(world)
    for name, pattern in admin_url_patterns():
        if name is None or name == "app_list":
            continue
        assert any(name in what for what, _u in asked), f"admin URL {name} ({pattern}) is never asked for"
    assert len({u for _what, u in asked}) > 100


# --- the payloads ----------------------------------------------------------------------------


def payloads(superuser_client: Client | None, url: str, w: World) -> dict[str, dict]:
    page = superuser_client.get(url) if superuser_client else None
    has_form = page is not None and page.status_code == 200 and page.context and "adminform" in page.context
    base = admin_form_data(page) if has_form else {}
    every_user = [str(u.pk) for u in User.objects.all()]
    takeover = {
        "username": "takeover", "email": "attacker@evil.example", "first_name": "接管", "is_superuser": "on",
        "is_staff": "on", "role": Role.SECURITY_ADMIN, "groups": [str(g.pk) for g in Group.objects.all()],
        "user_permissions": [str(p) for p in Permission.objects.values_list("pk", flat=True)],
        "permissions": [str(p) for p in Permission.objects.values_list("pk", flat=True)], "name": "被改名",
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true", "post": "yes",
        "action": "delete_selected", "_selected_action": every_user, "index": "0",
    }  # fmt: skip
    plausible = {
        "email": "changed@tracker.example", "is_superuser": "on", "role": Role.LEADER,
        "groups": [str(w.groups[BUSINESS_GROUP].pk)], "is_active": "",
    }  # fmt: skip
    return {"takeover": base | takeover, "plausible": base | plausible}


def ask(client: Client, method: str, url: str, data: dict) -> tuple[int, dict, dict]:
    with transaction.atomic():
        before = state()
        response = client.get(url) if method == "GET" else client.post(url, data)
        after = state()
        transaction.set_rollback(True)
    return response.status_code, before, after


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="the admin-route matrix runs in the SQLite pass of `make test`: the rule it checks is Python, "
    "the same on both databases, and it asks about 3,000 requests",
)
@pytest.mark.parametrize("actor", ACTORS)  # one test per actor, so that parallel workers share them
def test_no_admin_route_writes_an_account_or_group_beyond_the_role(world, actor):
    root = Client()
    root.force_login(world.actors["super"])
    asks = []
    for what, url in urls(world):
        data = payloads(root, url, world)
        account_route = any(k in what for k in ("projects_user", "auth_user", "auth_group"))
        asks.append(
            (what, url, [("GET", {})] + [("POST", data[k]) for k in ("takeover", "plausible")[: 1 + account_route]])
        )
    problems = []
    client = Client()
    client.force_login(world.actors[actor])
    for what, url, requests in asks:
        for method, body in requests:
            if method == "POST" and actor == "super":
                continue  # break glass: the superuser may write anything, nothing to compare
            if body.get("role") == Role.LEADER and actor not in ("sys", "sec"):
                continue  # the plausible edit: only those who may edit accounts at all
            # (Each request is rolled back: a route that deleted the actor leaves it logged in.)
            status, before, after = ask(client, method, url, body)
            if what == "logout":
                client.force_login(world.actors[actor])
            bad = wrongs(actor, world, before, after)
            if bad:
                problems.append(f"as {actor}: {method} {what} ({url}) → {status}: {', '.join(sorted(bad))}")
    assert problems == [], "\n".join(problems)


def test_the_system_administrator_can_still_manage_ordinary_accounts(world):
    """The matrix above would pass if nothing could be written at all: the allowed writes work."""
    client = Client()
    client.force_login(world.actors["sys"])
    target = world.targets["unit2"]
    url = reverse("admin:projects_user_change", args=[target.pk])
    data = admin_form_data(client.get(url)) | {"email": "new@tracker.example", "is_active": ""}
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert target.email == "new@tracker.example" and not target.is_active
    password_url = reverse("admin:auth_user_password_change", args=[target.pk])
    body = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    assert client.post(password_url, body).status_code == 302
    target.refresh_from_db()
    assert target.check_password(NEW_PASSWORD)


def test_the_security_administrator_gives_ordinary_roles_and_business_groups(world):
    client = Client()
    client.force_login(world.actors["sec"])
    target = world.targets["unit2"]
    url = reverse("admin:projects_user_change", args=[target.pk])
    page = client.get(url)
    role_choices = {value for value, _label in page.context["adminform"].form.fields["role"].choices}
    assert role_choices == {Role.OFFICE, Role.UNIT, Role.LEADER}
    data = admin_form_data(page) | {"role": Role.OFFICE, "groups": [str(world.groups[BUSINESS_GROUP].pk)]}
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert target.role == Role.OFFICE and target.is_staff
    assert set(target.groups.values_list("name", flat=True)) == {"市政府督查室", BUSINESS_GROUP}
