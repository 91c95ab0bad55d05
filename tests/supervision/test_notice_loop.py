"""A supervision notice through its loop, as the services run it: the county answers with evidence,
the office sends the answer back with a reason, the county answers again (late), the office closes
it. Each step tells the next person once, by inbox and e-mail, with a link to the answer; every
step is in the notice's history; a stale form and another unit change nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from projects.models import Answer, Indicator, SupervisionNotice
from projects.supervision import services as svc
from projects.supervision.steps import Stale

from .conftest import ROADS, answer, mails_to, on, png, report, send, told, verify

pytestmark = pytest.mark.django_db


def test_answered_sent_back_answered_again_and_closed(notice, people):
    office, county, leader = people.office, people.mianchi, people.leader
    report(ROADS, "渑池县政府", date(2022, 7, 1), value=4)
    seen = {u.pk: len(told(u)) for u in (office, county, leader, people.jiaotong)}
    roads = Indicator.objects.get(code=ROADS)

    with on(date(2022, 8, 20)):
        first = answer(county, notice, figures=[roads.pk], new_date=date(2022, 10, 31), files=[png()])
        send()
    notice.refresh_from_db()
    assert (notice.state, first.number, first.late) == ("answered", 1, False)
    assert first.figures == [{"indicator": ROADS, "name": roads.name, "month": "2022-07", "figure": "4 个",
                              "status": "已报送"}]  # fmt: skip
    assert [f.original_name for f in first.files.all()] == ["现场照片.png"]
    # The office is told once, with a link to the answer; nobody else hears of it.
    (to_office,) = told(office, since=seen[office.pk])
    assert to_office.link == f"/supervision/notices/{notice.pk}/#answer-1" and to_office.notice_id == notice.pk
    assert "渑池县政府" in to_office.subject and "第 1 次" in to_office.subject
    assert "申请将完成时限调整为 2022年10月31日" in to_office.body and "10.1.1" in to_office.body
    assert len(mails_to("duchashi@example.org")) == 1
    assert told(county, since=seen[county.pk]) == [] and told(leader, since=seen[leader.pk]) == []

    with on(date(2022, 8, 22)), pytest.raises(ValidationError):
        verify(office, notice, accept=False, reason="  ")  # a sending back says why
    with on(date(2022, 8, 22)):
        verify(office, notice, accept=False, reason="请补充班线运行的现场照片和运营合同")
        send()
    notice.refresh_from_db()
    assert notice.state == "returned"
    first.refresh_from_db()
    assert (first.outcome, first.outcome_reason, first.verified_by) == (
        "sent_back", "请补充班线运行的现场照片和运营合同", office,
    )  # fmt: skip
    (to_county,) = told(county, since=seen[county.pk])
    assert to_county.link == f"/supervision/notices/{notice.pk}/"
    assert "请补充班线运行的现场照片和运营合同" in to_county.body and "2022年9月5日" in to_county.body
    assert len(mails_to("mianchi@example.org")) == 1

    with on(date(2022, 9, 7)):  # after the deadline (5 September): a late answer
        second = answer(county, notice, text="已补充运营合同和现场照片。", files=[png("合同.png"), png("班车.png")])
        send()
    assert (second.number, second.late) == (2, True)
    assert len(told(office, since=seen[office.pk])) == 2
    assert told(office)[-1].link.endswith("#answer-2") and "逾期反馈" in told(office)[-1].subject

    with on(date(2022, 9, 8)):
        verify(office, notice, accept=True, reason="资料齐全")
        send()
    notice.refresh_from_db()
    assert (notice.state, notice.closed_by) == ("closed", office)
    assert notice.closed_at is not None
    closing = told(county, since=seen[county.pk])[-1]
    assert "【办结】" in closing.subject and closing.link == f"/supervision/notices/{notice.pk}/"
    assert len(told(county, since=seen[county.pk])) == 2 and len(mails_to("mianchi@example.org")) == 2
    assert told(people.jiaotong, since=seen[people.jiaotong.pk]) == []

    steps = [(e.action, e.from_state, e.to_state, e.actor) for e in notice.events.order_by("at", "id")]
    assert steps == [
        ("issue", "", "issued", None),
        ("acknowledge", "issued", "acknowledged", county),
        ("answer", "acknowledged", "answered", county),
        ("send_back", "answered", "returned", office),
        ("answer", "returned", "answered", county),
        ("accept", "answered", "closed", office),
    ]
    assert notice.events.get(action="send_back").reason == "请补充班线运行的现场照片和运营合同"


def test_a_stale_form_and_another_unit_change_nothing(notice, people):
    with on(date(2022, 8, 20)):
        answer(people.mianchi, notice)
        notice.refresh_from_db()
        shown = notice.version
        verify(people.office, notice, accept=False, reason="补充材料")
        # A second office clerk still looking at the answered notice.
        with pytest.raises(Stale):
            svc.notice_verify(user=people.office, notice_id=notice.pk, version=shown, accept=True)
        notice.refresh_from_db()
        assert notice.state == "returned"
        # Another county, the lead department, a leader: the notice is not theirs to answer.
        for user in (people.shanzhou, people.jiaotong, people.leader):
            with pytest.raises(SupervisionNotice.DoesNotExist):
                answer(user, notice)
        # Nor does a unit verify it.
        with pytest.raises(SupervisionNotice.DoesNotExist):
            svc.notice_verify(user=people.mianchi, notice_id=notice.pk, version=notice.version, accept=True)
    assert Answer.objects.filter(notice=notice).count() == 1


def test_an_answer_needs_words_and_refuses_a_file_that_is_not_evidence(notice, people, settings):
    with on(date(2022, 8, 20)):
        with pytest.raises(ValidationError) as empty:
            answer(people.mianchi, notice, text="  ")
        assert "text" in empty.value.message_dict
        fake = png("发票.pdf")  # a PNG named as a PDF
        with pytest.raises(ValidationError) as refused:
            answer(people.mianchi, notice, files=[png(), fake])
        assert "扩展名与内容不符" in refused.value.message_dict["files"][0]
    notice.refresh_from_db()
    # Nothing kept: no answer, the state as it was, no file left behind.
    assert (notice.state, notice.answers.count()) == ("issued", 0)
    assert [p for p in settings.PRIVATE_MEDIA_ROOT.rglob("*") if p.is_file()] == []


def test_a_closed_notice_takes_no_more_answers(notice, people):
    with on(date(2022, 8, 20)):
        answer(people.mianchi, notice)
        verify(people.office, notice, accept=True)
        with pytest.raises(svc.Refused, match="已办结"):
            answer(people.mianchi, notice)
