"""Every reporting page, GET and POST, as every role, including other units' object ids.

One table says what each role gets; whatever is not listed is a 404 (a forbidden object does not
exist for the user), and anonymous visitors are sent to the login page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Evidence, Role, Submission, SubmissionStatus, User
from tests.factories import LeaderFactory, OfficeUserFactory, SubmissionFactory, unit_user

from .conftest import JUNE, indicator, unit

pytestmark = pytest.mark.django_db

COUNTIES = ["湖滨区政府", "陕州区政府", "义马市政府", "灵宝市政府", "渑池县政府", "卢氏县政府"]
ROLES = [
    "anonymous",
    *COUNTIES,
    "市人力资源社会保障局",  # lead department of task 1.1: reviews 湖滨区's training figure
    "市住房城乡建设局",  # lead department of other tasks; reports 2.3.1 itself (reviewed by the office)
    "市城管局",  # a unit on other tasks only
    "leader",
    "office",
    "staff",  # admin access but no role in reporting
]
ALL_UNITS = [*COUNTIES, "市人力资源社会保障局", "市住房城乡建设局", "市城管局"]
READERS = ["leader", "office"]


def everyone(code, *roles):
    return dict.fromkeys(roles or [r for r in ROLES if r not in ("anonymous", "staff")], code)


# (name, method, url maker, POST data) -> {role: status}; anything missing is 404.
EXPECTED = {
    ("report_index", "GET"): everyone(302),
    ("report_month", "GET"): everyone(200),
    ("hubin_month", "GET"): {"湖滨区政府": 200, "leader": 200, "office": 200},
    ("edit_shared_indicator", "GET"): dict.fromkeys(COUNTIES, 200),  # each county edits its own 1.1.1
    ("edit_zhujian_indicator", "GET"): {"市住房城乡建设局": 200},
    ("edit_zhujian_indicator", "POST"): {"市住房城乡建设局": 302},
    ("hubin_submission", "GET"): {"湖滨区政府": 200, "市人力资源社会保障局": 200, "leader": 200, "office": 200},
    ("hubin_draft", "GET"): {"湖滨区政府": 200, "leader": 200, "office": 200},
    ("review_hubin", "POST"): {"市人力资源社会保障局": 302},
    ("review_zhujian", "POST"): {"office": 302},
    ("reopen_hubin", "POST"): {"office": 302},
    ("evidence_upload", "POST"): {"湖滨区政府": 302},
    ("evidence_file", "GET"): {"湖滨区政府": 200, "市人力资源社会保障局": 200, "leader": 200, "office": 200},
    ("evidence_delete", "POST"): {"湖滨区政府": 302},
    ("template_own", "GET"): dict.fromkeys(ALL_UNITS, 200),
    ("template_hubin", "GET"): {"湖滨区政府": 200, "leader": 200, "office": 200},
    ("import", "POST"): dict.fromkeys(ALL_UNITS, 200),  # no file: the page again, with the error
    ("closure", "POST"): {"office": 302},
    ("review_list", "GET"): everyone(200, "市人力资源社会保障局", "市住房城乡建设局", "市城管局", *READERS),
    ("review_export", "GET"): everyone(200, "市人力资源社会保障局", "市住房城乡建设局", "市城管局", *READERS),
}


@pytest.fixture
def world(plan_2022, private_media):
    hubin_unit, zhujian_unit = unit("湖滨区政府"), unit("市住房城乡建设局")
    users = {name: unit_user(name, username=f"u-{i}") for i, name in enumerate(ALL_UNITS)}
    users["leader"] = LeaderFactory()
    users["office"] = OfficeUserFactory()
    users["staff"] = User.objects.create_user("staff", password="Pass-word-123", is_staff=True, role=Role.UNIT)
    sent = SubmissionFactory(
        indicator=indicator("1.1.1"), unit=hubin_unit, status=SubmissionStatus.SUBMITTED, value=100
    )
    draft = SubmissionFactory(indicator=indicator("1.1.2"), unit=hubin_unit, value=5)
    own = SubmissionFactory(indicator=indicator("2.3.1"), unit=zhujian_unit, status=SubmissionStatus.SUBMITTED, value=1)
    evidence = Evidence.objects.create(
        submission=sent,
        file=SimpleUploadedFile("photo.png", PNG),
        original_name="photo.png",
        content_type="image/png",
        size=len(PNG),
        sha256="0" * 64,
        uploaded_by=users["湖滨区政府"],
    )
    return {"users": users, "sent": sent, "draft": draft, "own": own, "evidence": evidence, "hubin": hubin_unit}


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def request_for(name: str, world) -> tuple[str, dict]:
    sent, own, evidence = world["sent"], world["own"], world["evidence"]
    hubin = f"?unit={world['hubin'].pk}"
    urls = {
        "report_index": (reverse("report_index"), {}),
        "report_month": (reverse("report_month", args=[JUNE]), {}),
        "hubin_month": (reverse("report_month", args=[JUNE]) + hubin, {}),
        "edit_shared_indicator": (reverse("report_edit", args=[JUNE, indicator("1.1.1").pk]), {}),
        "edit_zhujian_indicator": (
            reverse("report_edit", args=[JUNE, indicator("2.3.1").pk]),
            {"version": 1, "value": "2", "action": "submit"},
        ),
        "hubin_submission": (reverse("submission_detail", args=[sent.pk]), {}),
        "hubin_draft": (reverse("submission_detail", args=[world["draft"].pk]), {}),
        "review_hubin": (reverse("submission_review", args=[sent.pk]), {"version": 1, "action": "approve"}),
        "review_zhujian": (reverse("submission_review", args=[own.pk]), {"version": 1, "action": "approve"}),
        "reopen_hubin": (reverse("submission_reopen", args=[sent.pk]), {"version": 1, "reason": "核实"}),
        "evidence_upload": (
            reverse("evidence_upload", args=[sent.pk]),
            {"file": SimpleUploadedFile("more.png", PNG + b"x", content_type="image/png")},
        ),
        "evidence_file": (reverse("evidence_file", args=[evidence.pk]), {}),
        "evidence_delete": (reverse("evidence_delete", args=[evidence.pk]), {}),
        "template_own": (reverse("report_template", args=[JUNE]), {}),
        "template_hubin": (reverse("report_template", args=[JUNE]) + hubin, {}),
        "import": (reverse("report_import", args=[JUNE]), {}),
        "closure": (
            reverse("month_closure", args=[JUNE]),
            {"plan": sent.indicator.task.project.plan_id, "action": "close"},
        ),
        "review_list": (reverse("review_list") + "?status=submitted", {}),
        "review_export": (reverse("review_export"), {}),
    }
    return urls[name]


CASES = [(name, method, role) for (name, method) in EXPECTED for role in ROLES]


@pytest.mark.parametrize(("name", "method", "role"), CASES, ids=[f"{m}-{n}-{r}" for n, m, r in CASES])
def test_every_view_as_every_role(client, clock, world, name, method, role):
    url, data = request_for(name, world)
    if role != "anonymous":
        client.force_login(world["users"][role])
    before = _state(world)
    response = client.get(url) if method == "GET" else client.post(url, data)
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), response
        return
    expected = EXPECTED[(name, method)].get(role, 404)
    assert response.status_code == expected, (name, method, role, response.status_code)
    if expected == 404:
        # Nothing changed behind a refusal.
        assert _state(world) == before


def _state(world):
    return (
        list(Submission.objects.order_by("pk").values_list("pk", "status", "value", "version")),
        list(Evidence.objects.order_by("pk").values_list("pk", "sha256")),
        world["sent"].indicator.task.project.plan.closures.count(),
    )


def test_a_unit_on_another_task_does_not_see_the_countys_figure_in_any_list(client, clock, world):
    client.force_login(world["users"]["市城管局"])
    page = client.get(reverse("review_list"), {"status": ""}).content.decode()
    assert "技能培训" not in page
    workbook = client.get(reverse("review_export"), {"status": ""})
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(workbook.content)).active.iter_rows(values_only=True))
    assert all("湖滨区政府" not in row for row in rows)


def test_the_lead_department_lists_only_its_tasks_and_never_drafts(client, clock, world):
    client.force_login(world["users"]["市人力资源社会保障局"])
    page = client.get(reverse("review_list"), {"status": ""}).content.decode()
    assert "技能培训" in page  # the sent 1.1.1
    assert "新增技能人才" not in page  # 1.1.2 is still a draft
    assert "供热管网" not in page  # another department's task
