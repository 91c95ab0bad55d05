"""The supervision loop (闭环) in a real browser, each role logging in through the login form, on
the demo of `make run` (figures to September 2022, the clock on 6 October 2022):

- a county answers its supervision notice with evidence, the office sends the answer back, the
  county answers again, the office closes it (办结);
- the vice-mayor writes an instruction (领导批示) on a task of his portfolio naming two counties;
  both reply and he reads both replies;
- the lead department applies to close out (销号) a met target, the office closes it out, and its
  figures are locked.

Each step leaves exactly one message (and one e-mail: the demo accounts have addresses) for the
next person, and that person opens the page from the message's link in the inbox.
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core import mail

from projects.clock import DEMO_TODAY
from projects.models import Assignment, Indicator, Message, SupervisionNotice, Task, User
from tests.browser.conftest import PASSWORD, log_in, screenshot
from tests.browser.demo import DEMO_NOW, demo, log_out
from tests.factories import pin_clock
from tests.reporting.test_permissions import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The scan after August's figures were due: reds seen then and still red on the demo's day
# (6 October) are escalated to supervision notices on that day.
AUGUST_SCAN = date(2022, 9, 6)


class Mailbox:
    """What each person was told since the last look: inbox messages and e-mails."""

    def __init__(self, *users: User) -> None:
        self.users = users
        self.seen = {u.pk: self._ids(u) for u in users}
        self.mails = {u.pk: self._mails(u) for u in users}

    @staticmethod
    def _ids(user: User) -> set[int]:
        return set(Message.objects.filter(recipient=user).values_list("pk", flat=True))

    @staticmethod
    def _mails(user: User) -> int:
        return sum(user.email in m.to for m in mail.outbox)

    def news(self) -> dict[str, list[Message]]:
        """The new messages of each person (by username), and the new e-mails counted alike."""
        result, mails = {}, {}
        for user in self.users:
            ids = self._ids(user) - self.seen[user.pk]
            result[user.username] = list(Message.objects.filter(pk__in=ids).order_by("pk"))
            mails[user.username] = self._mails(user) - self.mails[user.pk]
            self.seen[user.pk] |= ids
            self.mails[user.pk] += mails[user.username]
        self.last_mails = mails
        return result

    def only(self, username: str) -> Message:
        """The one message of the last step: to ``username`` and nobody else, with one e-mail."""
        news = self.news()
        assert {who: len(got) for who, got in news.items() if got} == {username: 1}, {
            who: [m.subject for m in got] for who, got in news.items() if got
        }
        assert {who: n for who, n in self.last_mails.items() if n} == {username: 1}, self.last_mails
        return news[username][0]


def open_from_inbox(page, live_server, message: Message) -> None:
    """From the inbox, the message's own button: the page it is about."""
    card = page.locator(f"#message-{message.pk}")
    for number in range(1, 30):  # the letter is on one of the inbox's pages
        page.goto(f"{live_server.url}/inbox/?page={number}")
        if card.count():
            break
    assert message.subject in card.inner_text()
    with page.expect_navigation():
        card.locator(".tracker-message-open").click()
    path = message.link.split("#")[0]
    assert page.url.split("#")[0] == f"{live_server.url}{path}", (page.url, message.link)


def state(page) -> str:
    return page.locator(".tracker-page-header .badge").first.inner_text().strip()


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_a_county_answers_a_notice_twice_and_the_office_closes_it(page, live_server, plan_2022, tmp_path):
    with time_machine.travel(DEMO_NOW, tick=True), pin_clock(DEMO_TODAY):
        users = demo(plan_2022, scans=(AUGUST_SCAN,))
        county, office = users["lushi"], users["duchashi"]
        notice = SupervisionNotice.objects.filter(unit=county.unit).order_by("number").first()
        assert notice is not None and notice.state == "issued"
        # The county's letter: one message about this notice, with its link.
        (letter,) = Message.objects.filter(recipient=county, notice=notice)
        photo = tmp_path / "整改现场.png"
        photo.write_bytes(PNG + b"site")
        box = Mailbox(county, office, users["fushizhang"], users["zhujian"])

        log_in(page, live_server, username="lushi")
        open_from_inbox(page, live_server, letter)
        assert notice.code in page.inner_text("h1 + p")
        page.fill("#answer-form textarea[name='text']", "已召开专题推进会，倒排工期，9月新增完成部分任务量。")
        page.set_input_files("#answer-form input[type='file']", str(photo))
        submit(page, "#answer-form button[type='submit']:has-text('提交反馈')")
        assert state(page) == "已反馈，待核查"
        assert page.locator("#answers a", has_text="整改现场.png").count() == 1
        to_office = box.only("duchashi")
        log_out(page)

        log_in(page, live_server, username="duchashi")
        open_from_inbox(page, live_server, to_office)
        assert page.locator("#answer-1").is_visible()
        page.fill("#verify-form textarea[name='reason']", "反馈未说明滞后原因，请补充完成时限。")
        submit(page, "#verify-form button[value='send_back']")
        assert state(page) == "已退回，待重新反馈"
        back = box.only("lushi")
        assert "反馈未说明滞后原因" in back.body
        log_out(page)

        log_in(page, live_server, username="lushi")
        open_from_inbox(page, live_server, back)
        page.fill("#answer-form textarea[name='text']", "滞后原因为前期手续办理较慢，现已办结，确保10月底前完成。")
        submit(page, "#answer-form button[type='submit']:has-text('提交反馈')")
        again = box.only("duchashi")
        assert again.link.endswith("#answer-2")
        log_out(page)

        log_in(page, live_server, username="duchashi")
        open_from_inbox(page, live_server, again)
        page.fill("#verify-form textarea[name='reason']", "经核查，整改措施落实到位。")
        submit(page, "#verify-form button[value='accept']")
        assert state(page) == "已办结"
        closed = box.only("lushi")
        assert "【办结】" in closed.subject
        history = page.inner_text("#history")
        for step in ("签发", "整改反馈", "退回重新办理", "核查通过，办结", "反馈未说明滞后原因"):
            assert step in history, step
        screenshot(page, "supervision-notice-closed")
        log_out(page)

        log_in(page, live_server, username="lushi")
        open_from_inbox(page, live_server, closed)
        assert state(page) == "已办结"
    notice.refresh_from_db()
    assert (notice.state, notice.answers.count()) == ("closed", 2)


def test_a_leaders_instruction_is_answered_by_two_units_and_he_reads_both(page, live_server, plan_2022):
    with time_machine.travel(DEMO_NOW, tick=True), pin_clock(DEMO_TODAY):
        users = demo(plan_2022)
        leader = users["fushizhang"]
        task = Task.objects.get(project__plan=plan_2022, project__number=2, number=1)
        box = Mailbox(leader, users["hubin"], users["lushi"], users["duchashi"])

        log_in(page, live_server, username="fushizhang")
        page.goto(f"{live_server.url}/dashboards/tasks/{task.pk}/")
        submit(page, "a:has-text('写批示')")
        page.fill("textarea[name='text']", "老旧小区改造要压实责任，加快进度。请湖滨区、卢氏县报告推进措施。")
        for name in ("湖滨区政府", "卢氏县政府"):
            page.check(f".tracker-unit-choices label:has-text('{name}')")
        page.fill("input[name='deadline']", "2022-10-13")
        submit(page, "button:has-text('交办')")
        assert page.locator(".tracker-reply").count() == 2
        news = box.news()
        assert {who: len(got) for who, got in news.items() if got} == {"hubin": 1, "lushi": 1}
        log_out(page)

        to_leader = []
        for who, text in (
            ("hubin", "已逐小区排查，未开工的3个小区实行周调度。"),
            ("lushi", "已组织施工单位增加作业面，10月底前全部开工。"),
        ):
            log_in(page, live_server, username=who)
            open_from_inbox(page, live_server, news[who][0])
            mine = page.locator(".tracker-reply")
            assert mine.count() == 1  # a unit sees its own part only
            mine.locator("textarea[name='text']").fill(text)
            submit(page, ".tracker-reply button:has-text('提交反馈')")
            got = box.news()
            assert [m.subject for m in got["fushizhang"]] and len(got["fushizhang"]) == 1, got
            to_leader.append((got["fushizhang"][0], text))
            log_out(page)

        log_in(page, live_server, username="fushizhang")
        for message, text in to_leader:
            open_from_inbox(page, live_server, message)
            assert text in page.inner_text("main")
        assert page.locator(".tracker-reply").count() == 2
        screenshot(page, "supervision-instruction-two-replies")


def test_a_met_target_is_closed_out_and_its_figures_locked(page, live_server, plan_2022, tmp_path):
    with time_machine.travel(DEMO_NOW, tick=True), pin_clock(DEMO_TODAY):
        users = demo(plan_2022)
        lead, office = users["zhujian"], users["duchashi"]
        indicator = Indicator.objects.get(task__project__plan=plan_2022, code="2.3.1")
        box = Mailbox(lead, office, users["fushizhang"], users["hubin"])
        proof = tmp_path / "竣工验收.png"
        proof.write_bytes(PNG + b"done")

        log_in(page, live_server, username="zhujian")
        page.goto(f"{live_server.url}/dashboards/indicators/{indicator.pk}/")
        submit(page, "#indicator-loop a:has-text('申请销号')")
        page.fill("textarea[name='note']", "供热管网改造已全部完成并通过竣工验收。")
        page.set_input_files("input[type='file']", str(proof))
        submit(page, "button:has-text('提交销号申请')")
        assert state(page) == "已申请，待核查"
        applied = box.only("duchashi")
        log_out(page)

        log_in(page, live_server, username="duchashi")
        open_from_inbox(page, live_server, applied)
        page.fill("#decide-form textarea[name='reason']", "经现场核查，已完成。")
        submit(page, "#decide-form button[value='approve']")
        assert state(page) == "已销号"
        decided = box.only("zhujian")
        log_out(page)

        log_in(page, live_server, username="zhujian")
        open_from_inbox(page, live_server, decided)
        assert state(page) == "已销号"
        page.goto(f"{live_server.url}/dashboards/indicators/{indicator.pk}/")
        assert page.locator("h1 .tracker-closed-out, .tracker-page-header .tracker-closed-out").count() >= 1
        # Its figures are locked for every unit that reports it: no form, the reason instead.
        reporter = Assignment.objects.filter(indicator=indicator).select_related("unit").first()
        assert reporter is not None
        if reporter.unit_id != lead.unit_id:
            log_out(page)
            reporter_user = User.objects.filter(unit=reporter.unit).first()
            reporter_user.set_password(PASSWORD)
            reporter_user.save(update_fields=["password"])
            log_in(page, live_server, username=reporter_user.username)
        page.goto(f"{live_server.url}/report/2022-09/")
        row = page.locator("tr", has_text=indicator.name)
        # The close-out's lock, which only the office lifts, rather than the approval's.
        assert "已销号，数据已锁定" in row.inner_text()
        assert row.locator("a:has-text('修改'), a:has-text('填报')").count() == 0
        screenshot(page, "supervision-closed-out-locked")
    indicator.refresh_from_db()
    assert indicator.closed_out_at is not None
