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

COUNTED = "('submitted', 'approved')"


@dataclass(frozen=True)
class Dialect:
    vendor: str

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
    return f"""(CASE
      WHEN {kind} = 'milestone' THEN {actual}
      WHEN {actual} IS NULL OR {target} IS NULL THEN NULL
      WHEN {direction} = 'at_most' THEN (CASE WHEN {a} <= {t} THEN 100.0 ELSE {t} * 100.0 / {a} END)
      WHEN {target} = 0 THEN NULL
      WHEN {kind} = 'rate' THEN {d.greatest("0", f"{a} * 100.0 / {t}")}
      WHEN {t} - {base} <= 0 THEN (CASE WHEN {a} >= {t} THEN 100.0 ELSE 0 END)
      ELSE {d.greatest("0", f"({a} - {base}) * 100.0 / ({t} - {base})")}
    END)"""


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


def _ctes(d: Dialect, plan_filter: str) -> str:
    """Indicators followed in the month with their expected progress (``ind``), each unit's latest
    counted figure up to the month (``latest``), every assignment with it (``unit_fig``) and each
    indicator's city figure and completion (``city``)."""
    month, as_of = d.date("%(month)s"), d.date("%(as_of)s")
    elapsed = f"({d.midx(month)} - {d.midx('wstart')} + 1)"
    window = f"({d.midx('deadline')} - {d.midx('wstart')} + 1)"
    stage_pct_city = d.stage_percent("i.stages", "g.min_stage")
    rate_level_city = (
        "(CASE WHEN i.rate_basis = 'ratio' THEN (CASE WHEN g.sum_den > 0 THEN "
        f"{d.num('g.sum_num')} * 100.0 / {d.num('g.sum_den')} END) ELSE g.avg_value END)"
    )
    city_actual = (
        f"(CASE WHEN i.kind = 'milestone' THEN (CASE WHEN g.n_reported > 0 THEN {stage_pct_city} END) "
        f"WHEN i.kind = 'rate' THEN {rate_level_city} ELSE g.sum_value END)"
    )
    city_completion = _completion(
        d, kind="i.kind", direction="i.direction", target="i.target", baseline="i.baseline", actual=city_actual
    )
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
  SELECT ind.*,
         CASE WHEN {as_of} >= deadline THEN 100.0 WHEN {as_of} < wstart THEN 0.0
              ELSE {d.least("100.0", f"{elapsed} * 100.0 / {window}")} END AS expected
  FROM ind
  WHERE {d.midx("wstart")} <= {d.midx(month)} AND {d.midx(month)} <= last_midx
),
ranked AS (
  SELECT s.indicator_id, s.unit_id, s.value, s.numerator, s.denominator, s.stage,
         ROW_NUMBER() OVER (PARTITION BY s.indicator_id, s.unit_id ORDER BY s.month DESC) AS rn
  FROM projects_submission s
  JOIN followed f ON f.id = s.indicator_id
  WHERE s.month <= {month} AND s.status IN {COUNTED}
),
latest AS (SELECT * FROM ranked WHERE rn = 1),
unit_fig AS (
  SELECT a.indicator_id, a.unit_id, CASE WHEN f.aggregation = 'sum' THEN a.target ELSE f.target END AS utarget,
         l.value, l.numerator, l.denominator, l.stage, CASE WHEN l.unit_id IS NULL THEN 0 ELSE 1 END AS has_fig
  FROM projects_assignment a
  JOIN followed f ON f.id = a.indicator_id
  LEFT JOIN latest l ON l.indicator_id = a.indicator_id AND l.unit_id = a.unit_id
),
city AS (
  SELECT i.*, {city_completion} AS completion
  FROM followed i
  LEFT JOIN (
    SELECT indicator_id, SUM(value) AS sum_value, AVG(value) AS avg_value,
           SUM(CASE WHEN numerator IS NOT NULL AND denominator IS NOT NULL THEN numerator END) AS sum_num,
           SUM(CASE WHEN numerator IS NOT NULL AND denominator IS NOT NULL THEN denominator END) AS sum_den,
           MIN(COALESCE(stage, 0)) AS min_stage, SUM(has_fig) AS n_reported
    FROM unit_fig GROUP BY indicator_id
  ) g ON g.indicator_id = i.id
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
    SELECT f.*, u.unit_id, u.utarget, u.has_fig, {completion} AS c_completion, {not_started} AS c_not_started
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
    """Per project: the mean over its main indicators of the city completion (capped at 100, no
    figure = 0) and of expected progress."""
    sql = f"""WITH {_ctes(d, "p.plan_id = %(plan)s")}
SELECT project_id, AVG({CAPPED}) AS completion, AVG(expected) AS expected
FROM city WHERE parent_id IS NULL GROUP BY project_id ORDER BY project_id"""
    return Floor(sql, _params(d, plan=plan_id, month=month, as_of=as_of))


def project(d: Dialect, *, plan_id: int, project_id: int, month: date, as_of: date) -> Floor:
    """One project's indicators: the city's completion and light, and each unit's."""
    sql = f"""WITH {_ctes(d, "p.plan_id = %(plan)s AND t.project_id = %(project)s")},
{_unit_items(d)}
SELECT id, NULL AS unit_id, completion, expected, {_city_light(d)} AS light FROM city
UNION ALL
SELECT id, unit_id, completion, expected, light FROM unit_items
ORDER BY 1, 2"""
    return Floor(sql, _params(d, plan=plan_id, project=project_id, month=month, as_of=as_of))


def county(d: Dialect, *, plan_id: int, month: date, as_of: date) -> Floor:
    """The counties × indicators matrix and each county's ranking score (``rules.weighted_score``
    over its rated main items)."""
    sql = f"""WITH {_ctes(d, "p.plan_id = %(plan)s")},
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
    sql = f"""WITH {_ctes(d, "p.plan_id = %(plan)s")},
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


def bulletin(d: Dialect, *, plan_id: int, month: date, as_of: date) -> Floor:
    """The bulletin's tables: every task's and project's standing and the counties' scores."""
    sql = f"""WITH {_ctes(d, "p.plan_id = %(plan)s")},
{_unit_items(d)}
SELECT 'task' AS level, task_id AS id, AVG({CAPPED}) AS completion, AVG(expected) AS expected
FROM city WHERE parent_id IS NULL GROUP BY task_id
UNION ALL
SELECT 'project', project_id, AVG({CAPPED}), AVG(expected) FROM city WHERE parent_id IS NULL GROUP BY project_id
UNION ALL
SELECT 'unit', ui.unit_id, AVG({CAPPED.replace("completion", "ui.completion")}), NULL
FROM unit_items ui JOIN projects_unit un ON un.id = ui.unit_id
WHERE un.kind IN ('county', 'committee') AND ui.light IS NOT NULL AND ui.parent_id IS NULL
GROUP BY ui.unit_id
ORDER BY 1, 2"""
    return Floor(sql, _params(d, plan=plan_id, month=month, as_of=as_of))


def scan(d: Dialect, *, month: date, as_of: date, due: date, previous: date) -> Floor:
    """What the alert scan finds in every plan: units' items behind schedule or overdue, the
    city's where no unit has a target of its own, and figures missing for the due month (red when
    the month before is missing too)."""
    month_sql = d.date("%(due)s")
    prev_sql = d.date("%(previous)s")
    sql = f"""WITH {_ctes(d, f"pl.start <= {d.date('%(as_of)s')}")},
{_unit_items(d)},
findings AS (
  SELECT id, unit_id,
         CASE WHEN %(as_of)s > deadline AND COALESCE(completion, 0) < 100 THEN 'overdue' ELSE 'lagging' END AS kind,
         light AS severity
  FROM unit_items WHERE light IN ('yellow', 'red')
  UNION ALL
  SELECT c.id, NULL,
         CASE WHEN %(as_of)s > c.deadline AND COALESCE(c.completion, 0) < 100 THEN 'overdue' ELSE 'lagging' END,
         c.light
  FROM (SELECT city.*, {_city_light(d)} AS light FROM city) c
  WHERE c.aggregation = 'sum' AND c.light IN ('yellow', 'red')
    AND NOT EXISTS (SELECT 1 FROM projects_assignment a WHERE a.indicator_id = c.id AND a.target IS NOT NULL)
  UNION ALL
  SELECT a.indicator_id, a.unit_id, 'missing',
         CASE WHEN NOT EXISTS (SELECT 1 FROM projects_submission s2 WHERE s2.indicator_id = a.indicator_id
                 AND s2.unit_id = a.unit_id AND s2.month = {prev_sql} AND s2.status IN {COUNTED})
              THEN 'red' ELSE 'yellow' END
  FROM projects_assignment a JOIN followed f ON f.id = a.indicator_id
  WHERE NOT EXISTS (SELECT 1 FROM projects_submission s1 WHERE s1.indicator_id = a.indicator_id
                    AND s1.unit_id = a.unit_id AND s1.month = {month_sql} AND s1.status IN {COUNTED})
)
SELECT kind, severity, id, unit_id FROM findings"""
    return Floor(sql, _params(d, month=month, as_of=as_of, due=due, previous=previous))
