"""The SQL floors: for each page, ONE hand-written query that computes the page's numbers straight
from the submissions table, with no precomputed progress.

A floor is what the database costs at best if nothing were precomputed: it finds each unit's
latest counted figure up to the month (carried forward, as the progress tables do), sums the
units' figures per indicator (summed numerators over summed denominators for rates, the slowest
unit for milestones), measures it against the target as ``projects.rules`` does (kind, direction,
baseline, stages), works out expected progress from the calendar, and aggregates as the page
does. The same statement runs on SQLite and PostgreSQL; only a few date and JSON expressions
differ (``Dialect``).

What the floors leave out, on purpose: the per-indicator monthly plans (none in the benchmark
data), the texts and the rendering. ``measure.py`` checks that the floor's numbers agree with
the page's where both give the same figure (project completion, the scan's findings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from projects import calendar

COUNTED = "('submitted', 'approved')"


@dataclass(frozen=True)
class Dialect:
    vendor: str
    # SQLite: the index of the submissions that starts with the indicator (see ``submissions``).
    submission_index: str | None = None

    @classmethod
    def of(cls, connection) -> Dialect:
        index = None
        if connection.vendor == "sqlite":
            # The (indicator, unit, month) unique index, else any index that starts with the indicator.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA index_list('projects_submission')")
                names = [row[1] for row in cursor.fetchall()]
                columns = {}
                for name in names:
                    cursor.execute(f"PRAGMA index_info('{name}')")
                    columns[name] = [row[2] for row in cursor.fetchall()]
            ranked = sorted(
                (name for name in names if columns[name][:1] == ["indicator_id"]),
                key=lambda name: columns[name][:3] != ["indicator_id", "unit_id", "month"],
            )
            index = ranked[0] if ranked else None
        return cls(connection.vendor, index)

    def midx(self, expr: str) -> str:
        """Months since year 0 of a date: differences give whole calendar months."""
        if self.vendor == "sqlite":
            return f"(CAST(strftime('%%Y', {expr}) AS INTEGER) * 12 + CAST(strftime('%%m', {expr}) AS INTEGER))"
        return f"(CAST(EXTRACT(YEAR FROM {expr}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {expr}) AS INTEGER))"

    def day(self, expr: str) -> str:
        if self.vendor == "sqlite":
            return f"CAST(strftime('%%d', {expr}) AS INTEGER)"
        return f"CAST(EXTRACT(DAY FROM {expr}) AS INTEGER)"

    def least(self, a: str, b: str) -> str:
        return f"MIN({a}, {b})" if self.vendor == "sqlite" else f"LEAST({a}, {b})"

    def greatest(self, a: str, b: str) -> str:
        return f"MAX({a}, {b})" if self.vendor == "sqlite" else f"GREATEST({a}, {b})"

    def num(self, expr: str) -> str:
        # SQLite divides integers as integers; PostgreSQL's numeric keeps the precision.
        return f"CAST({expr} AS REAL)" if self.vendor == "sqlite" else f"CAST({expr} AS NUMERIC)"

    def stage_percent(self, stages: str, stage: str) -> str:
        """The percent of a reported stage: the indicator's own stages (JSON, stage 0 is always
        "not started") or the default ones of ``rules.DEFAULT_STAGES``."""
        if self.vendor == "sqlite":
            own = f"CAST(json_extract({stages}, '$[' || ({stage} - 1) || '].percent') AS REAL)"
        else:
            own = f"CAST(({stages} -> ({stage} - 1) ->> 'percent') AS NUMERIC)"
        default = (
            f"CASE {stage} WHEN 0 THEN 0 WHEN 1 THEN 10 WHEN 2 THEN 30 WHEN 3 THEN 60 WHEN 4 THEN 90 "
            f"WHEN 5 THEN 100 END"
        )
        return (
            f"(CASE WHEN {stage} IS NULL THEN NULL WHEN {stage} = 0 THEN 0 "
            f"WHEN {stages} IS NULL THEN {default} ELSE {own} END)"
        )

    def submissions(self, alias: str = "s") -> str:
        """The submissions table, read through its (indicator, unit, month) unique index."""
        if self.vendor == "sqlite" and self.submission_index:
            return f'projects_submission {alias} INDEXED BY "{self.submission_index}"'
        return f"projects_submission {alias}"

    def month_start(self, expr: str) -> str:
        if self.vendor == "sqlite":
            return f"date({expr}, 'start of month')"
        return f"CAST(DATE_TRUNC('month', {expr}) AS DATE)"

    def minus_month(self, expr: str) -> str:
        if self.vendor == "sqlite":
            return f"date({expr}, '-1 month')"
        return f"CAST({expr} - INTERVAL '1 month' AS DATE)"

    def add_month(self, expr: str) -> str:
        if self.vendor == "sqlite":
            return f"date({expr}, '+1 month')"
        return f"CAST({expr} + INTERVAL '1 month' AS DATE)"

    def month_end(self, expr: str) -> str:
        if self.vendor == "sqlite":
            return f"date({expr}, '+1 month', '-1 day')"
        return f"CAST({expr} + INTERVAL '1 month' - INTERVAL '1 day' AS DATE)"

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS TEXT)"

    def param(self, value: date) -> date | str:
        return value.isoformat() if self.vendor == "sqlite" else value

    def date(self, placeholder: str) -> str:
        return placeholder if self.vendor == "sqlite" else f"CAST({placeholder} AS DATE)"


def _completion(d: Dialect, *, kind: str, direction: str, target: str, baseline: str, actual: str) -> str:
    """``rules.completion`` in SQL; ``actual`` is the stage percent for milestones, the level for
    rates, the figure otherwise."""
    a = d.num(actual)
    t = d.num(target)
    base = d.num(f"COALESCE({baseline}, 0)")
    # Rounded to two places, as the rules round every percentage (a light is decided on those).
    return f"""ROUND(CASE
      WHEN {kind} = 'milestone' THEN {actual}
      WHEN {actual} IS NULL OR {target} IS NULL THEN NULL
      WHEN {direction} = 'at_most' THEN (CASE WHEN {a} <= {t} THEN 100.0 ELSE {t} * 100.0 / {a} END)
      WHEN {target} = 0 THEN NULL
      WHEN {kind} = 'rate' THEN {d.greatest("0", f"{a} * 100.0 / {t}")}
      WHEN {t} - {base} <= 0 THEN (CASE WHEN {a} >= {t} THEN 100.0 ELSE 0 END)
      ELSE {d.greatest("0", f"({a} - {base}) * 100.0 / ({t} - {base})")}
    END, 2)"""


def _light(d: Dialect, *, completion: str, expected: str, deadline: str, not_started: str) -> str:
    """``rules.light``: done is green, then overdue or not started is red, then the gap decides."""
    gap = f"({expected} - COALESCE({completion}, 0))"
    return f"""(CASE
      WHEN {completion} >= 100 THEN 'green'
      WHEN {not_started} OR %(as_of)s > {deadline} THEN 'red'
      WHEN {gap} < yellow_gap THEN 'green'
      WHEN {gap} <= red_gap THEN 'yellow'
      ELSE 'red'
    END)"""


def _expected(d: Dialect, *, month: str, as_of: str, prefix: str = "") -> str:
    """``rules.expected_progress`` at the end of ``month``: the elapsed share of the indicator's
    window in whole months; 0 before it starts, 100 from its deadline."""
    wstart, deadline = f"{prefix}wstart", f"{prefix}deadline"
    elapsed = f"({d.midx(month)} - {d.midx(wstart)} + 1)"
    window = f"({d.midx(deadline)} - {d.midx(wstart)} + 1)"
    return f"""ROUND(CASE WHEN {as_of} >= {deadline} THEN 100.0 WHEN {as_of} < {wstart} THEN 0.0
              ELSE {d.least("100.0", f"{elapsed} * 100.0 / {window}")} END, 2)"""


def _city_completion(d: Dialect) -> str:
    """The city's completion of indicator ``i`` from its units' figures summed in ``g``."""
    stage_pct_city = d.stage_percent("i.stages", "g.min_stage")
    rate_level_city = (
        "(CASE WHEN i.rate_basis = 'ratio' THEN (CASE WHEN g.sum_den > 0 THEN "
        f"{d.num('g.sum_num')} * 100.0 / {d.num('g.sum_den')} END) ELSE g.avg_value END)"
    )
    city_actual = (
        f"(CASE WHEN i.kind = 'milestone' THEN (CASE WHEN g.n_reported > 0 THEN {stage_pct_city} END) "
        f"WHEN i.kind = 'rate' THEN {rate_level_city} ELSE g.sum_value END)"
    )
    return _completion(
        d, kind="i.kind", direction="i.direction", target="i.target", baseline="i.baseline", actual=city_actual
    )


# The units' figures of one indicator summed as ``city_figure`` sums them (``g`` in the queries).
CITY_SUMS = """SUM(value) AS sum_value, AVG(value) AS avg_value,
           SUM(CASE WHEN numerator IS NOT NULL AND denominator IS NOT NULL THEN numerator END) AS sum_num,
           SUM(CASE WHEN numerator IS NOT NULL AND denominator IS NOT NULL THEN denominator END) AS sum_den,
           MIN(COALESCE(stage, 0)) AS min_stage, SUM(has_fig) AS n_reported"""


def _ctes(d: Dialect, plan_filter: str) -> str:
    """Indicators followed in the month with their expected progress (``ind``, ``followed``), each
    unit's latest counted figure up to the month (``latest``), every assignment with it and with
    the month's own report (``unit_fig``) and each indicator's city figure and completion
    (``city``)."""
    month, as_of = d.date("%(month)s"), d.date("%(as_of)s")
    return f"""
ind AS (
  SELECT i.id, i.task_id, i.code, i.position, t.number AS task_number, t.project_id, p.number AS project_number,
         p.plan_id, i.kind, i.direction, i.aggregation, i.rate_basis, i.target, i.baseline, i.parent_id,
         i.deadline, i.stages, pl.yellow_gap, pl.red_gap,
         COALESCE(i.start, pl.start) AS wstart,
         COALESCE(i.planned_start, i.start, pl.start) AS pstart, pl.milestone_grace_months AS grace,
         {d.greatest(d.midx("pl.default_deadline"), d.midx("i.deadline"))} AS last_midx
  FROM projects_indicator i
  JOIN projects_task t ON t.id = i.task_id
  JOIN projects_project p ON p.id = t.project_id
  JOIN projects_plan pl ON pl.id = p.plan_id
  WHERE {plan_filter}
),
followed AS (
  SELECT ind.*, {_expected(d, month=month, as_of=as_of)} AS expected
  FROM ind
  WHERE {d.midx("wstart")} <= {d.midx(month)} AND {d.midx(month)} <= last_midx
),
ranked AS (
  SELECT s.indicator_id, s.unit_id, s.value, s.numerator, s.denominator, s.stage,
         ROW_NUMBER() OVER (PARTITION BY s.indicator_id, s.unit_id ORDER BY s.month DESC) AS rn
  -- The plan's indicators first, then their submissions through the (indicator, unit, month)
  -- index: a plan's rows only. In SQLite, CROSS JOIN fixes that order and INDEXED BY the index
  -- (its planner otherwise reads every plan's rows by month, or builds a throw-away index of
  -- the whole table); PostgreSQL finds that plan by itself.
  FROM followed f
  CROSS JOIN {d.submissions()}
  WHERE s.indicator_id = f.id AND s.month <= {month} AND s.status IN {COUNTED}
),
latest AS (SELECT * FROM ranked WHERE rn = 1),
unit_fig AS (
  SELECT a.indicator_id, a.unit_id, CASE WHEN f.aggregation = 'sum' THEN a.target ELSE f.target END AS utarget,
         l.value, l.numerator, l.denominator, l.stage, CASE WHEN l.unit_id IS NULL THEN 0 ELSE 1 END AS has_fig,
         CASE WHEN sm.id IS NULL THEN 0 ELSE 1 END AS reported,
         CASE WHEN sm.id IS NOT NULL AND sm.late THEN 1 ELSE 0 END AS late
  FROM followed f
  CROSS JOIN projects_assignment a
  LEFT JOIN latest l ON l.indicator_id = a.indicator_id AND l.unit_id = a.unit_id
  LEFT JOIN {d.submissions("sm")} ON sm.indicator_id = a.indicator_id AND sm.unit_id = a.unit_id
       AND sm.month = {month} AND sm.status IN {COUNTED}
  WHERE a.indicator_id = f.id
),
city AS (
  -- The sums first (as a LEFT JOIN from the indicators, SQLite recomputes them for every one),
  -- then the indicators nobody reports, with no figure.
  SELECT i.*, {_city_completion(d)} AS completion
  FROM (SELECT indicator_id, {CITY_SUMS} FROM unit_fig GROUP BY indicator_id) g
  CROSS JOIN followed i
  WHERE i.id = g.indicator_id
  UNION ALL
  SELECT i.*, NULL FROM followed i
  WHERE NOT EXISTS (SELECT 1 FROM projects_assignment a WHERE a.indicator_id = i.id)
)"""


def _unit_items(d: Dialect) -> str:
    """Each assignment's own completion and light (``UnitProgress`` computed on the fly); light is
    NULL where the unit has no target of its own (and the indicator is no milestone)."""
    as_of = d.date("%(as_of)s")
    level = (
        "(CASE WHEN f.kind = 'rate' AND f.rate_basis = 'ratio' "
        "AND u.numerator IS NOT NULL AND u.denominator IS NOT NULL "
        "THEN (CASE WHEN u.denominator = 0 THEN NULL "
        f"ELSE {d.num('u.numerator')} * 100.0 / {d.num('u.denominator')} END) "
        "ELSE u.value END)"
    )
    stage_pct = d.stage_percent("f.stages", "u.stage")
    actual = f"(CASE WHEN f.kind = 'milestone' THEN {stage_pct} WHEN f.kind = 'rate' THEN {level} ELSE u.value END)"
    completion = _completion(
        d, kind="f.kind", direction="f.direction", target="u.utarget", baseline="f.baseline", actual=actual
    )
    grace_passed = (
        f"({d.midx(as_of)} * 100 + {d.day(as_of)} >= ({d.midx('f.pstart')} + f.grace) * 100 + {d.day('f.pstart')})"
    )
    not_started = f"(f.kind = 'milestone' AND {grace_passed} AND COALESCE({stage_pct}, 0) <= 0)"
    light = _light(d, completion="c_completion", expected="expected", deadline="deadline", not_started="c_not_started")
    return f"""
unit_items AS (
  SELECT x.*, CASE WHEN x.utarget IS NULL AND x.kind <> 'milestone' THEN NULL ELSE {light} END AS light,
         x.c_completion AS completion
  FROM (
    SELECT f.*, u.unit_id, u.utarget, u.has_fig, u.reported, u.late,
           {completion} AS c_completion, {not_started} AS c_not_started
    FROM unit_fig u JOIN followed f ON f.id = u.indicator_id
  ) x
)"""


def _city_light(d: Dialect) -> str:
    return _light(d, completion="completion", expected="expected", deadline="deadline", not_started="(1 = 0)")


CAPPED = "(CASE WHEN completion IS NULL THEN 0 WHEN completion > 100 THEN 100 ELSE completion END)"


@dataclass(frozen=True)
class Floor:
    sql: str
    params: dict


def _params(d: Dialect, **values) -> dict:
    return {k: d.param(v) if isinstance(v, date) else v for k, v in values.items()}


def overview(d: Dialect, *, plan_id: int, month: date, as_of: date) -> Floor:
    """What the overview shows. Per project: the mean over its main indicators of the city
    completion (capped at 100, no figure = 0) and of expected progress, and its red, yellow and
    overdue indicators; for the plan: the units' items of the month, reported, late, rated, red,
    yellow and overdue."""
    city_lights = f"(SELECT city.*, {_city_light(d)} AS light FROM city) c"
    overdue = "(%(as_of)s > deadline AND COALESCE(completion, 0) < 100)"
    sql = f"""WITH RECURSIVE {_ctes(d, "p.plan_id = %(plan)s")},
{_unit_items(d)}
SELECT 'project' AS part, project_id AS id,
       AVG(CASE WHEN parent_id IS NULL THEN {CAPPED} END) AS completion,
       AVG(CASE WHEN parent_id IS NULL THEN expected END) AS expected,
       SUM(CASE WHEN light = 'red' THEN 1 ELSE 0 END), SUM(CASE WHEN light = 'yellow' THEN 1 ELSE 0 END),
       SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END), COUNT(*)
FROM {city_lights} GROUP BY project_id
UNION ALL
SELECT 'units', NULL, SUM(reported), SUM(late), SUM(CASE WHEN light IS NOT NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN light = 'red' THEN 1 ELSE 0 END), SUM(CASE WHEN light = 'yellow' THEN 1 ELSE 0 END), COUNT(*)
FROM unit_items
ORDER BY 1, 2"""
    return Floor(sql, _params(d, plan=plan_id, month=month, as_of=as_of))


def project(d: Dialect, *, plan_id: int, project_id: int, plan_start: date, month: date, as_of: date) -> Floor:
    """What a project's page shows: its indicators' city completion and light and each unit's for
    the month, its completion month by month against expected progress since the plan's start (the
    curve, each month's figures carried forward as of that month), and its 30 latest changes."""
    start = d.date("%(start)s")
    month_sql = d.date("%(month)s")
    curve_expected = _expected(d, month="g.m", as_of=d.month_end("g.m"), prefix="i.")
    sql = f"""WITH RECURSIVE {_ctes(d, "p.plan_id = %(plan)s AND t.project_id = %(project)s")},
{_unit_items(d)},
months (m) AS (
  SELECT {start} UNION ALL SELECT {d.add_month("m")} FROM months WHERE m < {month_sql}
),
curve_units AS (
  SELECT mo.m, a.indicator_id, a.unit_id,
         (SELECT MAX(s.month) FROM {d.submissions()}
          WHERE s.indicator_id = a.indicator_id AND s.unit_id = a.unit_id AND s.month <= mo.m
            AND s.status IN {COUNTED}) AS last_month
  FROM months mo CROSS JOIN ind i CROSS JOIN projects_assignment a
  WHERE a.indicator_id = i.id AND i.parent_id IS NULL
    AND {d.midx("i.wstart")} <= {d.midx("mo.m")} AND {d.midx("mo.m")} <= i.last_midx
),
curve_figures AS (
  SELECT cu.m, cu.indicator_id, s.value, s.numerator, s.denominator, s.stage,
         CASE WHEN s.id IS NULL THEN 0 ELSE 1 END AS has_fig
  FROM curve_units cu
  LEFT JOIN {d.submissions()}
    ON s.indicator_id = cu.indicator_id AND s.unit_id = cu.unit_id AND s.month = cu.last_month
),
curve AS (
  SELECT g.m, AVG({CAPPED.replace("completion", _city_completion(d))}) AS completion, AVG({curve_expected}) AS expected
  FROM (SELECT m, indicator_id, {CITY_SUMS} FROM curve_figures GROUP BY m, indicator_id) g
  JOIN ind i ON i.id = g.indicator_id
  GROUP BY g.m
)
SELECT 'city' AS part, id, CAST(NULL AS BIGINT) AS unit_id, completion, expected, {_city_light(d)} AS light FROM city
UNION ALL
SELECT 'unit', id, unit_id, completion, expected, light FROM unit_items
UNION ALL
SELECT 'curve', NULL, NULL, completion, expected, {d.text("m")} FROM curve
UNION ALL
SELECT 'change', * FROM (
  SELECT s.indicator_id, s.unit_id, s.value, CAST(NULL AS NUMERIC), {d.text("s.updated_at")}
  FROM ind CROSS JOIN {d.submissions()}
  WHERE s.indicator_id = ind.id ORDER BY s.updated_at DESC LIMIT 30
) changes
ORDER BY 1, 2, 3"""
    return Floor(sql, _params(d, plan=plan_id, project=project_id, start=plan_start, month=month, as_of=as_of))


def county(d: Dialect, *, plan_id: int, month: date, as_of: date) -> Floor:
    """The counties × indicators matrix and each county's ranking score (``rules.weighted_score``
    over its rated main items)."""
    sql = f"""WITH RECURSIVE {_ctes(d, "p.plan_id = %(plan)s")},
{_unit_items(d)}
SELECT ui.unit_id, ui.id, ui.completion, ui.expected, ui.light,
       AVG(CASE WHEN ui.light IS NOT NULL AND ui.parent_id IS NULL
                THEN {CAPPED.replace("completion", "ui.completion")} END)
         OVER (PARTITION BY ui.unit_id) AS score
FROM unit_items ui
JOIN projects_unit un ON un.id = ui.unit_id
WHERE un.kind IN ('county', 'committee')
ORDER BY ui.unit_id, ui.id"""
    return Floor(sql, _params(d, plan=plan_id, month=month, as_of=as_of))


def lagging(d: Dialect, *, plan_id: int, month: date, as_of: date, page_size: int) -> Floor:
    """Units' and the city's items with a yellow or red light: the first page and the count."""
    sql = f"""WITH RECURSIVE {_ctes(d, "p.plan_id = %(plan)s")},
{_unit_items(d)},
items AS (
  SELECT project_number, task_number, position, unit_id, code, completion, expected, light FROM unit_items
  WHERE light IN ('yellow', 'red')
  UNION ALL
  SELECT project_number, task_number, position, NULL, code, completion, expected, light
  FROM (SELECT city.*, {_city_light(d)} AS light FROM city) c WHERE light IN ('yellow', 'red')
)
SELECT items.*, COUNT(*) OVER () AS total FROM items
ORDER BY project_number, task_number, position, unit_id LIMIT {int(page_size)}"""
    return Floor(sql, _params(d, plan=plan_id, month=month, as_of=as_of))


def api_progress(d: Dialect, *, plan_id: int, month: date, as_of: date, page_size: int) -> Floor:
    """The API's units' progress of a month (``/api/v1/progress/units/``): every unit's item of
    every indicator followed that month, with its completion, expected progress, light, reported
    and late: the first page, in plan order, and the count."""
    sql = f"""WITH RECURSIVE {_ctes(d, "p.plan_id = %(plan)s")},
{_unit_items(d)}
SELECT project_number, task_number, position, unit_id, code, completion, expected, light, reported, late,
       COUNT(*) OVER () AS total
FROM unit_items
ORDER BY project_number, task_number, position, unit_id LIMIT {int(page_size)}"""
    return Floor(sql, _params(d, plan=plan_id, month=month, as_of=as_of))


def bulletin(d: Dialect, *, plan_id: int, month: date, as_of: date) -> Floor:
    """What the bulletin says: every task's and project's standing, the counties' ranking scores,
    the units that did not report every figure on time, and the red items (units' and city's)."""
    city_lights = f"(SELECT city.*, {_city_light(d)} AS light FROM city) c"
    sql = f"""WITH RECURSIVE {_ctes(d, "p.plan_id = %(plan)s")},
{_unit_items(d)}
SELECT 'task' AS part, task_id AS id, CAST(NULL AS BIGINT) AS unit_id,
       AVG({CAPPED}) AS completion, AVG(expected) AS expected
FROM city WHERE parent_id IS NULL GROUP BY task_id
UNION ALL
SELECT 'project', project_id, NULL, AVG({CAPPED}), AVG(expected) FROM city WHERE parent_id IS NULL GROUP BY project_id
UNION ALL
SELECT 'ranking', NULL, ui.unit_id, AVG({CAPPED.replace("completion", "ui.completion")}), NULL
FROM unit_items ui JOIN projects_unit un ON un.id = ui.unit_id
WHERE un.kind IN ('county', 'committee') AND ui.light IS NOT NULL AND ui.parent_id IS NULL
GROUP BY ui.unit_id
UNION ALL
SELECT 'late', NULL, unit_id, SUM(1 - reported), SUM(late) FROM unit_items
GROUP BY unit_id HAVING SUM(1 - reported) > 0 OR SUM(late) > 0
UNION ALL
SELECT 'red', id, unit_id, completion, expected FROM unit_items WHERE light = 'red'
UNION ALL
SELECT 'red', id, NULL, completion, expected FROM {city_lights} WHERE light = 'red'
ORDER BY 1, 2, 3"""
    return Floor(sql, _params(d, plan=plan_id, month=month, as_of=as_of))


def scan(d: Dialect, *, month: date, scan_day: date, due: date) -> Floor:
    """What the alert scan of ``scan_day`` finds in every plan begun by then: units' items of
    ``month`` behind schedule or overdue (as of the month's end), the city's where no unit has a
    target of its own, and figures missing for the latest month due (an indicator's last month if
    its deadline came first; red when the month before is missing too)."""
    due_sql = d.date("%(due)s")
    overdue = "(%(as_of)s > {p}deadline AND COALESCE({p}completion, 0) < 100)"
    missing = f"""(SELECT 1 FROM {d.submissions("sm")} WHERE sm.indicator_id = a.indicator_id
                       AND sm.unit_id = a.unit_id AND sm.month = {{month}} AND sm.status IN {COUNTED})"""
    sql = f"""WITH RECURSIVE {_ctes(d, f"pl.start <= {d.date('%(scan_day)s')}")},
{_unit_items(d)},
checked AS (
  -- The month whose report is checked, and the one before it within the indicator's window.
  SELECT c.id, c.chk, CASE WHEN {d.minus_month("c.chk")} >= {d.month_start("c.wstart")}
                           THEN {d.minus_month("c.chk")} END AS prev
  FROM (SELECT f.id, f.wstart,
               CASE WHEN {d.month_start("f.deadline")} < {due_sql} THEN {d.month_start("f.deadline")}
                    ELSE {due_sql} END AS chk
        FROM followed f) c
  WHERE c.chk >= {d.month_start("c.wstart")}
),
findings AS (
  SELECT id, unit_id, CASE WHEN {overdue.format(p="")} THEN 'overdue' ELSE 'lagging' END AS kind,
         light AS severity
  FROM unit_items WHERE light IN ('yellow', 'red')
  UNION ALL
  SELECT c.id, NULL, CASE WHEN {overdue.format(p="c.")} THEN 'overdue' ELSE 'lagging' END, c.light
  FROM (SELECT city.*, {_city_light(d)} AS light FROM city) c
  WHERE c.aggregation = 'sum' AND c.light IN ('yellow', 'red')
    AND NOT EXISTS (SELECT 1 FROM projects_assignment a WHERE a.indicator_id = c.id AND a.target IS NOT NULL)
  UNION ALL
  SELECT a.indicator_id, a.unit_id, 'missing',
         CASE WHEN k.prev IS NOT NULL AND NOT EXISTS {missing.format(month="k.prev")} THEN 'red' ELSE 'yellow' END
  FROM checked k CROSS JOIN projects_assignment a
  WHERE a.indicator_id = k.id AND NOT EXISTS {missing.format(month="k.chk")}
)
SELECT kind, severity, id, unit_id FROM findings"""
    # Lights are those of the month's end, as the progress rows hold them.
    return Floor(sql, _params(d, month=month, as_of=calendar.month_end(month), scan_day=scan_day, due=due))


def public(d: Dialect) -> Floor:
    """The public progress page (projects/people): which snapshots are current, the one query it
    makes before it answers from the cache. Its floor is that query itself."""
    sql = """SELECT s.id, s.plan_id, s.month, s.built_at
FROM projects_publicsnapshot s JOIN projects_publication p ON p.plan_id = s.plan_id
ORDER BY s.plan_id, s.month DESC"""
    return Floor(sql=sql, params={})
