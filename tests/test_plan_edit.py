"""The office edits a plan in its own pages (issue 14 item 5): each change is checked as
``load_plan`` checks a file, all or nothing, every problem named in Chinese on the field it is
about; a stale form never overwrites a newer plan; every edit is audited; the admin's changes to a
plan's catalogue get the same checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.audit.actions import AuditAction
from projects.audit.models import AuditRecord, AuditResult
from projects.models import Assignment, CityProgress, Indicator, Plan, Role, Unit, User
from tests.factories import OfficeUserFactory
from tests.plan_helpers import catalogue_snapshot, form_post, load_fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client, plan_2022):
    client.force_login(OfficeUserFactory(username="duchashi"))
    return client


def edit(client, url: str, **changes):
    """Open the page, change some fields, save."""
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, form_post(page.context["form"], **changes))


def roads_url(plan: Plan) -> str:
    roads = Indicator.objects.get(task__project__plan=plan, code="5.1.1")
    return reverse("plan_indicator", args=[plan.pk, roads.pk])


def test_an_indicator_edit_with_problems_changes_nothing_and_names_them(office, plan_2022):
    before = catalogue_snapshot(plan_2022)
    revision = plan_2022.revision
    # 5.1.1 (a count) given a negative target and a deadline before the plan's start.
    page = edit(office, roads_url(plan_2022), target="-5", deadline="2021-12-31")
    assert page.status_code == 200
    form = page.context["form"]
    assert "目标值不能为负数" in " ".join(form.errors["target"]), form.errors
    assert form.errors["deadline"]
    assert "有 2 处问题，方案未作任何改动。" in page.content.decode()
    assert catalogue_snapshot(plan_2022) == before
    plan_2022.refresh_from_db()
    assert plan_2022.revision == revision
    refused = AuditRecord.objects.filter(action=AuditAction.PLAN_EDIT, result=AuditResult.FAILURE)
    assert refused.count() == 1


def test_an_indicator_edit_that_passes_is_saved_and_audited(office, plan_2022):
    revision = plan_2022.revision
    page = edit(office, roads_url(plan_2022), target="330")
    assert page.status_code == 302
    plan_2022.refresh_from_db()
    assert plan_2022.revision == revision + 1
    roads = Indicator.objects.get(task__project__plan=plan_2022, code="5.1.1")
    assert roads.target == Decimal(330)
    done = AuditRecord.objects.filter(action=AuditAction.PLAN_EDIT, result=AuditResult.SUCCESS)
    assert done.count() == 1
    # The pages judge against the new target from now on (the progress tables are rebuilt).
    assert set(CityProgress.objects.filter(indicator=roads).values_list("target", flat=True)) == {Decimal(330)}


def test_a_stale_form_never_overwrites_a_newer_plan(office, plan_2022):
    url = roads_url(plan_2022)
    stale = form_post(office.get(url).context["form"], target="340")
    assert edit(office, url, target="330").status_code == 302  # someone else saved first
    page = office.post(url, stale)
    assert page.status_code == 200
    assert "方案已在您打开页面后被修改" in page.content.decode()
    assert Indicator.objects.get(task__project__plan=plan_2022, code="5.1.1").target == Decimal(330)


def test_the_office_fills_a_unit_group_and_its_members_report(office, plan_2022):
    report = load_fixture("政府工作报告")
    group = report.unit_groups.get(name="市政府有关部门")
    url = reverse("plan_group", args=[report.pk, group.pk])
    detail = office.get(reverse("plan_detail", args=[report.pk])).content.decode()
    assert "市政府有关部门" in detail and "尚未指定成员单位" in detail
    members = list(Unit.objects.filter(name__in=["市发展改革委", "市财政局"]))
    assert len(members) == 2
    page = edit(office, url, members=[u.pk for u in members])
    assert page.status_code == 302, page.context["form"].errors if page.context else page
    assert sorted(group.memberships.values_list("unit__name", flat=True)) == ["市发展改革委", "市财政局"]
    # Each member reports every indicator the group reports: the 37 tasks of 重点工作.
    reported = Assignment.objects.filter(indicator__task__project__plan=report, via_group=group)
    assert reported.filter(unit__name="市财政局").count() == reported.filter(unit__name="市发展改革委").count() > 0
    detail = office.get(reverse("plan_detail", args=[report.pk])).content.decode()
    assert "尚未指定成员单位" not in detail


def test_only_the_office_sees_the_plan_pages(client, plan_2022):
    county = User.objects.create_user("county", role=Role.UNIT, password="Pass-word-123")
    client.force_login(county)
    assert client.get(roads_url(plan_2022)).status_code == 404
    assert client.post(roads_url(plan_2022), {"target": "1"}).status_code == 404


@pytest.fixture
def office_admin(client, plan_2022):
    user = User.objects.create_superuser("office-admin", "o@example.com", "Pass-word-123", role=Role.OFFICE)
    client.force_login(user)
    return client


def test_the_admins_change_to_an_indicator_gets_load_plans_checks(office_admin, plan_2022):
    roads = Indicator.objects.get(task__project__plan=plan_2022, code="5.1.1")
    url = f"/admin/projects/indicator/{roads.pk}/change/"
    page = office_admin.get(url)
    before = catalogue_snapshot(plan_2022)
    data = form_post(page.context["adminform"].form, target="-5", stages="null", monthly_plan="null")
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update(form_post(management))
        for form in formset.formset.forms:
            data.update(form_post(form))
    page = office_admin.post(url, data, follow=True)
    text = page.content.decode()
    assert "方案检查未通过" in text and "目标值不能为负数" in text
    assert catalogue_snapshot(plan_2022) == before
    refused = AuditRecord.objects.get(action=AuditAction.PLAN_EDIT, result=AuditResult.FAILURE)
    assert refused.detail["what"] == "admin"
    # The same page with a target that passes is saved.
    data["target"] = "330"
    assert office_admin.post(url, data).status_code == 302
    assert Indicator.objects.get(pk=roads.pk).target == Decimal(330)
