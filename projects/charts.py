"""Plotly figures of the dashboards, built with the plotly package and drawn by plotly.js.

Each function returns the figure as a plain dict (``{"data": [...], "layout": {...}}``), which a
template puts in a ``<script type="application/json">`` block (``json_script``); static/js/tracker.js
draws it. No inline script: the Content-Security-Policy allows none.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from projects import calendar
from projects.selectors.dashboards import CountyView, CurvePoint, Overview

NAVY, GREY, GREEN, YELLOW, RED = "#1f3a5f", "#8c99a8", "#1e7e4a", "#e0a100", "#c0392b"
LIGHT_COLOURS = {"green": GREEN, "yellow": YELLOW, "red": RED, "": GREY}


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _dict(fig: go.Figure) -> dict[str, Any]:
    # Through plotly's own JSON encoder, so that the dict holds only JSON types.
    return json.loads(fig.to_json())


def _layout(**extra: Any) -> dict[str, Any]:
    layout = {
        "template": "none",
        "margin": {"l": 56, "r": 16, "t": 40, "b": 48},
        "legend": {"orientation": "h", "x": 0, "y": 1.15},
        "hovermode": "x unified",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
    layout.update(extra)
    return layout


def _month_ticks(months: Sequence[Any]) -> list[str]:
    # "6月" when the months are all of one year (the usual plan), else "2023-06".
    if len({m.year for m in months}) <= 1:
        return [calendar.short_month_label(m) for m in months]
    return [calendar.month_key(m) for m in months]


def curve_figure(points: Sequence[CurvePoint], *, unit: str = "%", title: str = "") -> dict[str, Any]:
    """Cumulative actual against the expected curve, month by month."""
    x = _month_ticks([p.month for p in points])
    percent = unit == "%"
    suffix = "%" if percent else f" {unit}"
    fig = go.Figure(
        data=[
            go.Scatter(
                x=x,
                y=[_num(p.actual) for p in points],
                name=_("累计完成"),
                mode="lines+markers",
                line={"color": NAVY, "width": 3},
                hovertemplate="%{y:,.2f}" + suffix + "<extra></extra>",
            ),
            go.Scatter(
                x=x,
                y=[_num(p.expected) for p in points],
                name=_("序时进度"),
                mode="lines",
                line={"color": GREY, "width": 2, "dash": "dash"},
                hovertemplate="%{y:,.2f}" + suffix + "<extra></extra>",
            ),
        ],
        layout=_layout(
            title={"text": title, "font": {"size": 14}} if title else None,
            # The unit on the ticks ("6000 个"), not as an axis title: plotly turns that sideways,
            # and a Chinese unit on its side reads as an arrow.
            yaxis={"rangemode": "tozero", "ticksuffix": suffix, "automargin": True},
            xaxis={"type": "category"},
        ),
    )
    return _dict(fig)


def projects_figure(data: Overview) -> dict[str, Any]:
    """The projects' completion (bars in their light's colour) against expected progress (marks)."""
    rows = sorted(data.projects, key=lambda r: r.project.number, reverse=True)
    labels = [f"{r.project.number}. {r.project.title}" for r in rows]
    fig = go.Figure(
        data=[
            go.Bar(
                y=labels,
                x=[_num(r.standing.completion) for r in rows],
                orientation="h",
                name=_("完成率"),
                marker={"color": [LIGHT_COLOURS.get(r.standing.light, GREY) for r in rows]},
                hovertemplate="%{x:.2f}%<extra>" + _("完成率") + "</extra>",
            ),
            go.Scatter(
                y=labels,
                x=[_num(r.standing.expected) for r in rows],
                mode="markers",
                name=_("序时进度"),
                marker={"color": NAVY, "symbol": "line-ns-open", "size": 18, "line": {"width": 3}},
                hovertemplate="%{x:.2f}%<extra>" + _("序时进度") + "</extra>",
            ),
        ],
        layout=_layout(
            hovermode="closest",
            height=max(320, 34 * len(rows) + 80),
            margin={"l": 16, "r": 16, "t": 40, "b": 40},
            xaxis={"range": [0, 105], "ticksuffix": "%"},
            yaxis={"automargin": True},
            showlegend=True,
        ),
    )
    return _dict(fig)


LIGHT_LEVELS = {"red": 0, "yellow": 1, "green": 2}
# Lighter shades of the light colours, so that the dark figures in the cells stay readable.
HEAT_RED, HEAT_YELLOW, HEAT_GREEN = "#e8837a", "#f3c44f", "#7fc59a"


def heatmap_figure(view: CountyView) -> dict[str, Any]:
    """Units × indicators: each cell is the unit's completion of that figure, coloured by its light
    (the same rules and bands as everywhere else, so that a mid-year 50 % on schedule is green);
    blank where the unit has no target of its own for the figure or does not report it."""
    units = view.units
    x = [i.code for i in view.indicators]
    y = [u.name for u in units]
    z, text, hover = [], [], []
    for unit in units:
        z_row, text_row, hover_row = [], [], []
        for ind in view.indicators:
            cell = view.cells.get((unit.pk, ind.pk))
            completion = cell and cell["completion"]
            # In the cell: the completion, whole percent, capped at 100 like the ranking.
            text_row.append("" if completion is None or not cell["light"] else f"{min(100, round(completion))}")
            if cell is None:
                z_row.append(None)
                words = _("不报送此项")
            elif not cell["light"]:
                z_row.append(None)
                words = _("未分解目标")
            else:
                z_row.append(LIGHT_LEVELS[cell["light"]])
                words = _("完成 %(c)s · 序时 %(e)s") % {
                    "c": _("未报送") if completion is None else f"{completion}%",
                    "e": f"{cell['expected']}%",
                }
            hover_row.append(f"{ind.code} {ind.name}<br>{words}")
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)
    fig = go.Figure(
        data=[
            go.Heatmap(
                x=x,
                y=y,
                z=z,
                text=text,
                customdata=hover,
                texttemplate="%{text}",
                textfont={"size": 9, "color": "#1b1b1b"},
                zmin=0,
                zmax=2,
                # Three flat bands: red, yellow, green.
                colorscale=[
                    [0, HEAT_RED],
                    [1 / 3, HEAT_RED],
                    [1 / 3, HEAT_YELLOW],
                    [2 / 3, HEAT_YELLOW],
                    [2 / 3, HEAT_GREEN],
                    [1, HEAT_GREEN],
                ],
                hoverongaps=False,
                xgap=2,
                ygap=2,
                hovertemplate="%{y}<br>%{customdata}<extra></extra>",
                # The page shows the legend (the light badges): plotly's colour bar sets inline
                # style attributes, which the Content-Security-Policy blocks.
                showscale=False,
            )
        ],
        layout=_layout(
            hovermode="closest",
            height=max(300, 36 * len(units) + 140),
            margin={"l": 16, "r": 16, "t": 16, "b": 80},
            xaxis={"type": "category", "tickangle": -60, "side": "bottom"},
            yaxis={"type": "category", "autorange": "reversed", "automargin": True},
        ),
    )
    return _dict(fig)
