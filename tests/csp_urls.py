"""A page that draws a plotly chart the way the app's pages do: every script a static file.

Used by tests/test_settings_csp.py to check plotly.js against the real Content-Security-Policy
before any dashboard exists."""

from pathlib import Path

import plotly
from django.http import FileResponse, HttpResponse
from django.urls import path

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

PAGE = """<!doctype html>
<html lang="zh-hans"><head><meta charset="utf-8"><title>图表</title>
<script src="/chart/plotly.min.js"></script>
<script src="/chart/draw.js"></script>
</head><body><div id="chart"></div></body></html>"""

DRAW = """
window.addEventListener("load", function () {
  var div = document.getElementById("chart");
  div.style.width = "640px";
  div.style.height = "400px";
  Plotly.newPlot(div, [{type: "bar", x: ["湖滨区", "陕州区", "义马市"], y: [62, 48, 75], name: "完成率"}],
                 {title: {text: "技能培训完成率"}}).then(function () {
    Plotly.Fx.hover(div, [{curveNumber: 0, pointNumber: 1}]);
    window.chartDrawn = true;
  });
});
"""


def page(request):
    return HttpResponse(PAGE)


def plotly_js(request):
    return FileResponse(PLOTLY_JS.open("rb"), content_type="text/javascript")


def draw_js(request):
    return HttpResponse(DRAW, content_type="text/javascript")


urlpatterns = [
    path("chart/", page),
    path("chart/plotly.min.js", plotly_js),
    path("chart/draw.js", draw_js),
]
