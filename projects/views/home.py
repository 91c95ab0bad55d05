from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from projects.selectors.dashboards import sees_everything
from projects.views import dashboards


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The office and the leaders land on the overview; a unit on its monthly report."""
    if sees_everything(request.user):
        return dashboards.overview(request)
    try:
        return redirect(reverse("report"))
    except NoReverseMatch:
        # Until the reporting pages exist: a page that leads to the unit's own dashboard.
        return render(request, "dashboards/unit_home.html", {"unit": request.user.unit})
