"""The public pages (no login): published progress served from the cache, the photos the office
approved, the Atom feed of updates, the citizens' proposal form and the vote's published result."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from projects import calendar, clock
from projects.audit.services import client_address
from projects.people.forms import ProposalForm
from projects.people.models import Vote
from projects.people.selectors import public as sel
from projects.people.selectors import vote as vote_sel
from projects.people.services import vote as vote_svc

LANGUAGES = {"zh-hans", "en"}


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    return asked if asked in LANGUAGES else (translation.get_language() or "zh-hans")


def _public(response: HttpResponse) -> HttpResponse:
    # Anyone may keep a copy a few minutes (proxies, phones); a refresh makes a new page anyway.
    response["Cache-Control"] = "public, max-age=300"
    return response


def _cached(request: HttpRequest, *, page: str, snapshots, render_page) -> HttpResponse:
    """The page from the cache, keyed by the snapshots it shows (one query to find them)."""
    language = _language(request)
    key = sel.cache_key(snapshots, page=page, language=language)
    html = cache.get(key)
    if html is None:
        with translation.override(language):
            html = render_page(language)
        cache.set(key, html, settings.PEOPLE_PUBLIC_CACHE_SECONDS)
    response = HttpResponse(html)
    response["Content-Language"] = language
    return _public(response)


def _projects(snapshot) -> list[dict]:
    rows = []
    for entry in snapshot.data["projects"]:
        words, points = sel.standing_words(entry)
        last = entry.get("last_completion")
        delta = None
        if entry.get("completion") is not None and last is not None:
            delta = Decimal(entry["completion"]) - Decimal(last)
        rows.append({**entry, "words": words, "points": points, "delta": delta,
                     "changed": [i for i in entry["indicators"] if i["changed"]]})  # fmt: skip
    return rows


def _context(snapshot, language: str) -> dict:
    month = calendar.parse_month(snapshot.data["month"])
    return {
        "snapshot": snapshot,
        "plan": snapshot.data["plan"],
        "month": month,
        "month_label": calendar.month_label(month, language=language),
        "previous_label": calendar.month_label(calendar.add_months(month, -1), language=language),
        "projects": _projects(snapshot),
        "lang": language,
    }


@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    snapshots = sel.public_snapshots()

    def page(language: str) -> str:
        plans = [_context(s, language) for s in sel.with_data(snapshots)]
        return render_to_string("people/public/index.html", {"plans": plans, "lang": language}, request=None)

    return _cached(request, page="index", snapshots=snapshots, render_page=page)


@require_GET
def public_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    snapshot = sel.public_snapshot(plan_id)
    if snapshot is None:
        raise Http404

    def page(language: str) -> str:
        return render_to_string(
            "people/public/plan.html", _context(sel.with_data([snapshot])[0], language), request=None
        )

    return _cached(request, page=f"plan{plan_id}", snapshots=[snapshot], render_page=page)


@require_GET
def public_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = sel.photo_visible(pk)
    if photo is None:
        raise Http404
    # The copy without EXIF (GPS, camera, author), never the evidence file itself.
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=photo.evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # Shown in the page, never offered under the uploader's file name.
    response["Content-Disposition"] = "inline"
    return _public(response)


class PublicFeed(Feed):
    """Atom: one entry per published plan and closed month."""

    feed_type = Atom1Feed
    title = gettext_lazy("重点民生实事进展公开")
    subtitle = gettext_lazy("每月关闭后更新的民生实事进展")

    def link(self) -> str:
        return reverse("people:public")

    def items(self):
        return sel.with_data(sel.public_snapshots())

    def item_title(self, item) -> str:
        month = calendar.parse_month(item.data["month"])
        return _("%(plan)s：截至%(month)s的进展") % {
            "plan": item.data["plan"]["title"],
            "month": calendar.month_label(month),
        }

    def item_description(self, item) -> str:
        parts = []
        for entry in item.data["projects"]:
            completion = entry.get("completion")
            parts.append(f"{entry['number']}. {entry['title']}：{completion if completion is not None else '—'}%")
        return "；".join(parts)

    def item_link(self, item) -> str:
        return reverse("people:public_plan", args=[item.plan_id]) + f"#m{item.data['month']}"

    def item_guid(self, item) -> str:
        return f"plan-{item.plan_id}-{item.data['month']}"

    def item_updateddate(self, item):
        return item.built_at

    def item_pubdate(self, item):
        return item.built_at


@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest) -> HttpResponse:
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            return redirect("people:proposal_thanks")  # a robot: nothing kept, nothing said
        try:
            vote_svc.proposal_submit(
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                place=form.cleaned_data["place"],
                contact=form.cleaned_data["contact"],
                address=client_address(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("people:proposal_thanks")
    return render(request, "people/public/proposal.html", {"form": form, "lang": _language(request)})


@require_GET
def proposal_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "people/public/proposal_thanks.html", {"lang": _language(request)})


@require_GET
def public_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """A vote's result, published once its window has closed."""
    vote = get_object_or_404(Vote.objects.select_related("session"), pk=pk)
    if vote_sel.state(vote, at=clock.now()) != "closed":
        raise Http404
    return render(request, "people/public/vote.html", {"count": vote_sel.vote_count(vote), "lang": _language(request)})
