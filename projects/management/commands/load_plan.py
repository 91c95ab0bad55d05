import sys

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects.audit.commands import AuditedCommand
from projects.planfile import PlanFileError, parse_plan, read_plan_file
from projects.selectors.catalogue import unit_group_warnings
from projects.services.catalogue import plan_load


class Command(AuditedCommand):
    help = (
        "Load a plan file (docs/plan-format.md); '-' reads it from standard input. The whole file is "
        "checked first; a broken file changes nothing. A file that would change a unit other plans "
        "share is refused unless --update-units."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the plan file, or - for standard input (export_plan … | load_plan -)")
        parser.add_argument(
            "--update-units",
            action="store_true",
            help="allow the file to change units that other plans share (their kind); the changes are listed",
        )

    def handle(self, *args, file: str, update_units: bool, **options):
        name = _("标准输入") if file == "-" else file
        try:
            checked = parse_plan(sys.stdin.buffer.read()) if file == "-" else read_plan_file(file)
            summary = plan_load(checked=checked, update_units=update_units)
        except PlanFileError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{name}: {problem}")
            raise CommandError(_("方案文件有 %(n)s 处问题，未导入任何数据") % {"n": len(exc.problems)}) from exc
        plan = summary.plan
        self.stdout.write(_("已导入 %(plan)s") % {"plan": plan})
        for line in summary.lines():
            self.stdout.write(f"  {line}")
        for change in summary.unit_changes:
            self.stdout.write("  " + _("已修改共用单位：%(change)s") % {"change": change})
        for warning in unit_group_warnings(plan=plan):
            self.stdout.write("  " + warning)
        if not summary.changed:
            self.stdout.write(_("与数据库中已有内容一致，未作改动"))
