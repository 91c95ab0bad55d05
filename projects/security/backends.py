"""Permissions come from an account's role and its business groups, nothing else."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import QuerySet

from projects.models import User
from projects.security.roles import ROLE_GROUPS, administrator_permissions


class RoleBackend(ModelBackend):
    """Django's model backend, with the separation of the three administrators built in.

    - A role group's permissions count only for accounts of that role: an account put into a
      second role's group (by hand, in the shell) gains nothing from it.
    - Other (business) groups never carry an administrator's permissions, whatever rows they
      have.
    - Single permissions given to an account directly are not used: a permission is given by
      a role or a group, where the security administrator sees and audits it.
    """

    def _get_user_permissions(self, user_obj: User) -> QuerySet[Permission]:
        return Permission.objects.none()

    def _get_group_permissions(self, user_obj: User) -> QuerySet[Permission]:
        own = ROLE_GROUPS.get(user_obj.role)
        other_role_groups = [name for name in ROLE_GROUPS.values() if name != own]
        groups = user_obj.groups.exclude(name__in=other_role_groups)
        business = Permission.objects.filter(group__in=groups.exclude(name=own)).exclude(administrator_permissions())
        from_role = Permission.objects.filter(group__in=groups.filter(name=own))
        return business | from_role
