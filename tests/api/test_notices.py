"""The notices endpoint follows a notice through the supervision loop (projects/supervision/): its
state, its deadline (moved when an answer is sent back with a new one), whether it is overdue, each
answer and its verification, filtered by state and by overdue. The loop is driven by its own
services, as the site's pages drive it; the API only reads."""

from __future__ import annotations

from datetime import date

import pytest

from projects.models import Indicator
from tests.alerts.conftest import people, roads  # noqa: F401 - fixtures
from tests.reporting.conftest import private_media  # noqa: F401 - fixture
from tests.supervision.conftest import ROADS, answer, notice, on, report, verify  # noqa: F401 - fixtures

from .helpers import get, make_client

pytestmark = pytest.mark.django_db

# What the endpoint answered before the loop's fields were added: a contract, kept key for key.
FIRST_FIELDS = {
    "id", "plan", "code", "number", "project", "task", "indicator", "indicator_id", "unit", "unit_id",
    "lead_unit", "responsible_person", "problem", "month", "deadline", "issued_at", "acknowledged_at",
}  # fmt: skip
LOOP_FIELDS = {"state", "overdue", "answered_at", "closed_at", "answers"}


@pytest.fixture
def reader(notice) -> str:  # noqa: F811 - the imported fixture
    return make_client("省督查平台")[1]


def rows(token: str, **params) -> list[dict]:
    response = get(token, "/api/v1/notices/", **params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def row_of(token: str, notice, **params) -> dict:  # noqa: F811 - a notice, not the fixture
    (row,) = [r for r in rows(token, page_size=500, **params) if r["id"] == notice.pk]
    return row


def listed(token: str, notice, **params) -> bool:  # noqa: F811
    """Whether the notice is among the rows the filters give (the scan issued other notices too)."""
    return notice.pk in {r["id"] for r in rows(token, page_size=500, **params)}


def test_a_notice_through_the_loop_as_the_api_shows_it(notice, people, reader):  # noqa: F811
    county, office = people.mianchi, people.office
    code = notice.code

    with on(date(2022, 8, 10)):
        issued = row_of(reader, notice)
    assert set(issued) == FIRST_FIELDS | LOOP_FIELDS
    assert (issued["code"], issued["unit"], issued["deadline"], issued["month"]) == (
        code, "渑池县政府", "2022-09-05", "2022-07",
    )  # fmt: skip
    assert (issued["state"], issued["overdue"], issued["answered_at"], issued["closed_at"], issued["answers"]) == (
        "issued", False, None, None, [],
    )  # fmt: skip

    report(ROADS, "渑池县政府", date(2022, 7, 1), value=4)
    roads_id = Indicator.objects.get(code=ROADS).pk
    with on(date(2022, 8, 20)):
        answer(county, notice, text="已召开推进会。", figures=[roads_id], new_date=date(2022, 10, 31))
        answered = row_of(reader, notice)
    # Answering signs for the notice first (the loop's rule), at the same moment.
    assert (answered["state"], answered["answered_at"], answered["acknowledged_at"]) == (
        "answered", "2022-08-20T10:00:00+08:00", "2022-08-20T10:00:00+08:00",
    )  # fmt: skip
    assert answered["answers"] == [
        {
            "number": 1, "text": "已召开推进会。", "new_date": "2022-10-31", "answered_at": "2022-08-20T10:00:00+08:00",
            "late": False, "outcome": None, "outcome_reason": "", "verified_at": None,
            "figures": [{"indicator": ROADS, "name": notice.indicator.name, "month": "2022-07", "figure": "4 个",
                         "status": "已报送"}],
        }
    ]  # fmt: skip

    with on(date(2022, 8, 22)):
        verify(office, notice, accept=False, reason="请补充现场照片", deadline=date(2022, 9, 30))
        returned = row_of(reader, notice)
    assert (returned["state"], returned["deadline"], returned["overdue"]) == ("returned", "2022-09-30", False)
    assert {k: returned["answers"][0][k] for k in ("outcome", "outcome_reason", "verified_at")} == {
        "outcome": "sent_back", "outcome_reason": "请补充现场照片", "verified_at": "2022-08-22T10:00:00+08:00",
    }  # fmt: skip

    # 1 October: the new deadline (30 September) has passed and the county has not answered again.
    with on(date(2022, 10, 1)):
        assert row_of(reader, notice)["overdue"] is True
        assert listed(reader, notice, overdue="true") and not listed(reader, notice, overdue="false")
        assert listed(reader, notice, state="returned") and not listed(reader, notice, state="answered")
        assert {r["state"] for r in rows(reader, state="issued", page_size=500)} == {"issued"}
        # The other notices the scan issued on 6 August are past their 5 September deadline too.
        late = rows(reader, overdue="true", page_size=500)
        assert len(late) > 1 and all(r["overdue"] and r["state"] in ("issued", "returned") for r in late)

    with on(date(2022, 10, 2)):
        answer(county, notice, text="已补充现场照片。")
    with on(date(2022, 10, 3)):
        verify(office, notice, accept=True, reason="资料齐全")
        closed = row_of(reader, notice)
        assert [r["id"] for r in rows(reader, state="closed")] == [notice.pk]
        assert not listed(reader, notice, overdue="true") and listed(reader, notice, overdue="false")
    assert (closed["state"], closed["overdue"], closed["closed_at"], closed["answered_at"]) == (
        "closed", False, "2022-10-03T10:00:00+08:00", "2022-10-02T10:00:00+08:00",
    )  # fmt: skip
    assert [(a["number"], a["late"], a["outcome"], a["outcome_reason"]) for a in closed["answers"]] == [
        (1, False, "sent_back", "请补充现场照片"),
        (2, True, "accepted", "资料齐全"),
    ]
    # The fields that were there before the loop's say what they said.
    assert {k: closed[k] for k in FIRST_FIELDS - {"deadline", "acknowledged_at"}} == {
        k: issued[k] for k in FIRST_FIELDS - {"deadline", "acknowledged_at"}
    }


def test_a_bad_state_or_overdue_gets_a_message(notice, reader):  # noqa: F811
    bad_state = get(reader, "/api/v1/notices/", state="done")
    assert bad_state.status_code == 400
    (error,) = bad_state.json()["errors"]
    assert error["field"] == "state" and "done" in error["message"]
    bad_overdue = get(reader, "/api/v1/notices/", overdue="yes")
    assert bad_overdue.status_code == 400
    assert bad_overdue.json()["errors"] == [{"indicator": None, "field": "overdue", "message": "应为 true 或 false"}]


def test_one_query_more_for_the_answers_whatever_their_number(notice, people, reader, django_assert_max_num_queries):  # noqa: F811
    with on(date(2022, 8, 20)):
        answer(people.mianchi, notice)
    with on(date(2022, 8, 22)):
        verify(people.office, notice, accept=False, reason="请补充")
    with on(date(2022, 8, 23)):
        answer(people.mianchi, notice, text="已补充")
    with on(date(2022, 8, 24)), django_assert_max_num_queries(16) as queries:
        assert len(row_of(reader, notice)["answers"]) == 2
    assert sum("projects_answer" in q["sql"] for q in queries.captured_queries) == 1
