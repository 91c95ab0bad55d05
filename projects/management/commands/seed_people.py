import logging

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects.audit.commands import AuditedCommand
from projects.models import PlanKind
from projects.people.services.demo import people_demo_seed
from projects.selectors.catalogue import PlanChoiceError, plan_choose


class Command(AuditedCommand):
    help = (
        "The people's side of the demo: the congress's session, deputies, proposals, a vote, a rating, the public page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2022)
        parser.add_argument("--document", help="document number (文号), when the year has several plans")

    def handle(self, *args, year: int, document: str | None = None, **options):
        try:
            plan = plan_choose(year=year, document=document, default_kind=PlanKind.LIVELIHOOD)
        except PlanChoiceError as exc:
            raise CommandError(str(exc)) from exc
        # During `make db` Redis is not up yet: the suggestion's e-mail stays pending and the worker's
        # sweep sends it once it is; the failed hand-over is not worth a traceback here.
        tasks_log = logging.getLogger("projects.tasks")
        tasks_log.disabled = True
        try:
            summary = people_demo_seed(plan=plan)
        finally:
            tasks_log.disabled = False
        self.stdout.write(
            _(
                "人大与公开演示：%(d)s 名代表（daibiao1-3），新关闭 %(m)s 个月份；"
                "公开页面 /public/，群众建议 /public/proposals/"
            )
            % {"d": summary.deputies, "m": summary.closed_months}
        )
