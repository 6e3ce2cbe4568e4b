"""Ids in query strings and forms are parsed in one place (``people.http.parse_id``): "²" passes
``str.isdigit`` but not ``int``, and a 20-digit number overflows the database's integers. Each
of these answered 500."""

import pytest
from django.urls import reverse

from ops_skills.people.http import parse_id
from tests.factories import make_runbook, make_system


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("²", None),
        ("٣", None),
        ("0", None),
        ("-1", None),
        ("", None),
        (None, None),
        ("99999999999999999999", None),
        (str(2**63 - 1), 2**63 - 1),
        ("1e3", None),
    ],
)
def test_parse_id(text, expected):
    assert parse_id(text) == expected


def test_odd_ids_in_query_strings_are_no_500(client_for, lead, team):
    system = make_system(team, slug="api")
    runbook = make_runbook(system)
    from ops_skills import flows

    flows.runbook_save(runbook=runbook, author=lead)  # a first revision, for the diff
    client = client_for(lead)
    for url, query in [
        (reverse("evidence:list"), {"runbook": "²"}),
        (reverse("evidence:skill-options"), {"system": "²"}),
        (reverse("reports:export-csv"), {"people": "²"}),
        (reverse("reports:what-if"), {"people": "²"}),
        (reverse("reports:absence-create"), {"person": "²"}),
        (reverse("evidence:session-create"), {"system": "²"}),
        (reverse("evidence:runbook-diff", args=[runbook.pk]), {"a": "99999999999999999999"}),
        (reverse("evidence:runbook-diff", args=[runbook.pk]), {"b": "²"}),
    ]:
        response = client.get(url, query)
        assert response.status_code in (200, 400), (url, query, response.status_code)
    response = client.post(reverse("evidence:session-create"), {"system": "²", "duration_minutes": "30"})
    assert response.status_code == 400
