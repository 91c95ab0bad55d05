"""The supervision office's admin: Chinese, searchable, filterable, and allocations that add up."""

import pytest
from django.core.exceptions import ValidationError

from projects.models import Assignment, Indicator, Role, Task, Unit, User
from projects.services.catalogue import allocations_set
from tests.account_factories import login_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_client(client, plan_2022):
    user = User.objects.create_superuser("office-admin", "o@example.com", "Pass-word-123", role=Role.OFFICE)
    client.force_login(user)
    return client


def test_admin_is_in_chinese_and_searches_units(office_client):
    page = office_client.get("/admin/projects/unit/", {"q": "供电"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "重点民生实事跟踪系统" in text
    assert "三门峡供电公司" in text and "湖滨区政府" not in text


def test_tasks_filter_by_project_and_unit(office_client):
    unit = Unit.objects.get(name="三门峡供电公司")
    page = office_client.get("/admin/projects/task/", {"unit": unit.pk})
    text = page.content.decode()
    # The power company leads 10.4 and cooperates on 2.1 and 2.2.
    assert page.context["cl"].result_count == 3
    assert "配电台区" in text
    project = Task.objects.get(project__number=2, number=1).project
    page = office_client.get("/admin/projects/task/", {"project__id__exact": project.pk})
    assert page.context["cl"].result_count == 7


def allocation_post(indicator, targets):
    assignments = list(indicator.assignments.order_by("position"))
    data = {
        "task": indicator.task_id,
        "code": indicator.code,
        "position": indicator.position,
        "name": indicator.name,
        "kind": indicator.kind,
        "source_text": indicator.source_text,
        "target": indicator.target,
        "unit_of_measure": indicator.unit_of_measure,
        "direction": indicator.direction,
        "deadline": indicator.deadline.isoformat(),
        "deadline_text": indicator.deadline_text,
        "aggregation": indicator.aggregation,
        "rate_basis": indicator.rate_basis,
        "stages": "null",
        "monthly_plan": "null",
        # Format 2's fields as the change page shows them for a monthly count.
        "target_confirmed": "on",
        "tolerance": "0",
        "frequency": "monthly",
        "base_unit": "",
        "base_text": "",
        "figure_unit": "",
        "assignments-TOTAL_FORMS": len(assignments),
        "assignments-INITIAL_FORMS": len(assignments),
        "assignments-MIN_NUM_FORMS": 0,
        "assignments-MAX_NUM_FORMS": 1000,
    }
    for i, (a, target) in enumerate(zip(assignments, targets, strict=True)):
        data |= {
            f"assignments-{i}-id": a.pk,
            f"assignments-{i}-indicator": indicator.pk,
            f"assignments-{i}-unit": a.unit_id,
            f"assignments-{i}-target": target,
            f"assignments-{i}-position": a.position,
        }
    return data


def test_allocations_edited_inline_must_add_up(office_client):
    indicator = Indicator.objects.get(code="10.1.1")  # 35 villages over three counties
    url = f"/admin/projects/indicator/{indicator.pk}/change/"
    page = office_client.post(url, allocation_post(indicator, [10, 10, 10]))
    assert page.status_code == 200
    assert "与全市目标 35个 不一致" in page.content.decode()
    assert not Assignment.objects.filter(indicator=indicator, target__isnull=False).exists()

    page = office_client.post(url, allocation_post(indicator, [12, 11, 12]))
    assert page.status_code == 302
    assert sorted(Assignment.objects.filter(indicator=indicator).values_list("target", flat=True)) == [11, 12, 12]


def test_allocation_service_refuses_a_split_that_does_not_add_up(plan_2022):
    indicator = Indicator.objects.get(code="2.2.1")  # 6500 manholes, six counties
    units = list(indicator.assignments.values_list("unit_id", flat=True))
    with pytest.raises(ValidationError, match="合计 6000个"):
        allocations_set(indicator=indicator, targets=dict.fromkeys(units, 1000))
    allocations_set(indicator=indicator, targets=dict(zip(units, [1500, 1000, 1000, 1000, 1000, 1000], strict=True)))
    assert sum(indicator.assignments.values_list("target", flat=True)) == 6500


def test_the_office_demo_account_can_work_in_the_admin(client, plan_2022):
    from projects.services.accounts import demo_accounts_create

    password = {a.username: a.password for a in demo_accounts_create(plan=plan_2022)}["duchashi"]
    # The admin's login page sends to the site's (password, then a second factor where enrolled).
    assert client.get("/admin/login/?next=/admin/").url == "/accounts/login/?next=/admin/"
    login = client.post("/accounts/login/?next=/admin/", login_data("duchashi", password))
    assert login.status_code == 302 and login.url == "/admin/"
    page = client.get("/admin/projects/indicator/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    # Chinese whatever the browser asks for, until the user switches language.
    assert page.status_code == 200 and "指标" in page.content.decode()
    assert "64" in page.content.decode()
