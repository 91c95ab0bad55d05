"""Proposals and the vote: the throttle per address, moderation, once per deputy, the live count,
the result published at close and the chosen candidates as a draft plan."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import Client
from django.test.utils import override_settings

from projects.models import AuditRecord
from projects.people.models import Candidate, Proposal, ProposalStatus, VoteCast
from projects.people.services.vote import AlreadyCast, candidate_save, proposal_moderate, vote_cast
from projects.planfile import PlanFileError, check_plan_data
from projects.services.catalogue import plan_load

from .conftest import DAY, NOW

pytestmark = pytest.mark.django_db


def propose(client: Client, n: int, address: str = "10.0.0.7"):
    data = {"title": f"建议{n}", "body": "希望加装电梯", "place": "湖滨区", "contact": "13900000000", "website": ""}
    return client.post("/public/proposals/", data, REMOTE_ADDR=address)


@override_settings(PEOPLE_PROPOSALS_PER_DAY=3)
def test_three_proposals_a_day_from_one_address_then_a_clear_refusal_that_keeps_the_text(clock):
    client = Client()
    for n in range(3):
        assert propose(client, n)["Location"] == "/public/proposals/thanks/"
    refused = propose(client, 3)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "24 小时内最多提交 3 条建议" in html and "建议3" in html  # the text stays in the form
    assert propose(client, 4, address="10.0.0.8").status_code == 302  # another address is not held back
    clock.shift(DAY)
    assert propose(client, 5).status_code == 302  # a day later
    assert Proposal.objects.count() == 5
    # The address is kept only as a keyed hash; the contact encrypted; the audit has no contact.
    proposal = Proposal.objects.first()
    assert "10.0.0.7" not in proposal.address_key and len(proposal.address_key) == 64
    assert not AuditRecord.objects.filter(action="proposal.submit", detail__icontains="13900000000").exists()
    assert AuditRecord.objects.filter(action="proposal.submit", result="failure").count() == 1


def test_a_robot_that_fills_the_hidden_field_is_thanked_and_nothing_is_kept(clock):
    response = Client().post(
        "/public/proposals/",
        {"title": "广告", "body": "广告", "website": "http://spam.example"},
        REMOTE_ADDR="10.1.1.1",
    )
    assert response.status_code == 302 and Proposal.objects.count() == 0


def test_the_office_turns_proposals_into_a_candidate_with_cost_and_units(office, clock, session):
    from projects.models import Unit
    from projects.people.services.vote import vote_create

    vote = vote_create(
        user=office, session_id=session.pk, title="票决", plan_year=2023, choose=1, opens_at=NOW + DAY,
        closes_at=NOW + 2 * DAY,
    )  # fmt: skip
    a = Proposal.objects.create(title="电梯", body="加装电梯", submitted_at=NOW, address_key="a")
    b = Proposal.objects.create(title="电梯2", body="六楼", submitted_at=NOW, address_key="b")
    c = Proposal.objects.create(title="广告", body="无关", submitted_at=NOW, address_key="c")
    zhujian = Unit.objects.get(name="市住房城乡建设局")
    candidate = candidate_save(
        user=office, vote_id=vote.pk, title="老旧小区加装电梯 200 部", description="加装电梯",
        estimated_cost="3000.50", lead_unit_ids=[zhujian.pk], proposal_ids=[a.pk, b.pk],
    )  # fmt: skip
    proposal_moderate(user=office, proposal_id=c.pk, status=ProposalStatus.DECLINED, note="不属于民生实事")
    assert str(candidate.estimated_cost) == "3000.50"
    assert list(candidate.lead_units.values_list("name", flat=True)) == ["市住房城乡建设局"]
    assert set(candidate.proposals.values_list("title", flat=True)) == {"电梯", "电梯2"}
    assert Proposal.objects.get(pk=a.pk).status == ProposalStatus.ACCEPTED
    assert Proposal.objects.get(pk=c.pk).status == ProposalStatus.DECLINED
    # The queue is empty; a deputy or the public cannot see it.
    client = Client()
    client.force_login(office)
    assert "没有待审的建议" in client.get("/people/office/proposals/").content.decode()
    assert Client().get("/people/office/proposals/").status_code == 302


def test_each_deputy_votes_once_for_exactly_n_candidates(vote, deputies):
    one, two, three = vote.candidates.order_by("number")
    with pytest.raises(Exception, match="请选择 2 个项目"):
        vote_cast(user=deputies[0].user, vote_id=vote.pk, candidate_ids=[one.pk])
    vote_cast(user=deputies[0].user, vote_id=vote.pk, candidate_ids=[one.pk, two.pk])
    with pytest.raises(AlreadyCast):
        vote_cast(user=deputies[0].user, vote_id=vote.pk, candidate_ids=[two.pk, three.pk])
    vote_cast(user=deputies[1].user, vote_id=vote.pk, candidate_ids=[two.pk, three.pk])
    assert [c.votes for c in vote.candidates.order_by("number")] == [1, 2, 1]
    assert VoteCast.objects.filter(vote=vote).count() == 2
    # The audit trail says who voted and who was refused, never what they chose.
    casts = AuditRecord.objects.filter(action="vote.cast")
    assert casts.filter(result="success").count() == 2 and casts.filter(result="failure").count() == 2
    for record in casts:
        assert str(one.pk) not in json.dumps({k: v for k, v in record.detail.items() if k != "reason"})


def test_the_database_refuses_a_second_vote_record_even_without_the_check(vote, deputies):
    VoteCast.objects.create(vote=vote, deputy=deputies[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        VoteCast.objects.create(vote=vote, deputy=deputies[0])


def test_outside_the_window_no_vote_and_only_deputies_of_the_session_vote(vote, deputies, office, clock):
    one, two, _three = vote.candidates.order_by("number")
    with pytest.raises(PermissionDenied):
        vote_cast(user=office, vote_id=vote.pk, candidate_ids=[one.pk, two.pk])
    clock.shift(2 * DAY)
    with pytest.raises(Exception, match="不在投票时间内"):
        vote_cast(user=deputies[0].user, vote_id=vote.pk, candidate_ids=[one.pk, two.pk])
    assert sum(Candidate.objects.filter(vote=vote).values_list("votes", flat=True)) == 0


def test_live_count_for_the_office_the_result_published_at_close_and_the_draft_plan(vote, deputies, office, clock):
    one, two, three = vote.candidates.order_by("number")
    for deputy, chosen in zip(deputies, [(one, two), (two, three), (two, one), (one, three)], strict=True):
        vote_cast(user=deputy.user, vote_id=vote.pk, candidate_ids=[c.pk for c in chosen])
    client = Client()
    client.force_login(office)
    live = client.get(f"/people/office/votes/{vote.pk}/live/").content.decode()
    assert "已投票 4 / 4 名代表" in live and 'hx-trigger="every 5s"' in live
    # Open: no published result, no draft plan yet.
    assert Client().get(f"/public/votes/{vote.pk}/").status_code == 404
    assert client.get(f"/people/office/votes/{vote.pk}/plan.json").status_code == 302
    clock.shift(2 * DAY)
    client.force_login(office)  # two days on, the session has timed out
    # 口袋公园 3 votes, 老旧小区 3, 幼儿园 2: the first two are chosen.
    public = Client().get(f"/public/votes/{vote.pk}/").content.decode()
    assert public.count("当选") == 2 and "实际投票 4 名" in public
    draft = json.loads(client.get(f"/people/office/votes/{vote.pk}/plan.json").content)
    assert draft["plan"]["year"] == 2023
    assert [p["title"] for p in draft["projects"]] == ["口袋公园", "老旧小区"]
    assert draft["projects"][1]["tasks"][0]["lead_units"] == ["市住房城乡建设局"]
    assert {"name": "市城管局", "kind": "department"} in draft["units"]
    assert "得票 3，估算投资 18000.00 万元" in draft["plan"]["notes"]



def test_the_draft_plan_asks_only_for_what_the_office_completes_then_loads(vote, deputies, office, clock):
    """The chosen candidates' draft, checked as load_plan checks a file: it lacks only the document's
    number, issuing body and date; completed, it loads as the 2023 plan with the two projects, their
    task texts and lead units."""
    one, two, three = vote.candidates.order_by("number")
    for deputy, chosen in zip(deputies, [(one, two), (two, three), (two, one), (one, three)], strict=True):
        vote_cast(user=deputy.user, vote_id=vote.pk, candidate_ids=[c.pk for c in chosen])
    clock.shift(2 * DAY)
    client = Client()
    client.force_login(office)
    draft = json.loads(client.get(f"/people/office/votes/{vote.pk}/plan.json").content)
    with pytest.raises(PlanFileError) as refused:
        check_plan_data(draft)
    assert sorted(p.split(":")[0] for p in refused.value.problems) == [
        "plan.document", "plan.issued_on", "plan.issuing_body",
    ]  # fmt: skip
    draft["plan"].update(document="三政办〔2023〕1号", issuing_body="三门峡市人民政府办公室", issued_on="2023-01-20")
    plan = plan_load(checked=check_plan_data(draft)).plan
    assert (plan.year, plan.document) == (2023, "三政办〔2023〕1号")
    projects = list(plan.projects.order_by("number").values_list("number", "title"))
    assert projects == [(1, "口袋公园"), (2, "老旧小区")]
    task = plan.projects.get(number=2).tasks.get()
    assert task.text == "老旧小区建设"
    assert list(task.task_units.filter(role="lead").values_list("unit__name", flat=True)) == ["市住房城乡建设局"]
