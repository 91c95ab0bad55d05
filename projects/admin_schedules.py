"""The admin's periodic tasks (django-celery-beat, 周期任务) in the reader's language.

The jobs' names are stored in Chinese: ``setup_schedules`` recognises its own rows by them. The
list shows each default job's name and description translated (``projects.schedules`` marks them
for translation); a job the office added shows as it was typed."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

from projects.schedules import DEFAULT_SCHEDULES

DEFAULTS = {s.name: s for s in DEFAULT_SCHEDULES}


class TrackerPeriodicTaskAdmin(PeriodicTaskAdmin):
    list_display = ("title", "enabled", "scheduler", "interval", "start_time", "last_run_at", "one_off", "about")

    @admin.display(description=_("名称"), ordering="name")
    def title(self, task: PeriodicTask) -> str:
        return gettext(task.name) if task.name in DEFAULTS else task.name

    @admin.display(description=_("说明"))
    def about(self, task: PeriodicTask) -> str:
        default = DEFAULTS.get(task.name)
        if default is not None and task.description == default.description:
            return gettext(default.description)
        return task.description


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, TrackerPeriodicTaskAdmin)
