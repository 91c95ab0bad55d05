"""Two saves of the same figure at the same moment: one wins, the other is told, nothing is lost.

The threaded test needs PostgreSQL's row locks; it runs in the PostgreSQL pass of `make test`."""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from projects.models import CityProgress, Submission
from projects.services import reporting as svc
from projects.services.reporting import FigureInput, submission_save

from .conftest import JUNE, indicator

pytestmark = pytest.mark.django_db


def save(user, version, value):
    return submission_save(
        user=user, indicator_id=indicator("1.1.1").pk, month=JUNE, figure=FigureInput(value=Decimal(value)),
        version=version, submit=True,
    )  # fmt: skip


def test_the_version_is_claimed_by_a_conditional_update(clock, hubin):
    first = save(hubin, 0, 100)
    stale = Submission.objects.get(pk=first.pk)
    svc._claim_version(Submission.objects.get(pk=first.pk), first.version)
    with pytest.raises(svc.Conflict):
        svc._claim_version(stale, first.version)  # the same version again: zero rows, refused


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("existing", [False, True], ids=["both-create", "both-edit"])
def test_two_simultaneous_saves_one_wins_and_one_is_refused(plan_2022, clock, existing):
    if connection.vendor != "postgresql":
        pytest.skip("SKIPPED LOUDLY: needs PostgreSQL's row locks; runs in the PostgreSQL pass of `make test`")
    from tests.factories import unit_user

    users = [unit_user("湖滨区政府", username=f"clerk{i}") for i in range(2)]
    version = save(users[0], 0, 50).version if existing else 0
    start = threading.Barrier(2)
    outcomes: dict[int, object] = {}

    def attempt(i: int) -> None:
        try:
            start.wait()
            outcomes[i] = save(users[i], version, 1000 + i)
        except Exception as exc:  # the outcome is what the test inspects
            outcomes[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    winners = [o for o in outcomes.values() if isinstance(o, Submission)]
    losers = [o for o in outcomes.values() if isinstance(o, svc.Conflict)]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    stored = Submission.objects.get(indicator__code="1.1.1", unit__name="湖滨区政府", month=JUNE)
    assert stored.value == winners[0].value and stored.version == version + 1
    # The loser is shown what won.
    assert f"{stored.value:,.0f} 人次" in losers[0].message
    # Progress reflects the winner, computed after it.
    assert CityProgress.objects.get(indicator__code="1.1.1", month=JUNE).value == stored.value


def _race(*actions) -> list[object]:
    """Run the actions at the same moment, each in its own thread and database connection;
    returns what each returned or raised."""
    start = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(i: int) -> None:
        try:
            start.wait()
            outcomes[i] = actions[i]()
        except Exception as exc:  # the outcome is what the test inspects
            outcomes[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


SECOND_ACTS = {
    # code of the figure: what the second person does at the same moment as the approval
    "1.1.1": "return",
    "1.1.2": "approve",
    "1.1.3": "unit resends",
}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_one_wins_the_other_is_told(plan_2022, clock):
    """Two clerks of 市人力资源社会保障局 act on the same figure at the same moment (or a clerk
    approves while the county sends a corrected figure): one wins, the other is refused with a
    message that says what happened, and nothing is lost. Three races, one on each figure."""
    if connection.vendor != "postgresql":
        pytest.skip("SKIPPED LOUDLY: needs PostgreSQL's row locks; runs in the PostgreSQL pass of `make test`")
    from projects.services.reporting import submission_review
    from tests.factories import unit_user

    county = unit_user("湖滨区政府", username="hubin-clerk")
    reviewers = [unit_user("市人力资源社会保障局", username=f"renshe{i}") for i in range(2)]
    for code, second in SECOND_ACTS.items():
        sent = submission_save(
            user=county, indicator_id=indicator(code).pk, month=JUNE, figure=FigureInput(value=Decimal(100)),
            version=0, submit=True,
        )  # fmt: skip

        def approve(sent=sent):
            return submission_review(user=reviewers[0], submission_id=sent.pk, version=sent.version, approve=True)

        def other(sent=sent, code=code, second=second):
            if second == "unit resends":
                return submission_save(
                    user=county, indicator_id=indicator(code).pk, month=JUNE, figure=FigureInput(value=Decimal(120)),
                    version=sent.version, submit=True,
                )  # fmt: skip
            return submission_review(
                user=reviewers[1], submission_id=sent.pk, version=sent.version, approve=second == "approve",
                comment="数字偏大，请核实",
            )  # fmt: skip

        outcomes = _race(approve, other)
        winners = [o for o in outcomes if isinstance(o, Submission)]
        losers = [o for o in outcomes if isinstance(o, svc.ReportingError)]
        assert (len(winners), len(losers)) == (1, 1), (second, outcomes)
        stored = Submission.objects.get(pk=sent.pk)
        winner = winners[0]
        # The stored row is the winner's, whole: status, figure and version.
        assert (stored.status, stored.value, stored.version) == (winner.status, winner.value, sent.version + 1)
        # The loser is told what happened, in Chinese: the figure changed under it (a stale version),
        # or it is now approved or returned (whoever waited for the row lock sees the new status).
        message = losers[0].message
        assert stored.get_status_display() in message, (second, message)
        if isinstance(losers[0], svc.Conflict):
            assert "该月报已在您打开页面后被修改" in message
        # One history record per change that happened, none for the refused one.
        assert stored.history.count() == 2
