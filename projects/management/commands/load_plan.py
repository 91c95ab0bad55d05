from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects.audit.commands import AuditedCommand
from projects.planfile import PlanFileError, read_plan_file
from projects.services.catalogue import plan_load


class Command(AuditedCommand):
    help = "Load a plan file (docs/plan-format.md). The whole file is checked first; a broken file changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file: str, **options):
        try:
            summary = plan_load(checked=read_plan_file(file))
        except PlanFileError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(_("方案文件有 %(n)s 处问题，未导入任何数据") % {"n": len(exc.problems)}) from exc
        plan = summary.plan
        self.stdout.write(_("已导入 %(plan)s") % {"plan": plan})
        for line in summary.lines():
            self.stdout.write(f"  {line}")
        if not summary.changed:
            self.stdout.write(_("与数据库中已有内容一致，未作改动"))
