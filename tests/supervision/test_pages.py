"""The loop's pages through the test client: who sees which form, a refused answer keeps what was
typed, the registers list what a user may read and export it."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Indicator, Project, SupervisionNotice
from tests.alerts.factories import UserFactory

from .conftest import ROADS, answer, on, png, report, verify

pytestmark = pytest.mark.django_db


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (user, url, response.status_code)
    return response.content.decode()


def test_the_notice_page_offers_each_role_its_own_step(client, notice, people):
    url = reverse("supervision:notice", args=[notice.pk])
    with on(date(2022, 8, 20)):
        county = page(client, people.mianchi, url)
        assert "提交反馈" in county and "签收" in county and "核查通过，办结" not in county
        lead = page(client, people.jiaotong, url)
        assert notice.code in lead and "提交反馈" not in lead
        office = page(client, people.office, url)
        assert "提交反馈" not in office and "核查通过，办结" not in office  # nothing to verify yet
        leader = page(client, people.leader, url)
        assert "写批示" in leader  # project 10 is in his portfolio
        client.force_login(people.shanzhou)
        assert client.get(url).status_code == 404

        answer(people.mianchi, notice)
        office = page(client, people.office, url)
        assert "核查通过，办结" in office and "第 1 次反馈" in office
        county = page(client, people.mianchi, url)
        assert "提交反馈" not in county and "待核查" in county


def test_an_answer_posted_with_a_bad_file_keeps_the_text_and_says_why(client, notice, people):
    client.force_login(people.mianchi)
    url = reverse("supervision:notice_answer", args=[notice.pk])
    with on(date(2022, 8, 20)):
        response = client.post(url, {"version": notice.version, "text": "已开通 3 条班线", "files": [png("合同.pdf")]})
    assert response.status_code == 200
    body = response.content.decode()
    assert "已开通 3 条班线" in body and "扩展名与内容不符" in body
    notice.refresh_from_db()
    assert notice.state == "issued"

    with on(date(2022, 8, 20)):
        response = client.post(url, {"version": notice.version, "text": "已开通 3 条班线", "files": [png()]})
    assert response.status_code == 302 and response["Location"].endswith("#answer-1")
    page_after = client.get(response["Location"]).content.decode()
    assert "现场照片.png" in page_after and "已提交第 1 次反馈" in page_after


def test_the_register_lists_and_exports_what_a_user_may_read(client, notice, people):
    with on(date(2022, 9, 7)):
        url = reverse("supervision:notices")
        office = page(client, people.office, url)
        assert notice.code in office and "逾期" in office  # past 5 September, unanswered
        late_only = page(client, people.office, url + "?overdue=yes")
        assert notice.code in late_only
        assert notice.code not in page(client, people.office, url + "?overdue=no")
        assert notice.code in page(client, people.mianchi, url)
        assert notice.code not in page(client, people.shanzhou, url)
        client.force_login(people.office)
        export = client.get(url + "?_export=xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "办理状态", "责任单位", "指标")
    codes = [r[0] for r in rows[1:]]
    assert notice.code in codes
    mine = next(r for r in rows[1:] if r[0] == notice.code)
    assert mine[1] == "待签收（逾期）" and mine[2] == "渑池县政府"


def test_answered_and_closed_notices_in_the_register(client, notice, people):
    report(ROADS, "渑池县政府", date(2022, 7, 1), value=4)
    with on(date(2022, 8, 20)):
        answer(people.mianchi, notice, figures=[Indicator.objects.get(code=ROADS).pk])
        verify(people.office, notice, accept=True)
        closed = page(client, people.office, reverse("supervision:notices") + "?state=closed")
        assert notice.code in closed
        assert notice.code not in page(client, people.office, reverse("supervision:notices") + "?state=issued")


def test_a_leaders_register_is_narrowed_to_his_portfolio_and_never_widens_a_units(client, notice, people):
    other = UserFactory(username="fushizhang2", role="leader", first_name="另一位副市长")
    other.portfolio.add(Project.objects.get(plan=notice.plan, number=1))
    url = reverse("supervision:notices")
    notices = SupervisionNotice.objects.select_related("task__project", "unit")
    by_project = {n.code: n.task.project.number for n in notices}
    mianchis = {n.code for n in notices if n.unit.name == "渑池县政府"}
    assert {2, 6, 10} & set(by_project.values()) and 1 in set(by_project.values())  # both portfolios have notices

    def listed(user, query: str) -> set[str]:
        html = page(client, user, f"{url}?{query}&per_page=500")
        return {code for code in by_project if f">{code}<" in html}

    with on(date(2022, 8, 20)):
        # The link of the leader's 催办 list: his projects 2, 6 and 10 only.
        assert listed(people.leader, f"leader={people.leader.pk}") == {
            c for c, n in by_project.items() if n in {2, 6, 10}
        }
        assert listed(other, f"leader={other.pk}") == {c for c, n in by_project.items() if n == 1}
        # Leaders read every notice (the permission matrix): taking the filter off, or naming
        # another leader, shows what they may read anyway.
        assert listed(people.leader, "") == set(by_project)
        assert listed(people.leader, f"leader={other.pk}") == {c for c, n in by_project.items() if n == 1}
        # A county sees its own notices whatever leader it names; the office's id is no leader.
        assert notice.code in mianchis
        assert listed(people.mianchi, f"leader={people.leader.pk}") == {
            c for c in mianchis if by_project[c] in {2, 6, 10}
        }
        assert listed(people.mianchi, f"leader={other.pk}") == {c for c in mianchis if by_project[c] == 1}
        assert listed(people.shanzhou, f"leader={people.leader.pk}") <= {
            c for c, n in by_project.items() if n in {2, 6, 10}
        }
        assert notice.code not in listed(people.shanzhou, f"leader={people.leader.pk}")
        assert listed(people.mianchi, f"leader={people.office.pk}") == mianchis
