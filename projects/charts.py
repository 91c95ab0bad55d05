"""Plotly figures of the dashboards, built with the plotly package and drawn by plotly.js.

Each function returns the figure as a plain dict (``{"data": [...], "layout": {...}}``), which a
template puts in a ``<script type="application/json">`` block (``json_script``); static/js/charts.js
draws it. No inline script: the Content-Security-Policy allows none.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from projects.selectors.dashboards import CountyView, CurvePoint, Overview, month_label

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


def curve_figure(points: Sequence[CurvePoint], *, unit: str = "%", title: str = "") -> dict[str, Any]:
    """Cumulative actual against the expected curve, month by month."""
    x = [month_label(p.month) for p in points]
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
            yaxis={"title": {"text": unit}, "rangemode": "tozero", "ticksuffix": "%" if percent else ""},
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


def heatmap_figure(view: CountyView) -> dict[str, Any]:
    """Units × indicators, coloured by completion (capped at 100); blank where a unit has no
    target of its own for that figure."""
    units = view.units
    x = [i.code for i in view.indicators]
    y = [u.name for u in units]
    z, text = [], []
    for unit in units:
        z_row, text_row = [], []
        for ind in view.indicators:
            cell = view.cells.get((unit.pk, ind.pk))
            completion = cell and cell["completion"]
            z_row.append(None if completion is None else min(100.0, float(completion)))
            if cell is None:
                text_row.append(_("不报送此项"))
            elif not cell["light"]:
                text_row.append(_("未分解目标"))
            elif completion is None:
                text_row.append(_("未报送 · 序时 %(e)s%%") % {"e": cell["expected"]})
            else:
                text_row.append(_("完成 %(c)s%% · 序时 %(e)s%%") % {"c": completion, "e": cell["expected"]})
            # hover names the indicator in full
            text_row[-1] = f"{ind.code} {ind.name}<br>{text_row[-1]}"
        z.append(z_row)
        text.append(text_row)
    fig = go.Figure(
        data=[
            go.Heatmap(
                x=x,
                y=y,
                z=z,
                text=text,
                zmin=0,
                zmax=100,
                colorscale=[[0, RED], [0.5, YELLOW], [1, GREEN]],
                hoverongaps=False,
                xgap=2,
                ygap=2,
                hovertemplate="%{y}<br>%{text}<extra></extra>",
                colorbar={"title": {"text": _("完成率")}, "ticksuffix": "%", "thickness": 12},
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
