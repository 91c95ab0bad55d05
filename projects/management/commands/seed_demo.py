import datetime as dt

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects import clock
from projects.audit.commands import AuditedCommand
from projects.models import Plan
from projects.selectors.catalogue import PlanChoiceError, plans_choose
from projects.services.demo import demo_seed


class Command(AuditedCommand):
    help = (
        "Fill a plan with synthetic, reproducible monthly figures up to a date, marked as demo data "
        "(re-running replaces them; figures people entered are kept)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD: months ended by then get figures (default: the clock's today)")
        parser.add_argument("--year", type=int, default=2022)
        parser.add_argument("--document", help="document number (文号): one plan (default: every plan of the year)")

    def handle(self, *args, as_of: str | None, year: int, document: str | None = None, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else clock.today()
        except ValueError as exc:
            raise CommandError(_("日期格式应为 YYYY-MM-DD，如 2022-09-30")) from exc
        try:
            plans = plans_choose(year=year, document=document)
        except PlanChoiceError as exc:
            raise CommandError(str(exc)) from exc
        for plan in plans:
            self._seed(plan, day)

    def _seed(self, plan: Plan, day: dt.date) -> None:
        summary = demo_seed(plan=plan, as_of=day)
        self.stdout.write(f"{plan.document}（{plan.get_kind_display()}）")
        statuses = "，".join(f"{k} {v}" for k, v in sorted(summary.by_status.items()))
        values = {
            "day": day,
            "n": summary.submissions,
            "statuses": statuses,
            "a": summary.allocations,
            "old": summary.removed,
        }
        self.stdout.write(_("演示数据（截至 %(day)s）：%(n)s 条月报（%(statuses)s）") % values)
        self.stdout.write(_("%(a)s 个演示分解目标；替换了原有 %(old)s 条演示月报") % values)
