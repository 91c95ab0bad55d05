"""The search box in the page header: units, projects, tasks and indicators, as the user may see them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from projects import clock
from projects.selectors import dashboards
from projects.selectors.search import search as run_search


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    # The plan asked for (?plan=), else the latest, as the dashboards take it.
    plans = list(dashboards.plans())
    wanted = request.GET.get("plan", "")
    plan = next((p for p in plans if str(p.pk) == wanted), plans[0] if plans else None)
    results = (
        run_search(user=request.user, query=request.GET.get("q", ""), plan=plan, today=clock.today())
        if plan is not None
        else None
    )
    return render(request, "search/results.html", {"results": results, "plan": plan, "plans": plans})
