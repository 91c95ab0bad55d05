"""Users for the account and audit tests."""

import factory
from django.contrib.auth.models import Group

from projects.models import Role, User

# Strong enough for the password validators; tests log in with it.
PASSWORD = "Qiang-Mima-2022-sanmenxia"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"tianbao{n}")
    first_name = "湖滨区填报员"
    role = Role.UNIT

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # One save, through the manager, so the password is hashed and history starts with "+".
        return model_class.objects.create_user(*args, password=kwargs.pop("password", PASSWORD), **kwargs)


class OfficeAdminFactory(UserFactory):
    username = factory.Sequence(lambda n: f"duchashi{n}")
    first_name = "市政府督查室"
    role = Role.OFFICE
    is_staff = True
    is_superuser = True


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"审核人员{n}")


def account(role: str, *, username: str | None = None, **fields) -> User:
    """An account of ``role`` as the tracker makes it: its role's group and staff flag
    (projects.security.roles), the role groups set up first."""
    from projects.security.roles import account_role_apply, roles_ensure

    groups = roles_ensure()
    user = UserFactory(username=username or f"{role}-{User.objects.count() + 1}", role=role, **fields)
    account_role_apply(user=user, groups=groups)
    return user


def login_data(username: str, password: str) -> dict[str, str]:
    """The login page's password step as a browser posts it (django-two-factor-auth's wizard)."""
    return {"login_view-current_step": "auth", "auth-username": username, "auth-password": password}
