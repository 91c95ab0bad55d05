import logging

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects.audit.commands import AuditedCommand
from projects.models import Plan
from projects.people.services.demo import people_demo_seed
from projects.selectors.catalogue import plan_for_year


class Command(AuditedCommand):
    help = (
        "The people's side of the demo: the congress's session, deputies, proposals, a vote, a rating, the public page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2022)

    def handle(self, *args, year: int, **options):
        try:
            plan = plan_for_year(year=year)
        except Plan.DoesNotExist as exc:
            raise CommandError(_("请先导入 %(year)s 年的方案") % {"year": year}) from exc
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
