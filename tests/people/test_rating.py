"""The year-end rating: one secret ballot per deputy, the 满意+基本满意 rate per project against
numbers worked out by hand, the flag under the threshold, the Word report; and the secrecy of the
ballots: no table holds anything from which a deputy's choice can be read."""

from __future__ import annotations

import io

import pytest
from django.db import connection, transaction
from django.test import Client
from docx import Document

from projects.people.models import RatingCast
from projects.people.services.rating import rating_cast
from projects.people.services.vote import AlreadyCast

from .conftest import DAY

pytestmark = pytest.mark.django_db
S, B, U = "satisfied", "basically", "unsatisfied"
# The four deputies' ratings of projects 1-4 (5-10: all satisfied):
#   project 1: S S B U -> (2 + 1) / 4 = 75.00 %, under 80: flagged
#   project 2: S S S B -> 100.00 %
#   project 3: B U U S -> 2 / 4 = 50.00 %, flagged
#   project 4: U U U U -> 0.00 %, flagged
BALLOTS = [(S, S, B, U), (S, S, U, U), (B, S, U, U), (U, B, S, U)]


def ballot(rating, marks) -> dict[int, str]:
    projects = list(rating.plan.projects.order_by("number"))
    return {p.pk: (marks[p.number - 1] if p.number <= len(marks) else S) for p in projects}


def cast_all(rating, deputies) -> None:
    for deputy, marks in zip(deputies, BALLOTS, strict=True):
        rating_cast(user=deputy.user, rating_id=rating.pk, choices=ballot(rating, marks))


def test_rates_flags_and_the_word_report(rating, deputies, office, clock):
    cast_all(rating, deputies)
    with pytest.raises(AlreadyCast):
        rating_cast(user=deputies[0].user, rating_id=rating.pk, choices=ballot(rating, BALLOTS[0]))
    client = Client()
    client.force_login(office)
    assert "测评截止后公布结果" in client.get(f"/people/office/ratings/{rating.pk}/").content.decode()
    clock.shift(2 * DAY)
    client.force_login(office)
    html = client.get(f"/people/office/ratings/{rating.pk}/").content.decode()
    assert "已测评 4 / 4 名代表" in html
    rows = {n: html[html.index(f'data-project="{n}"') :].split("</tr>", 1)[0] for n in range(1, 11)}
    assert "75.00%" in rows[1] and "people-flagged" in rows[1]
    assert "100.00%" in rows[2] and "people-flagged" not in rows[2]
    assert "50.00%" in rows[3] and "0.00%" in rows[4]
    assert all("100.00%" in rows[n] for n in range(5, 11))

    response = client.get(f"/people/office/ratings/{rating.pk}/report.docx")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    table = doc.tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0] == ["序号", "项目", "满意", "基本满意", "不满意", "满意率", "标注"]
    assert cells[1][2:] == ["2", "1", "1", "75.00%", "低于警戒线"]
    assert cells[2][2:] == ["3", "1", "0", "100.00%", ""]
    assert cells[3][2:] == ["1", "1", "2", "50.00%", "低于警戒线"]
    assert cells[4][2:] == ["0", "0", "4", "0.00%", "低于警戒线"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "应到代表4名，参加测评4名" in text and "满意率低于80%的项目" in text


def test_a_ballot_must_rate_every_project_and_only_in_the_window(rating, deputies, clock):
    partial = dict(list(ballot(rating, BALLOTS[0]).items())[:3])
    with pytest.raises(Exception, match="请对每个项目都作出评价"):
        rating_cast(user=deputies[0].user, rating_id=rating.pk, choices=partial)
    clock.shift(2 * DAY)
    with pytest.raises(Exception, match="不在测评时间内"):
        rating_cast(user=deputies[0].user, rating_id=rating.pk, choices=ballot(rating, BALLOTS[0]))
    assert RatingCast.objects.count() == 0


# Columns that differ between two runs of the same acts whatever was chosen: row ids (PostgreSQL's
# sequences are not rolled back with a savepoint) and the audit chain's hashes over them.
VOLATILE = {"id", "hash", "prev_hash", "last_hash"}


def database() -> dict[str, list[tuple]]:
    """Every row of every table, without the volatile columns."""
    dump = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            names = [c[0] for c in cursor.description]
            keep = [i for i, n in enumerate(names) if n not in VOLATILE]
            dump[table] = sorted((tuple(str(row[i]) for i in keep) for row in cursor.fetchall()), key=repr)
    return dump


def after(rating, deputies, first: str, second: str) -> dict[str, list[tuple]]:
    """The database after deputy 1 rated project 1 ``first`` and deputy 2 ``second``, rolled back."""
    with transaction.atomic():
        rating_cast(user=deputies[0].user, rating_id=rating.pk, choices=ballot(rating, (first,)))
        rating_cast(user=deputies[1].user, rating_id=rating.pk, choices=ballot(rating, (second,)))
        dump = database()
        transaction.set_rollback(True)
    return dump


def test_no_table_says_how_a_deputy_rated(rating, deputies, clock):
    before = database()
    one = after(rating, deputies, U, S)  # deputy 1 not satisfied, deputy 2 satisfied
    two = after(rating, deputies, S, U)  # the other way round
    assert one != before  # the ballots were counted …
    changed = sorted(t for t in one if one[t] != before.get(t))
    assert "projects_ratingtally" in changed and "projects_ratingcast" in changed
    # … and whichever deputy chose which, every table holds exactly the same rows.
    assert {t: rows for t, rows in one.items() if rows != two[t]} == {}
