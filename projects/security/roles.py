"""Roles, their permissions, and who may write which account or group (三员分立).

One rule, in one place, for every admin route that writes a user or a group (change, add, delete,
password, history revert, bulk actions): ``account_writable_fields`` and ``group_writable``.

- The three administrators are kept apart: the system administrator (系统管理员) manages
  accounts, units, plans and the job schedules; the security administrator (安全管理员) roles,
  groups and their permissions, lockouts and second factors; the audit administrator (审计管理员)
  reads and exports the audit trail and nothing else. An account has one role, so it never holds
  two of them, and ``projects.security.backends.RoleBackend`` grants a role group's permissions
  only to accounts of that role.
- The supervision office (督查室) is a business role: its pages, plus the plan's allocations,
  the alerts and who is told what in the admin. It writes no account and no group.
- The superuser is for break glass only: the one account that may write an administrator's or a
  superuser's account. Each of its logins is recorded and announced (``projects.security.events``).

Permissions are named by ``app_label.codename`` and resolved when ``roles_ensure`` runs (after
the migrations, from ``setup_roles`` and ``create_demo_accounts``), so a role may name the
permissions of a model that a later migration creates: they apply once it exists.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from projects.models import Role, User

__all__ = [
    "ADMIN_ROLES",
    "ROLE_GROUPS",
    "ROLE_PERMISSIONS",
    "TWO_FACTOR_ROLES",
    "account_is_protected",
    "account_role_apply",
    "account_writable_fields",
    "administrator_permissions",
    "grantable_roles",
    "group_writable",
    "may_delete_account",
    "may_set_password",
    "roles_ensure",
    "two_factor_required",
]

ADMIN_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
BUSINESS_ROLES = (Role.OFFICE, Role.UNIT, Role.LEADER)
# Roles that must log in with a second factor where TRACKER_TWO_FACTOR_REQUIRED is on.
TWO_FACTOR_ROLES = (Role.OFFICE, *ADMIN_ROLES)
# Roles that work in the admin (their staff flag follows the role).
STAFF_ROLES = (Role.OFFICE, *ADMIN_ROLES)

# The group that carries each role's permissions; its members are the accounts of that role.
ROLE_GROUPS: dict[str, str] = {
    Role.OFFICE: "市政府督查室",
    Role.SYSTEM_ADMIN: "系统管理员",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.AUDIT_ADMIN: "审计管理员",
}


def _crud(app: str, *models: str, actions: tuple[str, ...] = ("view", "add", "change", "delete")) -> list[str]:
    return [f"{app}.{action}_{model}" for model in models for action in actions]


_CATALOGUE = ("unit", "plan", "project", "task", "taskunit", "indicator", "assignment")
_BEAT = ("periodictask", "intervalschedule", "crontabschedule", "solarschedule", "clockedschedule")

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # The office's everyday work in the admin: splitting targets among units, indicators' monthly
    # plans and stages, the plan's calendar and light bands, units' contact people, the leaders of
    # each project, the alerts and notices, and who is told what (rules, group robots).
    Role.OFFICE: [
        *_crud("projects", "plan", "project", "indicator", "unit", actions=("view", "change")),
        *_crud("projects", "task", "taskunit", actions=("view",)),
        *_crud("projects", "assignment", "webhookendpoint"),
        *_crud("projects", "alert", "supervisionnotice", "message", actions=("view",)),
        *_crud("projects", "delivery", "notificationrule", actions=("view", "change")),
    ],
    # Accounts (not their roles), units, plans and the job schedules.
    Role.SYSTEM_ADMIN: [
        *_crud("projects", *_CATALOGUE),
        *_crud("projects", "user"),
        *_crud("django_celery_beat", *_BEAT),
    ],
    # Roles and groups with their permissions, lockouts, second factors.
    Role.SECURITY_ADMIN: [
        "projects.view_user",
        "projects.change_user",
        *_crud("auth", "group"),
        "auth.view_permission",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        *_crud("otp_totp", "totpdevice", actions=("view", "delete")),
        *_crud("otp_static", "staticdevice", actions=("view", "delete")),
    ],
    # The audit trail and the login records: read and export; purge what is past its keeping.
    Role.AUDIT_ADMIN: [
        "projects.view_auditrecord",
        "projects.export_auditrecord",
        "projects.purge_auditrecord",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
        "axes.view_accessattempt",
    ],
}

# What each role may set on an ordinary account (not a superuser's, not an administrator's).
_ACCOUNT_FIELDS: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset(
        {"username", "first_name", "last_name", "email", "unit", "title", "phone", "receives_alerts", "is_active"}
    ),
    Role.SECURITY_ADMIN: frozenset({"role", "groups", "is_active"}),
}
# The superuser sets these too; the rest (password hash, last login, staff flag) follow from
# actions (a password form, a login, the role), never typed in a form.
_SUPERUSER_FIELDS = frozenset(
    {*_ACCOUNT_FIELDS[Role.SYSTEM_ADMIN], *_ACCOUNT_FIELDS[Role.SECURITY_ADMIN], "is_superuser"}
)


def _q(names: list[str]) -> Q:
    q = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".", 1)
        q |= Q(content_type__app_label=app_label, codename=codename)
    return q


def administrator_permissions() -> Q:
    """The permissions only an administrator role may hold (none of the office's): a business
    group can never carry them."""
    office = set(ROLE_PERMISSIONS[Role.OFFICE])
    return _q(sorted({p for role in ADMIN_ROLES for p in ROLE_PERMISSIONS[role]} - office))


@transaction.atomic
def roles_ensure() -> dict[str, Group]:
    """Create the role groups with exactly their permissions (those that exist by now), and put
    every account into its role's group and no other role group. Safe to run again."""
    groups: dict[str, Group] = {}
    for role, name in ROLE_GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(_q(ROLE_PERMISSIONS[role])))
        groups[role] = group
    for user in User.objects.filter(Q(role__in=ROLE_GROUPS) | Q(groups__in=groups.values())).distinct():
        account_role_apply(user=user, groups=groups)
    return groups


def staff_for(user: User) -> bool:
    """The staff flag an account's role gives it: the office and the administrators work in the
    admin, and the superuser."""
    return user.role in STAFF_ROLES or user.is_superuser


def account_role_apply(*, user: User, groups: dict[str, Group] | None = None) -> None:
    """Make the account's role group and staff flag follow its role (writing only what differs,
    so that the account's history shows real changes only)."""
    groups = groups or {role: Group.objects.get_or_create(name=name)[0] for role, name in ROLE_GROUPS.items()}
    held = set(user.groups.filter(name__in=ROLE_GROUPS.values()).values_list("pk", flat=True))
    own = groups.get(user.role)
    extra = [g for g in groups.values() if g.pk in held and g != own]
    if extra:
        user.groups.remove(*extra)
    if own is not None and own.pk not in held:
        user.groups.add(own)
    if user.is_staff != staff_for(user):
        user.is_staff = staff_for(user)
        user.save(update_fields=["is_staff"])


# --- who may write what ---------------------------------------------------------------------


def account_is_protected(user: User) -> bool:
    """A superuser's or an administrator's account: only the superuser writes it."""
    return user.is_superuser or user.role in ADMIN_ROLES


def _actor_role(actor: User) -> str | None:
    if not (actor.is_authenticated and actor.is_active):
        return None
    return "superuser" if actor.is_superuser else actor.role


def account_writable_fields(actor: User, target: User | None) -> frozenset[str]:
    """The fields of ``target`` (None: a new account) that ``actor`` may set; empty when it may
    not write the account at all. Every admin route that writes an account obeys this."""
    role = _actor_role(actor)
    if role == "superuser":
        return _SUPERUSER_FIELDS
    if role not in _ACCOUNT_FIELDS or (target is not None and account_is_protected(target)):
        return frozenset()
    return _ACCOUNT_FIELDS[role]


def may_set_password(actor: User, target: User) -> bool:
    """Setting another's password is the system administrator's (the superuser's for
    administrators and superusers); everyone changes their own on the password page."""
    return "username" in account_writable_fields(actor, target)


def may_delete_account(actor: User, target: User) -> bool:
    return target.pk != actor.pk and "username" in account_writable_fields(actor, target)


def grantable_roles(actor: User) -> tuple[str, ...]:
    """The roles ``actor`` may give an account: administrators only by the superuser."""
    role = _actor_role(actor)
    if role == "superuser":
        return tuple(Role.values)
    if role == Role.SECURITY_ADMIN:
        return BUSINESS_ROLES
    return ()


def group_writable(actor: User, group: Group | None) -> bool:
    """Role groups are set by ``roles_ensure`` alone; other groups are the security
    administrator's (and the superuser's)."""
    if group is not None and group.name in ROLE_GROUPS.values():
        return False
    return _actor_role(actor) in ("superuser", Role.SECURITY_ADMIN)


def two_factor_required(user: User, *, enforced: bool = True) -> bool:
    """Whether ``user`` must log in with a second factor: the administrators, the superuser and
    the office, where TRACKER_TWO_FACTOR_REQUIRED is on (``enforced=False``: whatever the
    setting says). Unit users and leaders may enrol; they are not made to."""
    if not user.is_authenticated:
        return False
    needs = user.is_superuser or user.role in TWO_FACTOR_ROLES
    return needs and (settings.TRACKER_TWO_FACTOR_REQUIRED or not enforced)
