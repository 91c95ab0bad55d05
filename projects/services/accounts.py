"""Accounts: the demo set that `make run` creates, one per role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from projects.audit.actions import AuditAction
from projects.audit.services import audit_record
from projects.models import Plan, Project, Role, Unit, User
from projects.security.roles import account_role_apply, roles_ensure

# (username, role, unit name, display name, projects of a leader's portfolio)
DEMO_ACCOUNTS: list[tuple[str, str, str | None, str, tuple[int, ...]]] = [
    ("duchashi", Role.OFFICE, None, "市政府督查室", ()),
    ("zhujian", Role.UNIT, "市住房城乡建设局", "市住房城乡建设局填报员", ()),
    ("hubin", Role.UNIT, "湖滨区政府", "湖滨区填报员", ()),
    ("shanzhou", Role.UNIT, "陕州区政府", "陕州区填报员", ()),
    ("yima", Role.UNIT, "义马市政府", "义马市填报员", ()),
    ("lingbao", Role.UNIT, "灵宝市政府", "灵宝市填报员", ()),
    ("mianchi", Role.UNIT, "渑池县政府", "渑池县填报员", ()),
    ("lushi", Role.UNIT, "卢氏县政府", "卢氏县填报员", ()),
    ("fushizhang", Role.LEADER, None, "分管副市长", (2, 6, 10)),
    # The three administrators, kept apart (三员分立): accounts, security, audit.
    ("xitong", Role.SYSTEM_ADMIN, None, "系统管理员", ()),
    ("anquan", Role.SECURITY_ADMIN, None, "安全管理员", ()),
    ("shenji", Role.AUDIT_ADMIN, None, "审计管理员", ()),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    unit: str | None
    password: str | None  # only when it was set in this run


def _password(user: User) -> str:
    """16 random url-safe characters, drawn again until the password rules accept them."""
    while True:
        password = secrets.token_urlsafe(12)
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


@transaction.atomic
def demo_accounts_create(*, plan: Plan, reset: bool = False) -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet; with ``reset``, give all new passwords.

    Passwords are random and returned once; they are stored only as hashes."""
    made: list[DemoAccount] = []
    groups = roles_ensure()
    for username, role, unit_name, full_name, portfolio in DEMO_ACCOUNTS:
        unit = Unit.objects.get(name=unit_name) if unit_name else None
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"role": role, "unit": unit, "first_name": full_name, "email": f"{username}@tracker.example"},
        )
        password = None
        if created or reset:
            password = _password(user)
            user.set_password(password)
            user.save(update_fields=["password"])
        # The role's group and staff flag (the office and the administrators work in the admin).
        account_role_apply(user=user, groups=groups)
        if portfolio:
            user.portfolio.add(*Project.objects.filter(plan=plan, number__in=portfolio))
        made.append(DemoAccount(username, role, unit_name, password))
    # Who got an account or a new password; never the passwords themselves.
    audit_record(
        action=AuditAction.ACCOUNTS_DEMO,
        obj=plan,
        detail={"reset": reset, "passwords_set": [a.username for a in made if a.password]},
    )
    return made
