"""The header's search over units, projects, tasks and indicators (names and codes): each role finds
what it may see, and every hit opens a page that role may read."""

import pytest
import time_machine
from django.urls import reverse

from tests.reporting.conftest import REPORTING_JUNE

pytestmark = pytest.mark.django_db


def hits(client, user, q: str) -> list[tuple[str, str]]:
    """(label, link) of every hit, units, projects, tasks and indicators in that order; each link
    opened by the same user answers 200."""
    client.force_login(user)
    with time_machine.travel(REPORTING_JUNE, tick=False):
        response = client.get(reverse("search"), {"q": q})
        assert response.status_code == 200
        r = response.context["results"]
        found = [(h.label, h.link) for h in r.units + r.projects + r.tasks + r.indicators]
        for _label, link in found:
            assert client.get(link).status_code == 200, link
    return found


def labels(found: list[tuple[str, str]]) -> list[str]:
    return [label.split(" ", 1)[0] if label[0].isdigit() else label for label, _link in found]


def test_the_office_finds_by_code_and_by_name(client, office):
    # Task 3.2 (康复救助 of disabled children, at least 800) and its one indicator.
    assert labels(hits(client, office, "3.2")) == ["3.2", "3.2.1"]
    # "技能": project 一 by its title, task 1.1 by its text, and its three indicators.
    assert labels(hits(client, office, "技能")) == ["一、开展职业技能培训和评价取证", "1.1", "1.1.1", "1.1.2", "1.1.3"]
    assert labels(hits(client, office, "二")) == ["二、提升城市建设和管理水平"]
    assert labels(hits(client, office, "湖滨")) == ["湖滨区政府"]
    assert labels(hits(client, office, "2.2.1")) == ["2.2.1"]


def test_a_county_finds_its_own_unit_and_the_forms_of_what_it_reports(client, county_user):
    found = hits(client, county_user, "技能")
    assert labels(found) == ["1.1.1", "1.1.2", "1.1.3"]
    # Its hits open its form for the latest month that is over (June, on 3 July).
    assert all(link.startswith("/report/2022-06/indicator/") for _label, link in found)
    assert labels(hits(client, county_user, "湖滨")) == ["湖滨区政府"]
    assert hits(client, county_user, "陕州") == []  # another county: nothing
    assert hits(client, county_user, "二") == []  # no project pages for a county


def test_a_lead_department_finds_the_tasks_it_leads(client, department_user):
    # 市住房城乡建设局 leads task 2.2 (窨井 6500): the task and its indicator, on the dashboards.
    found = hits(client, department_user, "窨井")
    assert labels(found) == ["2.2", "2.2.1"] and found[0][1].startswith("/dashboards/tasks/")
    assert hits(client, department_user, "技能") == []  # task 1.1 is 市人力资源社会保障局's


def test_the_header_has_the_box_and_a_page_says_when_nothing_matches(client, office):
    client.force_login(office)
    with time_machine.travel(REPORTING_JUNE, tick=False):
        html = client.get(reverse("search"), {"q": "没有这个词" * 20}).content.decode()
        assert 'id="tracker-search-q"' in html
        assert "没有找到与“没有这个词没有这个词" in html and 'id="search-none"' in html
        assert client.get(reverse("search"), {"q": "没有这个词" * 20}).context["results"].query == ("没有这个词" * 10)
