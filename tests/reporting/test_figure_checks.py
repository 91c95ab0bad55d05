"""Bad numbers and implausible figures: a clear message in Chinese and the database unchanged."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import Submission, SubmissionStatus
from projects.services.catalogue import allocations_set
from projects.services.reporting import FigureInput, number_parse, submission_save

from .conftest import JUNE, MAY, indicator

pytestmark = pytest.mark.django_db


def snapshot():
    return list(Submission.objects.order_by("pk").values())


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1234", Decimal(1234)),
        ("1,234", Decimal(1234)),
        ("１２３４", Decimal(1234)),
        ("１，２３４．５", Decimal("1234.5")),
        (" 12.50 ", Decimal("12.5")),
        ("0", Decimal(0)),
        ("", None),
        (12.5, Decimal("12.5")),
        (0.1 + 0.2, Decimal("0.3")),  # a spreadsheet's float is the decimal its user meant
        (3000, Decimal(3000)),
    ],
)
def test_numbers_as_people_type_them(typed, expected):
    assert number_parse(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "不是有效的数字"),
        ("12人", "不是有效的数字"),
        ("NaN", "不是有效的数字"),
        ("inf", "不是有效的数字"),
        (float("nan"), "NaN"),
        (float("inf"), "NaN"),
        ("12,5", "不是有效的数字"),  # a decimal comma would silently become 125
        ("1.23456", "最多保留 4 位小数"),
        ("1e5", "不是有效的数字"),
        ("123456789012345", "数字过大"),
        (True, "请输入数字"),
    ],
)
def test_what_is_not_a_number_is_refused_with_a_reason(typed, message):
    with pytest.raises(ValidationError) as caught:
        number_parse(typed)
    assert message in caught.value.messages[0]


def post(client, code, data, month=JUNE):
    return client.post(reverse("report_edit", args=[month, indicator(code).pk]), data)


@pytest.mark.parametrize(
    ("code", "data", "message"),
    [
        ("1.1.1", {"value": "十二"}, "不是有效的数字"),
        ("1.1.1", {"value": "NaN"}, "不是有效的数字"),
        ("1.1.1", {"value": "-5"}, "不能为负数"),
        ("1.1.1", {"value": ""}, "请填写本月累计完成数"),
        ("3.1.3", {"numerator": "120", "denominator": "100"}, "分子不能大于分母"),
        ("3.1.3", {"numerator": "5", "denominator": "0"}, "分母必须大于 0"),
        ("3.1.3", {"numerator": "5", "denominator": ""}, "请填写分母"),
    ],
)
def test_bad_figures_through_the_form_change_nothing(client, clock, hubin, code, data, message):
    client.force_login(hubin)
    before = snapshot()
    response = post(client, code, {"version": 0, "action": "submit", **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def save(user, code, month=JUNE, version=0, submit=True, **figure):
    return submission_save(
        user=user,
        indicator_id=indicator(code).pk,
        month=month,
        figure=FigureInput(**figure),
        version=version,
        submit=submit,
    )


def test_a_cumulative_figure_below_last_month_needs_an_explanation(clock, hubin):
    save(hubin, "1.1.1", month=MAY, value=Decimal(5000))
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        save(hubin, "1.1.1", value=Decimal(4000))
    assert "低于上月累计 5,000" in caught.value.message_dict["explanation"][0]
    assert snapshot() == before
    june = save(hubin, "1.1.1", value=Decimal(4000), explanation="5月误将外市学员计入，已剔除")
    assert june.value == 4000


def test_a_figure_far_above_its_target_asks_for_confirmation(clock, hubin, office):
    # The office splits 3000 new kindergarten places; 湖滨区 gets 500 (150 % is 750).
    places = indicator("4.1.3")
    allocations_set(indicator=places, targets={a.unit_id: Decimal(500) for a in places.assignments.all()})
    with pytest.raises(ValidationError) as caught:
        save(hubin, "4.1.3", value=Decimal(800))
    assert "超过目标 500 的 150%" in caught.value.message_dict["overshoot_confirmed"][0]
    assert save(hubin, "4.1.3", value=Decimal(700)).value == 700  # within 150 %: no question
    saved = save(hubin, "4.1.3", version=1, value=Decimal(800), overshoot_confirmed=True)
    assert saved.overshoot_confirmed


def test_without_a_split_the_city_target_is_the_yardstick(clock, hubin):
    with pytest.raises(ValidationError) as caught:
        save(hubin, "1.1.1", value=Decimal(90001))  # 150 % of the city's 60000 is 90000
    assert "确认超目标" in caught.value.message_dict["overshoot_confirmed"][0]


def test_a_milestone_going_backwards_needs_an_explanation(clock, zhujian):
    save(zhujian, "2.5.1", month=MAY, stage=3)
    with pytest.raises(ValidationError) as caught:
        save(zhujian, "2.5.1", stage=2)
    assert "由“主体过半”退回到“开工建设”" in caught.value.message_dict["explanation"][0]
    assert save(zhujian, "2.5.1", stage=2, explanation="设计变更，部分桩基返工").stage == 2


def test_a_rate_level_stays_within_0_and_100(clock, plan_2022):
    from tests.factories import unit_user

    medical_insurance = unit_user("市医保局")
    with pytest.raises(ValidationError) as caught:
        save(medical_insurance, "8.1.1", value=Decimal(101))
    assert "0 到 100" in caught.value.message_dict["value"][0]
    assert save(medical_insurance, "8.1.1", value=Decimal(100)).value == 100


def test_a_draft_may_be_incomplete_but_a_submission_may_not(clock, hubin):
    draft = save(hubin, "3.1.3", submit=False, numerator=Decimal(40))
    assert draft.status == SubmissionStatus.DRAFT
    with pytest.raises(ValidationError):
        save(hubin, "3.1.3", version=1, numerator=Decimal(40))
