"""The people's side in a real browser (issue 15): a citizen proposes, the office moderates and
sets up the vote, deputies vote once each (two tabs, a double click), the chosen projects become
a draft plan; a deputy inspects and suggests, the lead unit answers; deputies rate and the result
and its Word report come out with the right rates; the public page on a phone and a desktop."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
import time_machine
from docx import Document

from projects.models import Evidence, Plan, Submission, SubmissionStatus, Unit
from projects.people.models import Candidate, CongressSession, Deputy, Proposal, ProposalStatus, VoteCast
from projects.people.services.demo import demo_png
from projects.people.services.public import photo_publish, plan_publish
from projects.people.services.rating import rating_create
from projects.services.progress import progress_refresh
from projects.services.reporting import month_close
from tests.browser.conftest import PHONE, log_in, screenshot
from tests.browser.demo import log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BEIJING = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2022, 12, 20, 9, 0, tzinfo=BEIJING)
MINUTE = dt.timedelta(minutes=1)


def deputies(make_user, n: int) -> list[Deputy]:
    session = CongressSession.objects.create(name="三门峡市第八届人民代表大会第三次会议", year=2023)
    names = ["王建华", "李秀英", "张国强"]
    return [
        Deputy.objects.create(
            user=make_user("deputy", username=f"daibiao{i + 1}", first_name=names[i]), session=session, name=names[i]
        )
        for i in range(n)
    ]


def submit(page, selector: str = "main form button[type=submit]") -> None:
    with page.expect_navigation():
        page.click(selector)


def test_a_citizen_proposes_the_office_moderates_deputies_vote_once_and_a_draft_plan_comes_out(
    page, phone_page, live_server, make_user, plan_2022
):
    with time_machine.travel(T0, tick=True) as clock:
        office = make_user("office", username="duchashi", first_name="市政府督查室")
        deputies(make_user, 3)

        # A citizen, on a phone, with no account.
        phone_page.goto(f"{live_server.url}/public/proposals/")
        phone_page.fill("input[name=title]", "老旧小区加装电梯")
        phone_page.fill("textarea[name=body]", "我家住六楼，老人上下楼很难，建议给老旧小区加装电梯。")
        phone_page.fill("input[name=place]", "湖滨区")
        screenshot(phone_page, "people-proposal-phone")
        submit(phone_page)
        assert "感谢您的建议" in phone_page.inner_text("h1")

        # The office accepts it, sets up the vote (choose 2 of 3, opening in 10 minutes) and adds the candidates.
        log_in(page, live_server, username=office.username, next_path="/people/office/proposals/")
        card = page.locator("article", has_text="老旧小区加装电梯")
        card.locator("select[name=status]").select_option("accepted")
        card.locator("input[name=note]").fill("纳入候选项目")
        with page.expect_navigation():
            card.locator("button").click()
        assert Proposal.objects.get().status == ProposalStatus.ACCEPTED
        page.goto(f"{live_server.url}/people/office/")
        page.click("summary:has-text('设置新的票决')")
        form = page.locator("form[action$='/votes/new/']")
        form.locator("select[name=session]").select_option(label="三门峡市第八届人民代表大会第三次会议")
        form.locator("input[name=title]").fill("2023 年重点民生实事项目票决")
        form.locator("input[name=plan_year]").fill("2023")
        form.locator("input[name=choose]").fill("2")
        form.locator("input[name=opens_at]").fill((T0 + 10 * MINUTE).strftime("%Y-%m-%dT%H:%M"))
        form.locator("input[name=closes_at]").fill((T0 + 20 * MINUTE).strftime("%Y-%m-%dT%H:%M"))
        with page.expect_navigation():
            form.locator("button").click()
        assert "2023 年重点民生实事项目票决" in page.inner_text("h1")
        for title, cost, lead in [
            ("老旧小区加装电梯 200 部", "3000", "市住房城乡建设局"),
            ("新建口袋公园 20 个", "1200", "市城管局"),
            ("新增公办幼儿园学位 3000 个", "9000", "市教育局"),
        ]:
            page.fill("input[name=title]", title)
            page.fill("textarea[name=description]", f"{title}，年底前完成。")
            page.fill("input[name=estimated_cost]", cost)
            page.select_option("select[name=lead_units]", label=lead)
            if "电梯" in title:
                page.check("input[name=proposals]")
            submit(page, "form[action$='/candidates/'] button")
            assert "候选项目已添加" in page.inner_text(".tracker-messages")
        assert Proposal.objects.get().candidate.title == "老旧小区加装电梯 200 部"
        screenshot(page, "people-vote-office-before")
        log_out(page)

        clock.shift(11 * MINUTE)  # the vote is open
        elevator, park, school = Candidate.objects.order_by("number")

        # Deputy 1 opens the ballot in two tabs and votes in both: the second is refused.
        log_in(page, live_server, username="daibiao1", next_path="/people/deputy/")
        with page.expect_navigation():
            page.click("a:has-text('2023 年重点民生实事项目票决')")
        second_tab = page.context.new_page()
        second_tab.goto(page.url)
        page.check(f"input[value='{elevator.pk}']")
        page.check(f"input[value='{park.pk}']")
        screenshot(page, "people-ballot")
        submit(page, "#ballot button")
        assert "投票成功" in page.inner_text(".tracker-messages")
        second_tab.check(f"input[value='{park.pk}']")
        second_tab.check(f"input[value='{school.pk}']")
        submit(second_tab, "#ballot button")
        assert "您已经投过票了" in second_tab.inner_text(".tracker-messages")
        second_tab.close()
        log_out(page)

        # Deputy 2 double-clicks the button; deputy 3 votes on a phone.
        log_in(page, live_server, username="daibiao2", next_path=f"/people/votes/{elevator.vote_id}/")
        page.check(f"input[value='{elevator.pk}']")
        page.check(f"input[value='{school.pk}']")
        posts: list[str] = []
        page.on("request", lambda r: r.method == "POST" and "/people/votes/" in r.url and posts.append(r.url))
        with page.expect_navigation():
            page.dblclick("#ballot button")
        assert "投票成功" in page.inner_text(".tracker-messages")
        assert len(posts) == 1  # the page sends the ballot once; the server would refuse the second
        log_out(page)
        log_in(phone_page, live_server, username="daibiao3", next_path=f"/people/votes/{elevator.vote_id}/")
        phone_page.check(f"input[value='{elevator.pk}']")
        phone_page.check(f"input[value='{park.pk}']")
        screenshot(phone_page, "people-ballot-phone")
        submit(phone_page, "#ballot button")
        assert "投票成功" in phone_page.inner_text(".tracker-messages")

        # One record per deputy; the counts add up to two choices per ballot: 3, 2, 1.
        assert VoteCast.objects.count() == 3
        assert [c.votes for c in Candidate.objects.order_by("number")] == [3, 2, 1]

        # The office follows the live count, then the result at close and the draft plan.
        log_in(page, live_server, username=office.username, next_path=f"/people/office/votes/{elevator.vote_id}/")
        assert "已投票 3 / 3 名代表" in page.inner_text("#live-count")
        assert page.inner_text("#live-count tr[data-candidate='1'] .votes") == "3"
        clock.shift(10 * MINUTE)  # closed
        page.reload()
        assert page.locator("#live-count .badge", has_text="当选").count() == 2
        screenshot(page, "people-vote-result")
        # The link's file, fetched with the page's session (a download aborts the page's navigation).
        link = page.get_attribute("a:has-text('下载方案草稿')", "href")
        draft = json.loads(page.request.get(f"{live_server.url}{link}").text())
        assert [p["title"] for p in draft["projects"]] == ["老旧小区加装电梯 200 部", "新建口袋公园 20 个"]
        assert draft["projects"][0]["tasks"][0]["lead_units"] == ["市住房城乡建设局"]


def test_a_deputy_inspects_and_suggests_and_the_lead_unit_answers(
    page, live_server, make_user, plan_2022, tmp_path, settings
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    with time_machine.travel(T0, tick=True):
        deputies(make_user, 1)
        make_user("unit", username="zhujian", unit=Unit.objects.get(name="市住房城乡建设局"))
        photo = tmp_path / "现场.png"
        photo.write_bytes(demo_png())

        log_in(page, live_server, username="daibiao1")
        assert "王建华代表" in page.inner_text("h1")
        with page.expect_navigation():
            page.click("nav a:has-text('记录视察')")
        page.select_option("select[name=project]", label="2. 提升城市建设和管理水平")
        page.fill("input[name=visited_on]", "2022-12-19")
        page.fill("input[name=place]", "湖滨区某老旧小区")
        page.fill("textarea[name=notes]", "改造已开工，施工围挡占用了居民通道。")
        page.set_input_files("input[name=photos]", str(photo))
        submit(page, "#inspection button")
        assert "视察记录已保存" in page.inner_text(".tracker-messages")
        page.select_option("select[name=lead_unit]", label="市住房城乡建设局")
        page.fill("textarea[name=text]", "建议合理设置围挡，保留居民出行通道。")
        submit(page, "#suggestion button")
        assert "待签收" in page.inner_text("#status")  # issued to the unit: the supervision loop's first state
        screenshot(page, "people-suggestion-deputy")
        log_out(page)

        # The lead unit finds it in its inbox, with a link, and answers.
        log_in(page, live_server, username="zhujian")
        with page.expect_navigation():
            page.click(".tracker-inbox")
        message = page.locator("article.card", has_text="【人大代表建议】")
        assert "王建华代表" in message.inner_text()
        page.goto(f"{live_server.url}/people/suggestions/")
        with page.expect_navigation():
            page.click("main a:has-text('建议合理设置围挡')")
        assert page.locator("main img").count() == 1  # the inspection's photo
        submit(page, "#acknowledge button")  # 签收
        assert "已签收，待反馈" in page.inner_text("#status")
        page.fill("textarea[name=text]", "已调整围挡，开辟临时通道，并在小区公示施工进度。")
        submit(page, "#reply button")
        assert "已反馈，待核查" in page.inner_text("#status")
        screenshot(page, "people-suggestion-unit")
        log_out(page)

        # The deputy reads the reply and closes it.
        log_in(page, live_server, username="daibiao1")
        with page.expect_navigation():
            page.click("main a:has-text('建议合理设置围挡')")
        assert "已调整围挡" in page.inner_text("#history")
        submit(page, "#conclude button[value=accept]")
        assert "已办结" in page.inner_text("#status")
        history = page.inner_text("#history")
        for step in ("签发", "签收", "整改反馈", "核查通过，办结"):
            assert step in history
        screenshot(page, "people-suggestion-closed")


def test_deputies_rate_and_the_result_and_its_word_report_have_the_right_rates(page, live_server, make_user, plan_2022):
    with time_machine.travel(T0, tick=True) as clock:
        office = make_user("office", username="duchashi")
        people = deputies(make_user, 3)
        rating = rating_create(
            user=office, session_id=people[0].session_id, plan_id=plan_2022.pk, opens_at=T0 - MINUTE,
            closes_at=T0 + 20 * MINUTE, threshold=Decimal(80),
        )  # fmt: skip
        # Deputy 1: all 满意; deputy 2: all 基本满意; deputy 3: project 1 不满意, the rest 满意.
        # Project 1: (1 + 1) / 3 = 66.67 %, under 80: flagged; every other project 100.00 %.
        for deputy, marks in zip(
            people, [("satisfied",) * 10, ("basically",) * 10, ("unsatisfied",) + ("satisfied",) * 9], strict=True
        ):
            log_in(page, live_server, username=deputy.user.username, next_path=f"/people/ratings/{rating.pk}/")
            for number, mark in enumerate(marks, start=1):
                page.locator("fieldset", has_text=f"{number}. ").first.locator(f"input[value={mark}]").check()
            if deputy is people[2]:
                screenshot(page, "people-rating-ballot")
            submit(page, "#rating button")
            assert "测评已提交" in page.inner_text(".tracker-messages")
            log_out(page)
        clock.shift(21 * MINUTE)
        log_in(page, live_server, username=office.username, next_path=f"/people/office/ratings/{rating.pk}/")
        assert "66.67%" in page.inner_text("tr[data-project='1']")
        assert "低于 80%" in page.inner_text("tr[data-project='1']")
        assert "100.00%" in page.inner_text("tr[data-project='2']")
        screenshot(page, "people-rating-result")
        link = page.get_attribute("a:has-text('下载测评报告')", "href")
        doc = Document(io.BytesIO(page.request.get(f"{live_server.url}{link}").body()))
        rows = [[c.text for c in row.cells] for row in doc.tables[0].rows]
        assert rows[1][2:] == ["1", "1", "1", "66.67%", "低于警戒线"]
        assert rows[2][2:] == ["2", "1", "0", "100.00%", ""]


def _published(plan: Plan, office) -> None:
    """July and August closed, 2.1.1 reviewed for both, a photo approved."""
    last = None
    for month, value in ((dt.date(2022, 7, 1), "3000"), (dt.date(2022, 8, 1), "5200")):
        last = Submission.objects.create(
            indicator=plan.projects.get(number=2).tasks.get(number=1).indicators.get(), unit=Unit.objects.get(name="湖滨区政府"),
            month=month, status=SubmissionStatus.APPROVED, value=Decimal(value),
        )  # fmt: skip
        progress_refresh(indicator_id=last.indicator_id, unit_id=last.unit_id)
    data = demo_png()
    evidence = Evidence(
        submission=last,
        original_name="现场.png",
        content_type="image/png",
        size=len(data),
        sha256="a" * 64,
        uploaded_by=office,
    )
    from django.core.files.base import ContentFile

    evidence.file.save("a" * 64, ContentFile(data), save=False)
    evidence.save()
    plan_publish(user=office, plan_id=plan.pk)
    for month in (dt.date(2022, 7, 1), dt.date(2022, 8, 1)):
        month_close(user=office, plan_id=plan.pk, month=month)
    photo_publish(user=office, evidence_id=evidence.pk, caption="老旧小区改造施工现场")


def test_the_public_page_on_a_phone_and_a_desktop(
    page, phone_page, live_server, make_user, plan_2022, tmp_path, settings
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    office = make_user("office", username="duchashi")
    _published(plan_2022, office)
    phone_page.goto(f"{live_server.url}/public/")
    assert "截至2022年8月底的进展" in phone_page.inner_text("main")
    project = phone_page.locator("#project-2")
    assert "3000 → 5200户" in project.inner_text() or "3000 → 5200户" in project.inner_html()
    assert project.locator("img").evaluate("img => img.complete && img.naturalWidth") == 320
    # Nothing wider than the phone.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone_page, "people-public-phone")
    phone_page.click("#project-2 summary:has-text('有进展')")
    screenshot(phone_page, "people-public-phone-changes", full_page=False)
    page.goto(f"{live_server.url}/public/?lang=en")
    assert "Progress to the end of" in page.inner_text("main")
    screenshot(page, "people-public-desktop-en")
    feed = page.request.get(f"{live_server.url}/public/feed/")
    assert feed.status == 200 and "截至2022年8月的进展" in feed.text()
