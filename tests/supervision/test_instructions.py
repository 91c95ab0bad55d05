"""A leader's instruction (领导批示): written on an item of his portfolio, naming the units that must
reply by a date; each unit is told once; each reply goes back to the leader (and to the office,
which verifies it); a unit reads its own reply only; the last reply closed closes the instruction."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import Indicator, Project, Task, Unit
from projects.supervision import services as svc

from .conftest import ROADS, mails_to, on, send, told

pytestmark = pytest.mark.django_db

TWO = ("渑池县政府", "陕州区政府")


def units(*names: str) -> list[int]:
    return list(Unit.objects.filter(name__in=names).values_list("pk", flat=True))


def instruct(leader, *, deadline=date(2022, 10, 20), names=TWO, **target):
    target = target or {"indicator_id": Indicator.objects.get(code=ROADS).pk}
    return svc.instruction_issue(
        user=leader, target=svc.InstructionTarget(**target), text="要倒排工期，确保年底前全部开通。",
        unit_ids=units(*names), deadline=deadline,
    )  # fmt: skip


def reply(user, instruction, text):
    r = instruction.replies.get(unit=user.unit)
    return svc.reply_answer(user=user, reply_id=r.pk, version=r.version, answer=svc.AnswerInput(text=text))


def test_two_units_reply_and_the_leader_reads_both(client, people, roads, private_media):
    leader, office = people.leader, people.office
    with on(date(2022, 10, 8)):
        instruction = instruct(leader)
        send()
    assert instruction.code == "批示〔2022〕1号" and instruction.task.code == "10.1"
    for user in (people.mianchi, people.shanzhou):
        (letter,) = told(user)
        assert "要倒排工期" in letter.body and "2022年10月20日" in letter.body
        assert letter.link == reverse("supervision:instruction", args=[instruction.pk]) + (
            f"#reply-{instruction.replies.get(unit=user.unit).pk}"
        )
        assert len(mails_to(f"{user.username}@example.org")) == 1
    assert told(leader) == [] and told(office) == []

    with on(date(2022, 10, 12)):
        reply(people.mianchi, instruction, "渑池县已召开专题会，11月底前开通剩余班线。")
        reply(people.shanzhou, instruction, "陕州区已全部完成招标。")
        send()
    to_leader = told(leader)
    assert [[name for name in TWO if name in m.subject] for m in to_leader] == [[TWO[0]], [TWO[1]]]
    assert all(m.subject.startswith("【批示回复】领导批示（批示〔2022〕1号）") for m in to_leader)
    assert all(
        m.link.startswith(reverse("supervision:instruction", args=[instruction.pk]) + "#reply-") for m in to_leader
    )
    assert "渑池县已召开专题会" in to_leader[0].body and "陕州区已全部完成招标" in to_leader[1].body
    assert len(told(office)) == 2 and len(mails_to("fushizhang@example.org")) == 2

    # The leader reads both replies on the instruction's page; a county only its own.
    client.force_login(leader)
    page = client.get(reverse("supervision:instruction", args=[instruction.pk])).content.decode()
    assert "渑池县已召开专题会" in page and "陕州区已全部完成招标" in page
    client.force_login(people.mianchi)
    page = client.get(reverse("supervision:instruction", args=[instruction.pk])).content.decode()
    assert "渑池县已召开专题会" in page and "陕州区已全部完成招标" not in page
    client.force_login(people.jiaotong)  # not named: the instruction does not exist for it
    assert client.get(reverse("supervision:instruction", args=[instruction.pk])).status_code == 404

    # The office closes both replies; the last one closes the instruction and tells the leader once.
    with on(date(2022, 10, 13)):
        for r in instruction.replies.all():
            svc.reply_verify(user=office, reply_id=r.pk, version=r.version, accept=True)
        send()
    instruction.refresh_from_db()
    assert instruction.closed_at is not None
    closed = [m for m in told(leader) if "各单位均已办结" in m.subject]
    assert len(closed) == 1 and closed[0].link == reverse("supervision:instruction", args=[instruction.pk])


def test_only_a_leader_on_his_portfolio_names_units_the_item_concerns(people, roads, private_media):
    with on(date(2022, 10, 8)):
        elsewhere = Project.objects.get(plan__year=2022, number=1)
        with pytest.raises(Project.DoesNotExist):
            instruct(people.leader, project_id=elsewhere.pk, names=("湖滨区政府",))
        with pytest.raises(Project.DoesNotExist):  # the office and units write no instructions
            instruct(people.office)
        with pytest.raises(ValidationError) as unrelated:
            instruct(people.leader, names=("渑池县政府", "市教育局"))
        assert "units" in unrelated.value.message_dict
        with pytest.raises(ValidationError) as past:
            instruct(people.leader, deadline=date(2022, 10, 7))
        assert "deadline" in past.value.message_dict
        on_task = instruct(people.leader, task_id=Task.objects.get(project__number=10, number=1).pk,
                           names=("市交通运输局",))  # fmt: skip
    assert (on_task.task.code, on_task.indicator, on_task.replies.get().unit.name) == ("10.1", None, "市交通运输局")
