import datetime as dt

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects import clock
from projects.audit.commands import AuditedCommand
from projects.models import PlanKind
from projects.selectors.catalogue import PlanChoiceError, plan_choose
from projects.supervision.demo import supervision_demo_seed


class Command(AuditedCommand):
    help = (
        "Play the supervision loop's demo story up to a date (after seed_demo): notices answered, sent back "
        "and closed, a leader's instruction, close-outs. A plan that has notices already is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: the clock's today)")
        parser.add_argument("--year", type=int, default=2022)
        parser.add_argument("--document", help="document number (文号), when the year has several plans")

    def handle(self, *args, as_of: str | None, year: int, document: str | None = None, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else clock.today()
        except ValueError as exc:
            raise CommandError(_("日期格式应为 YYYY-MM-DD，如 2022-09-30")) from exc
        try:
            plan = plan_choose(year=year, document=document, default_kind=PlanKind.LIVELIHOOD)
        except PlanChoiceError as exc:
            raise CommandError(str(exc)) from exc
        result = supervision_demo_seed(plan=plan, as_of=day)
        if result.skipped:
            self.stdout.write(_("督办演示：方案已有督办通知单，保持不变"))
            return
        self.stdout.write(_("督办演示（截至 %(day)s）：签发督办通知单 %(n)s 份") % {"day": day, "n": result.notices})
        for step in result.steps:
            self.stdout.write(f"  {step}")
