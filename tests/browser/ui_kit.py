"""A test-only page that shows every piece of the page frame at once (demo ribbon, messages,
breadcrumbs, lights, a django-tables2 table with pagination, a plotly chart), served by
ui_kit_urls.py so that browser tests can look at them before real pages use them."""

from __future__ import annotations

from pathlib import Path

import django_tables2 as tables
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django_tables2 import RequestConfig

# The policy the app is meant to run under; a violation shows in the browser console, which the
# page fixture turns into a test error. plotly.js (4.1.1, from plotly 7.1.0) injects two <style>
# elements, one empty and one with its base CSS: their hashes are allowed, not 'unsafe-inline'.
# A plotly upgrade that changes them fails this test and prints the new hashes.
PLOTLY_STYLE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' 'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='"
)
CSP = (
    "default-src 'self'; script-src 'self'; "
    f"style-src 'self' {PLOTLY_STYLE_HASHES}; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
TEMPLATE = Path(__file__).with_name("ui_kit.html")
COUNTIES = ["湖滨区", "陕州区", "义马市", "灵宝市", "渑池县", "卢氏县", "城乡一体化示范区", "开发区"]
LIGHTS = ["green", "yellow", "red", "green", "green", "red", "yellow", None]


class SampleTable(tables.Table):
    unit = tables.Column(verbose_name="报送单位")
    actual = tables.Column(verbose_name="累计完成", attrs={"td": {"class": "number"}, "th": {"class": "number"}})
    rate = tables.Column(verbose_name="完成率", attrs={"td": {"class": "number"}, "th": {"class": "number"}})
    light = tables.TemplateColumn(template_name="partials/light.html", verbose_name="灯色")

    class Meta:
        attrs = {"class": "table table-hover"}


def ui_kit(request: HttpRequest) -> HttpResponse:
    messages.success(request, "已保存 3 月份数据。")
    messages.error(request, "第 2 行：累计完成数不能小于上月（上月为 120）。")
    rows = [
        {"unit": name, "actual": 100 + 17 * i, "rate": f"{40 + 7 * i}.0%", "light": light}
        for i, (name, light) in enumerate(zip(COUNTIES, LIGHTS, strict=True))
    ]
    table = SampleTable(rows)
    RequestConfig(request, paginate={"per_page": 5}).configure(table)
    figure = {
        "data": [
            {"type": "bar", "name": "累计完成", "x": ["1月", "2月", "3月", "4月"], "y": [5, 12, 27, 30]},
            {
                "type": "scatter",
                "name": "序时进度",
                "x": ["1月", "2月", "3月", "4月"],
                "y": [8.3, 16.7, 25, 33.3],
                "line": {"dash": "dash"},
            },
        ],
        "layout": {"height": 320, "yaxis": {"ticksuffix": "%"}},
    }
    template = engines["django"].from_string(TEMPLATE.read_text(encoding="utf-8"))
    months = ["2022-01", "2022-02", "2022-03", "2022-04"]
    context = {
        "table": table,
        "figure": figure,
        "is_demo_data": True,
        "months": months,
        "month": request.GET.get("month", "2022-03"),
    }
    response = HttpResponse(template.render(context, request))
    response["Content-Security-Policy"] = CSP
    return response
