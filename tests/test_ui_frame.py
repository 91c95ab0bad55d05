"""The page frame without a browser: assets exist, templates obey the CSP rules, the nav follows
the role, lights say their colour in words, and the English catalogue covers every string."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

from projects.models import Unit, User
from projects.rules import Light

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DIRS = [ROOT / "templates", ROOT / "tests" / "browser"]
PO_FILE = ROOT / "projects" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def templates() -> list[Path]:
    return sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*.html"))


# --- assets -------------------------------------------------------------------------------------

STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]\s*%\}""")


def test_every_static_asset_a_template_names_is_there():
    named = {name for path in templates() for name in STATIC_TAG.findall(path.read_text(encoding="utf-8"))}
    base = set(STATIC_TAG.findall((ROOT / "templates" / "base.html").read_text(encoding="utf-8")))
    assert {
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "vendor/htmx/htmx.min.js",
        "css/tracker.css",
        "js/tracker.js",
    } <= base
    missing = sorted(name for name in named | {"plotly/plotly.min.js"} if not finders.find(name))
    assert missing == []


def test_plotly_js_is_served_from_the_installed_plotly_package():
    import plotly

    found = Path(finders.find("plotly/plotly.min.js"))
    assert found == Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert found.stat().st_size > 1_000_000


def test_vendored_libraries_keep_their_licences():
    vendor = ROOT / "static" / "vendor"
    assert "MIT License" in (vendor / "bootstrap" / "LICENSE").read_text()
    assert "Zero-Clause BSD" in (vendor / "htmx" / "LICENSE").read_text()
    assert "Bootstrap v5.3." in (vendor / "bootstrap" / "js" / "bootstrap.bundle.min.js").read_text()[:200]


# --- templates and the Content-Security-Policy --------------------------------------------------

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[^>]*\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*['"]\s*javascript:""", re.IGNORECASE)


def csp_problems(text: str) -> list[str]:
    """What a strict CSP (script-src 'self', no eval) would block in a template's text."""
    problems = []
    for attrs in SCRIPT_TAG.findall(text):
        if "src=" not in attrs and "application/json" not in attrs:
            problems.append(f"inline <script{attrs}>")
    problems += [f"{name}= attribute" for name in EVENT_ATTRIBUTE.findall(text)]
    problems += [f"javascript: URL in {name}" for name in JS_URL.findall(text)]
    return problems


def test_the_csp_check_catches_what_it_should():
    assert csp_problems('<script>alert(1)</script><script src="/static/x.js"></script>') == ["inline <script>"]
    assert csp_problems('<button type="button" onclick="go()">') == ["onclick= attribute"]
    assert csp_problems('<form hx-on:submit="x()">') == ["hx-on:submit= attribute"]
    assert csp_problems('<a href="javascript:void(0)">') == ["javascript: URL in href"]
    assert csp_problems('<script type="application/json" id="d">{}</script><a data-confirm="one=two">') == []


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_scripts_or_event_handlers(path):
    assert csp_problems(path.read_text(encoding="utf-8")) == []


# --- the frame as each role sees it -------------------------------------------------------------


def render_nav(user, **context) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("partials/nav.html", {"user": user, **context}, request=request)


@pytest.fixture
def unit(db):
    return Unit.objects.get_or_create(name="湖滨区政府", defaults={"kind": "county"})[0]


def test_unit_user_sees_home_and_its_unit_but_no_admin(client, unit):
    user = User.objects.create_user("hubin", password="x-unused-1234", role="unit", unit=unit)
    client.force_login(user)

    page = client.get(reverse("home"), follow=True).content.decode()  # the unit's month of reporting

    assert f'href="{reverse("home")}"' in page
    assert reverse("admin:index") not in page
    assert "湖滨区政府" in page
    assert f'action="{reverse("logout")}"' in page and 'method="post"' in page


def test_staff_sees_the_admin_link(db):
    user = User.objects.create_user("duchashi", role="office", is_staff=True)
    assert reverse("admin:index") in render_nav(user)


def test_inbox_link_and_badge_only_when_the_context_has_an_inbox(db):
    user = User.objects.create_user("fushizhang", role="leader")

    assert "tracker-inbox" not in render_nav(user, inbox_url="")
    # projects.context_processors.inbox gives every logged-in user the link and the real count.
    assert 'href="/inbox/"' in render_nav(user) and "badge" not in render_nav(user)
    with_inbox = render_nav(user, inbox_url="/inbox/", inbox_unread_count=3)
    assert 'href="/inbox/"' in with_inbox
    assert re.search(r'badge[^>]*>3<span class="visually-hidden">条未读', with_inbox)
    assert "badge" not in render_nav(user, inbox_url="/inbox/", inbox_unread_count=0)


@pytest.mark.django_db  # the login page keeps its steps (password, then code) in the session
def test_anonymous_visitor_gets_the_language_switch_but_no_menu(client):
    page = client.get(reverse("login")).content.decode()
    assert f'action="{reverse("set_language")}"' in page
    assert "navbar-toggler" not in page
    assert reverse("logout") not in page


def test_demo_ribbon_only_on_pages_with_demo_data(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    assert "演示数据" in render_to_string("base.html", {"is_demo_data": True}, request=request)
    assert "演示数据" not in render_to_string("base.html", {"is_demo_data": False}, request=request)


@pytest.mark.parametrize(
    ("light", "text", "css"),
    [
        (Light.GREEN, "绿灯", "tracker-light-green"),
        (Light.YELLOW, "黄灯", "tracker-light-yellow"),
        (Light.RED, "红灯", "tracker-light-red"),
        ("red", "红灯", "tracker-light-red"),
        (None, "未评价", "tracker-light-none"),
    ],
)
def test_light_badge_names_its_colour(light, text, css):
    html = render_to_string("partials/light.html", {"light": light})
    assert css in html and f">{text}</span>" in html


def test_light_badge_in_a_table_column_uses_the_cell_value():
    html = render_to_string("partials/light.html", {"value": "yellow"})
    assert ">黄灯</span>" in html


def test_light_badge_in_english():
    with translation.override("en"):
        assert ">Red</span>" in render_to_string("partials/light.html", {"light": Light.RED})


# --- the English catalogue ----------------------------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: {flags, msgctxt, msgid, msgid_plural, msgstr: [..]} (header left out)."""
    entries, entry, key = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry and entry.get("msgid"):
                entries.append(entry)
            entry, key = None, None
            continue
        entry = entry if entry is not None else {"flags": "", "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(key, int):
                entry["msgstr"][key] += value
            else:
                entry[key] += value
        else:
            word, _, literal = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d)\]", word)
            key = int(match.group(1)) if match else ("msgstr_0" if word == "msgstr" else word)
            if key == "msgstr_0":
                key = 0
            if isinstance(key, int):
                entry["msgstr"][key] = ast.literal_eval(literal)
            else:
                entry[key] = ast.literal_eval(literal)
    return entries


GETTEXT_CALL = re.compile(r"\b(gettext|pgettext|ngettext|npgettext)\(((?:u'(?:[^'\\]|\\.)*'\s*,?\s*)+)")
STRING = re.compile(r"u('(?:[^'\\]|\\.)*')")
PY_FUNCS = {
    "_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy",
}  # fmt: skip


def source_messages() -> set[tuple[str | None, str]]:
    """(context, msgid) of every string the code and templates mark for translation."""
    found: set[tuple[str | None, str]] = set()
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for func, args in GETTEXT_CALL.findall(templatize(path.read_text(encoding="utf-8"), origin=str(path))):
            strings = [ast.literal_eval(s) for s in STRING.findall(args)]
            found.add((strings[0], strings[1]) if func.startswith(("p", "np")) else (None, strings[0]))
    for folder in ("projects", "tracker"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) in PY_FUNCS and node.args):
                    continue
                strings = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if node.func.id.startswith("p") and len(strings) >= 2:
                    found.add((strings[0], strings[1]))
                elif strings:
                    found.add((None, strings[0]))
    return found


def test_every_interface_string_has_an_english_translation():
    entries = read_po(PO_FILE)
    catalogue = {(e.get("msgctxt"), e["msgid"]) for e in entries}
    missing = sorted((m for m in source_messages() if m not in catalogue), key=str)
    assert missing == [], "run `make messages` and translate these in projects/locale/en/LC_MESSAGES/django.po"
    untranslated = [e["msgid"] for e in entries if "fuzzy" in e["flags"] or not all(e["msgstr"].values())]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    """The committed .mo says what the .po says (`make messages` compiles it)."""
    with translation.override("en"):
        for e in read_po(PO_FILE):
            if "msgid_plural" in e:
                assert translation.ngettext(e["msgid"], e["msgid_plural"], 1) == e["msgstr"][0], e["msgid"]
                assert translation.ngettext(e["msgid"], e["msgid_plural"], 2) == e["msgstr"][1], e["msgid"]
            elif "msgctxt" in e:
                assert translation.pgettext(e["msgctxt"], e["msgid"]) == e["msgstr"][0], e["msgid"]
            else:
                assert translation.gettext(e["msgid"]) == e["msgstr"][0], e["msgid"]


def test_switching_to_english_translates_the_frame(client, unit):
    user = User.objects.create_user("hubin", role="unit", unit=unit)
    client.force_login(user)

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")}, follow=True)

    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Key Livelihood Projects Tracker" in page
    assert "Log out" in page
    assert "Inbox" in page
    assert "重点民生实事跟踪系统" not in page
    # The request left English active in this thread: later tests that render without a request
    # (run after this one, whatever their place in the file: pytest-django runs database tests
    # first) must see the default language.
    translation.activate(settings.LANGUAGE_CODE)


def test_pagination_keeps_the_filters_and_says_where_we_are(rf):
    from django.core.paginator import Paginator

    page_obj = Paginator(range(45), 20).page(2)
    html = render_to_string("partials/pagination.html", {"page_obj": page_obj}, request=rf.get("/?light=red&page=2"))

    assert "第 2 / 3 页" in html
    assert 'href="?light=red&amp;page=3"' in html
    assert 'href="?light=red&amp;page=1"' in html
    assert "共 45 条" in html
    assert render_to_string("partials/pagination.html", {"page_obj": Paginator(range(5), 20).page(1)}).strip() == ""
