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
