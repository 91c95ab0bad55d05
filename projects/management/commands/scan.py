import json
from datetime import date

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects import clock
from projects.audit.commands import AuditedCommand
from projects.selectors.alerts import alerts_export, open_alerts
from projects.selectors.catalogue import PlanChoiceError, plans_choose
from projects.services.alerts import ALL_KINDS, alerts_scan
from projects.services.notifications import deliveries_send_due


class Command(AuditedCommand):
    help = (
        "Run the alert scan (lagging, overdue, missing reports, escalation) as of a date, synchronously, "
        "with the same code as the Celery jobs; then list the open alerts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", dest="as_of", help="YYYY-MM-DD (default: the clock's today, TRACKER_TODAY if pinned)"
        )
        parser.add_argument("--year", type=int, help="only this year's plans")
        parser.add_argument("--document", help="only the plan of this document number (文号)")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="print the open alerts as a JSON list (a contract)"
        )
        parser.add_argument(
            "--no-send", action="store_true", help="record the messages and deliveries but do not send them now"
        )

    def handle(
        self,
        *args,
        as_of: str | None,
        year: int | None,
        as_json: bool,
        no_send: bool,
        document: str | None = None,
        **options,
    ):
        try:
            day = date.fromisoformat(as_of) if as_of else clock.today()
        except ValueError as exc:
            raise CommandError(_("日期格式应为 YYYY-MM-DD：%(value)s") % {"value": as_of}) from exc
        try:
            plans = [p for p in plans_choose(year=year, document=document) if p.start <= day]
        except PlanChoiceError as exc:
            raise CommandError(str(exc)) from exc
        plans.sort(key=lambda p: (p.year, p.pk))
        plan_ids = [p.pk for p in plans]
        result = None
        for plan in plans:
            found = alerts_scan(as_of=day, plan=plan, kinds=ALL_KINDS, summarize_all=True)
            if result is None:
                result = found
            else:
                result.add(found)
        sent = {} if no_send else deliveries_send_due()
        alerts = open_alerts(plan_ids=plan_ids)
        if as_json:
            self.stdout.write(_dumps(alerts_export(alerts=alerts)))
            return
        summary = result.summary() if result else {}
        counts = {k: summary.get(k, 0) for k in ("opened", "updated", "resolved", "notices")}
        self.stdout.write(
            _("截至 %(day)s：新发预警 %(opened)s 项，更新 %(updated)s 项，解除 %(resolved)s 项，")
            % {"day": day.isoformat(), **counts}
            + _("签发督办通知单 %(notices)s 份；") % counts
            + _("发送 %(sent)s 条，失败待重试 %(pending)s 条。")
            % {"sent": sent.get("sent", 0), "pending": sent.get("pending", 0) + sent.get("failed", 0)}
        )
        for row in alerts_export(alerts=alerts):
            self.stdout.write(
                f"  [{row['severity']}] {row['kind']:<8} {row['project']}.{row['task']} {row['indicator']} · "
                f"{row['unit']} · {row['month']} · {_pct(row['actual'])} / {_pct(row['expected'])}"
            )


def _dumps(rows: list) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"
