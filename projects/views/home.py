from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from projects.permissions import acting_unit
from projects.selectors.dashboards import sees_everything
from projects.views import dashboards


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The office and the leaders land on the overview; a unit on its monthly report; a deputy on their page."""
    if sees_everything(request.user):
        return dashboards.overview(request)
    if acting_unit(request.user) is not None:
        return redirect("report_index")
    if request.user.is_deputy:
        return redirect("people:deputy")
    # An account that belongs to no unit yet: a page that says whom to ask.
    return render(request, "dashboards/unit_home.html", {"unit": None})
