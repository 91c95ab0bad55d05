from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects.audit.commands import AuditedCommand
from projects.models import PlanKind, Role
from projects.selectors.catalogue import PlanChoiceError, plan_choose
from projects.services.accounts import demo_accounts_create


class Command(AuditedCommand):
    help = "Create one demo account per role; new passwords are printed once and never stored in clear."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2022, help="plan whose projects form the leader's portfolio")
        parser.add_argument(
            "--document", help="the plan of the leader's portfolio (default: the year's 重点民生实事 plan)"
        )
        parser.add_argument("--reset", action="store_true", help="give every demo account a new password")

    def handle(self, *args, year: int, reset: bool, document: str | None = None, **options):
        try:
            plan = plan_choose(year=year, document=document, default_kind=PlanKind.LIVELIHOOD)
        except PlanChoiceError as exc:
            raise CommandError(str(exc)) from exc
        accounts = demo_accounts_create(plan=plan, reset=reset)
        self.stdout.write(_("演示账号（密码只显示这一次）："))
        for a in accounts:
            role = Role(a.role).label
            shown = a.password or _("（已存在，密码未改；用 --reset 重设）")
            self.stdout.write(f"  {a.username:<12} {role:<10} {a.unit or '':<12} {shown}")
        self.stdout.write(
            _(
                "双因素认证：登录后打开 /accounts/two_factor/，用手机上的身份验证器（如 Microsoft Authenticator、"
                "FreeOTP）扫描二维码并输入 6 位动态口令，再生成备用验证码。生产环境（TRACKER_TWO_FACTOR_REQUIRED=true）"
                "要求督查室和三位管理员必须绑定。"
            )
        )
