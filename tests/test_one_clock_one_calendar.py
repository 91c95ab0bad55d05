"""One clock and one calendar: nothing outside projects/clock.py reads today's date for the domain,
and no calendar rule (due days, owed months, month arithmetic, parsing, labels) is written out
again outside projects/calendar.py. A search of the source, so that a copy cannot creep back in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOME = {"clock.py", "calendar.py"}  # the rules' own modules


def sources() -> list[Path]:
    return [
        p
        for p in sorted((ROOT / "projects").rglob("*.py"))
        if "migrations" not in p.parts and p.name not in HOME
    ]


def templates() -> list[Path]:
    return sorted((ROOT / "templates").rglob("*.html"))


def code_lines(path: Path):
    """(line number, line) of code, comments and docstring-only lines left out."""
    in_doc = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        quotes = stripped.count('"""')
        if in_doc:
            in_doc = quotes % 2 == 0
            continue
        if stripped.startswith('"""'):
            in_doc = quotes == 1
            continue
        if stripped.startswith("#"):
            continue
        yield number, line.split("  #")[0]


# Reading today for the domain: only the one clock may.
CLOCK_READS = {
    "timezone.localdate()": re.compile(r"\blocaldate\("),
    "date.today()": re.compile(r"\bdate\.today\("),
    "datetime.now()/today()": re.compile(r"\bdatetime\.(now|today|utcnow)\("),
}
# timezone.now() is real time: left to mechanics that measure real time, each for its reason.
REAL_TIME_ALLOWED = {
    "services/notifications.py": "deliveries: retries and back-off wait real minutes",
    "admin_alerts.py": "a robot's test message is a delivery",
    "audit/services.py": "the audit trail records when things really happened",
    "audit/views.py": "the audit trail's export is named after the real day it was taken",
    "security/sessions.py": "sessions end after real minutes without use and real hours after login",
    "security/passwords.py": "a password's age is counted in real days",
    "security/events.py": "the security log records when things really happened",
    "api/authentication.py": "an API client's last call is stamped with the real time",
    "api/models.py": "an API token expires at a real time",
}

# Calendar rules, and the shapes their copies had.
CALENDAR_RULES = {
    "a month's first day (.replace(day=...))": re.compile(r"\.replace\(\s*day\s*="),
    "days of a month (monthrange)": re.compile(r"\bmonthrange\("),
    "comparing a due date with a day": re.compile(r"due_date\([^)]*\)\s*[<>]=?|[<>]=?\s*[\w.]*due_date\("),
    "comparing a due day with today": re.compile(r"\bdue\s*[<>]=?\s*[\w.]*(today|as_of)\b|\b(today|as_of)\s*[<>]=?\s*due\b"),
    "comparing a month's end with a day": re.compile(r"month_end\([^)]*\)\s*[<>=]=?"),
    "parsing YYYY-MM by hand": re.compile(r"""partition\(\s*["']-["']\s*\)|fromisoformat\(\s*f["']"""),
    "a month label written out": re.compile(r"%\(month\)s月|\.month\}月|年\{[^}]*\.month"),
}
TEMPLATE_RULES = {
    "a date format written in a template": re.compile(r"""\|date:\s*["'][^"']*[年月日]"""),
}


@pytest.mark.parametrize(
    ("rule", "sample"),
    [
        ("a month's first day (.replace(day=...))", "month = as_of.replace(day=1)"),
        ("comparing a due date with a day", "if plan.due_date(m) < today:"),
        ("comparing a due date with a day", "while as_of > plan.due_date(month):"),
        ("comparing a due day with today", "if due <= ctx.as_of and draws[1] < sloppy:"),
        ("comparing a month's end with a day", "return rules.month_end(month) > today"),
        ("parsing YYYY-MM by hand", 'year, sep, month = text.partition("-")'),
        ("parsing YYYY-MM by hand", 'date.fromisoformat(f"{month}-01")'),
        ("a month label written out", 'return _("%(year)s年%(month)s月") % {"year": m.year, "month": m.month}'),
        ("a month label written out", 'f"截至{o.month.year}年{o.month.month}月底"'),
    ],
)
def test_the_search_finds_the_copies_that_were_folded(rule, sample):
    # The patterns recognise the copies this issue removed: the search below cannot pass vacuously.
    assert CALENDAR_RULES[rule].search(sample)


def test_only_the_clock_reads_today():
    found = []
    for path in sources():
        relative = path.relative_to(ROOT / "projects").as_posix()
        for number, line in code_lines(path):
            for what, pattern in CLOCK_READS.items():
                if pattern.search(line):
                    found.append(f"{relative}:{number}: {what}: {line.strip()}")
            if "timezone.now()" in line and relative not in REAL_TIME_ALLOWED:
                found.append(f"{relative}:{number}: timezone.now() (use projects.clock.now()): {line.strip()}")
    assert found == []


def test_no_calendar_rule_is_restated_outside_the_calendar():
    found = []
    for path in sources():
        relative = path.relative_to(ROOT).as_posix()
        for number, line in code_lines(path):
            for rule, pattern in CALENDAR_RULES.items():
                if pattern.search(line):
                    found.append(f"{relative}:{number}: {rule}: {line.strip()}")
    for path in templates():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for rule, pattern in TEMPLATE_RULES.items():
                if pattern.search(line):
                    found.append(f"{path.relative_to(ROOT).as_posix()}:{number}: {rule}: {line.strip()}")
    assert found == [], "use projects.calendar (or the template filters over it):\n" + "\n".join(found)
