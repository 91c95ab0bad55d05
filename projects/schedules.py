"""The periodic jobs and their default timetable (django-celery-beat).

``manage.py setup_schedules`` writes these into the database once; from then on the office edits
them in the admin (周期任务), and running the command again never overwrites an edit. Times are
Beijing time. Names and descriptions are stored in Chinese (the command finds its rows by name);
the admin shows them translated (projects/admin_schedules.py). The missing-report scan and the
reminder follow the default due day (the 5th): when a plan moves its due day, move these two in
the admin. The monthly bulletin job is created disabled.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Schedule:
    name: str  # the PeriodicTask's unique name: how the command recognises its own rows
    task: str
    description: str
    minute: str = "0"
    hour: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"
    day_of_week: str = "*"
    every_seconds: int | None = None  # an interval instead of a crontab
    enabled: bool = True


DEFAULT_SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        name=gettext_noop("每日预警扫描（滞后、逾期、督办）"),
        task="projects.scan_progress",
        description=gettext_noop("每天 7:30 按序时进度扫描滞后和逾期事项，持续红灯的签发督办通知单"),
        minute="30",
        hour="7",
    ),
    Schedule(
        name=gettext_noop("未报送扫描（每月报送截止日后）"),
        task="projects.scan_missing",
        description=gettext_noop("每月 6 日 8:00（截止日 5 日之后）扫描未按时报送的单位"),
        minute="0",
        hour="8",
        day_of_month="6",
    ),
    Schedule(
        name=gettext_noop("报送截止提醒（截止日前两天）"),
        task="projects.remind_due",
        description=gettext_noop("每月 3 日 9:00 提醒尚未报送的单位在 5 日前报送"),
        minute="0",
        hour="9",
        day_of_month="3",
    ),
    Schedule(
        name=gettext_noop("督办和批示反馈提醒、逾期催办"),
        task="projects.remind_answers",
        description=gettext_noop(
            "每天 8:30 提醒反馈期限临近（两天内）的督办通知单和领导批示，对已过期限仍未反馈的发出催办，并抄送分管领导"
        ),
        minute="30",
        hour="8",
    ),
    Schedule(
        name=gettext_noop("领导每周摘要（周一 8:00）"),
        task="projects.send_digests",
        description=gettext_noop("每周一 8:00 向各位领导发送分管项目的预警摘要"),
        minute="0",
        hour="8",
        day_of_week="1",
    ),
    # Off until the office switches it on in the admin: the bulletin is a document the office
    # publishes under its name, and some offices want to read the month's figures first.
    Schedule(
        name=gettext_noop("月度通报（每月 8 日发送上月通报）"),
        task="projects.send_bulletin",
        description=gettext_noop(
            "每月 8 日 9:00 将上月的进展通报（Word 和 Excel）通过邮件和站内消息发送各位领导；"
            "默认停用，由督查室在后台启用"
        ),
        minute="0",
        hour="9",
        day_of_month="8",
        enabled=False,
    ),
    Schedule(
        name=gettext_noop("清理过期的接口幂等键"),
        task="projects.purge_idempotency_keys",
        description=gettext_noop(
            "每天 3:30 删除超过保存期限（docs/api.md）的接口报送幂等键：此后用同一个键重试按新请求处理"
        ),
        minute="30",
        hour="3",
    ),
    Schedule(
        name=gettext_noop("发送待发通知（含失败重试）"),
        task="projects.deliver_pending",
        description=gettext_noop("每分钟发送待发的邮件和群机器人消息，失败的按退避时间重试"),
        every_seconds=60,
    ),
)
