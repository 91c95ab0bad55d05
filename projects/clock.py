"""The one clock: what day it is, for every decision of the domain.

Pages, jobs, the re-evaluation after a submission, the reporting calendar, the scans, reminders,
digests and the bulletin's default month all ask ``today()``; what the domain stamps on its records
(a figure sent, reviewed, an alert raised or resolved, a message) asks ``now()``.

- A real deployment: the real date in the city's time zone (``TIME_ZONE``, Asia/Shanghai),
  whatever zone the server's clock is in.
- Pinned: the ``TRACKER_TODAY`` setting (environment variable of the same name) fixes the date,
  ``2022-10-06``, or ``demo`` for ``DEMO_TODAY``. ``make run`` pins it for the web server, the
  worker and beat alike, so that the demo's figures (up to 30 September 2022) are looked at from
  the day after September's figures were due. Tests pin it through the same setting
  (``tests.factories.pin_clock``) or by travelling in time (time-machine): unpinned, the clock
  follows the machine's.

``now()`` on a pinned day is that day at the real time of day, so that stamps sort in the order
things happened. A pin may name the moment too (``2022-10-06T09:30``, city time): ``now()`` is then
that moment and stands still, so that what a script plays (the demo's loop, seed_demo_loop) is
stamped the same on every run. Mechanics that measure real time (delivery retries and back-off, sessions,
login lockout, the audit trail's own timestamps) use ``django.utils.timezone.now()``: a retry
waits real minutes, whatever day the demo plays.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

__all__ = ["DEMO_TODAY", "now", "pinned", "pinned_moment", "today"]

# The demo's day: its figures run to 30 September 2022 and September's were due on 5 October, so
# on the 6th the reporting month is September, with most figures in, a few late and a few missing.
DEMO_TODAY = date(2022, 10, 6)


def _pin() -> date | datetime | None:
    """What ``TRACKER_TODAY`` pins: a day, a moment (city time), or nothing. A value that is neither
    stops the process rather than letting the pages guess."""
    value = getattr(settings, "TRACKER_TODAY", "") or ""
    if isinstance(value, date):  # a datetime is a date too
        return _aware(value) if isinstance(value, datetime) else value
    value = str(value).strip()
    if not value:
        return None
    if value == "demo":
        return DEMO_TODAY
    try:
        return _aware(datetime.fromisoformat(value)) if "T" in value else date.fromisoformat(value)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"TRACKER_TODAY must be YYYY-MM-DD, YYYY-MM-DDTHH:MM or 'demo', not {value!r}"
        ) from exc


def _aware(moment: datetime) -> datetime:
    zone = timezone.get_default_timezone()
    return timezone.make_aware(moment, zone) if timezone.is_naive(moment) else timezone.localtime(moment, zone)


def pinned() -> date | None:
    """The pinned day, or None when the clock follows the real date."""
    pin = _pin()
    return pin.date() if isinstance(pin, datetime) else pin


def pinned_moment() -> datetime | None:
    """The pinned moment when the pin names one (city time), else None."""
    pin = _pin()
    return pin if isinstance(pin, datetime) else None


def today() -> date:
    """Today for the domain: the pinned day, else the real date in the city's time zone."""
    return pinned() or timezone.localdate(timezone.now(), timezone.get_default_timezone())


def now() -> datetime:
    """Now for the domain's records: on a pinned day, that day at the real time of day (city time);
    at a pinned moment, that moment."""
    pin = _pin()
    if isinstance(pin, datetime):
        return pin
    real = timezone.localtime(timezone.now(), timezone.get_default_timezone())
    return real if pin is None else real.replace(year=pin.year, month=pin.month, day=pin.day)
