"""Who reviews whom, on the real 2022 plan."""

import pytest

from projects.models import Task
from projects.permissions import reviewing_units, submission_reviewers, tasks_reviewed_by
from tests.factories import SubmissionFactory

from .conftest import indicator, unit

pytestmark = pytest.mark.django_db


def codes(tasks) -> set[str]:
    return {t.code for t in tasks.select_related("project")}


def test_the_housing_bureau_reviews_its_six_tasks(plan_2022):
    assert codes(tasks_reviewed_by(unit=unit("市住房城乡建设局"))) == {"2.1", "2.2", "2.3", "2.5", "6.1", "6.2"}


def test_counties_and_committees_lead_many_tasks_but_review_none(plan_2022):
    assert codes(tasks_reviewed_by(unit=unit("湖滨区政府"))) == set()
    assert codes(tasks_reviewed_by(unit=unit("城乡一体化示范区管委会"))) == set()


def test_every_task_has_a_city_level_reviewer(plan_2022):
    for task in Task.objects.filter(project__plan=plan_2022):
        assert reviewing_units(task=task).exists(), task.code


def test_a_countys_figure_is_reviewed_by_the_lead_departments(plan_2022):
    sub = SubmissionFactory(indicator=indicator("2.2.1"), unit=unit("义马市政府"))
    assert {u.name for u in submission_reviewers(submission=sub)} == {"市住房城乡建设局", "市城管局"}


def test_a_lead_departments_own_figure_goes_to_the_office(plan_2022):
    # 2.3.1 (heating network) is reported by the housing bureau itself, the task's only reviewer.
    sub = SubmissionFactory(indicator=indicator("2.3.1"), unit=unit("市住房城乡建设局"))
    assert submission_reviewers(submission=sub) == []


def test_one_lead_department_reviews_another_on_a_shared_task(plan_2022):
    # Task 6.2 is led by the land bureau and the housing bureau; the land bureau reports 6.2.1.
    sub = SubmissionFactory(indicator=indicator("6.2.1"), unit=unit("市自然资源规划局"))
    assert [u.name for u in submission_reviewers(submission=sub)] == ["市住房城乡建设局"]
