"""One report everywhere: the report page, the what-if page, the JSON export,
``manage.py busfactor --json`` and ``GET /api/busfactor/`` give the same figures, in the same
order, for the same data (they all run ``ops_skills.reports.summary``)."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import make_assessment, make_skill, make_system

pytestmark = pytest.mark.django_db

FIGURES = (
    "system",
    "tier",
    "skills",
    "uncovered",
    "single_points",
    "truck_factor",
    "truck_factor_method",
    "key_people",
)


@pytest.fixture
def tied_org(bigger_org, team, other_team):
    """``bigger_org`` plus systems whose risk ties, so that the order after risk (tier, then name)
    shows: two tier-2 systems held by one person each, and a tier-1 one of the same risk."""
    lead, other_lead = bigger_org["lead"], bigger_org["other_lead"]
    for slug, owner, tier, holder in (
        ("zeta", other_team, 2, other_lead),
        ("eta", team, 2, lead),
        ("theta", team, 3, lead),
    ):
        make_assessment(holder, make_skill(make_system(owner, slug=slug, tier=tier, name=slug.title())), 3)
    return bigger_org


def _command(*args):
    out = StringIO()
    call_command("busfactor", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def _rows(rows):
    """The figures of the page's rows, as the JSON names them."""
    return [
        {
            "system": r.system.slug,
            "tier": r.system.tier,
            "skills": len(r.skills),
            "uncovered": r.uncovered,
            "single_points": r.single_points,
            "truck_factor": r.truck.value,
            "truck_factor_method": r.truck.method,
            "key_people": [p.email for p in r.key_people],
        }
        for r in rows
    ]


def _json_rows(data):
    return [{k: s[k] for k in FIGURES} for s in data["systems"]]


def _table_order(body):
    """The systems in the order the page's table lists them."""
    table = body[body.index('class="list risk-table"') :]
    return re.findall(r'<a href="/reports/systems/([\w-]+)/', table)


def test_page_command_export_and_api_agree_for_the_organisation(client_for, tied_org):
    client = client_for(tied_org["admin"])  # an admin without a team: the API reports everyone
    page = client.get(reverse("reports:index"))
    command = _command()
    export = json.loads(client.get(reverse("reports:export-json")).content)
    api = client.get(reverse("api:busfactor")).json()
    assert command == export == api
    rows = page.context["summary"].systems
    assert _rows(rows) == _json_rows(api)
    assert _table_order(page.content.decode()) == [s["system"] for s in api["systems"]]
    slugs = [s["system"] for s in api["systems"]]
    assert slugs.index("eta") < slugs.index("zeta")  # same risk and tier: by name
    assert len(slugs) == 17 and len(api["skills"]) == 4 + 12 * 6 + 3


def test_page_command_export_and_api_agree_for_a_team(client_for, tied_org):
    client = client_for(tied_org["lead"])
    page = client.get(reverse("reports:index"), {"team": "platform"})
    command = _command("--team", "platform")
    export = json.loads(client.get(reverse("reports:export-json"), {"team": "platform"}).content)
    api = client.get(reverse("api:busfactor"), {"team": "platform"}).json()
    assert command == export == api
    assert _rows(page.context["summary"].systems) == _json_rows(api)
    assert {s["system"] for s in api["systems"]} >= {"api", "eta", "theta"}


def test_what_if_page_command_export_and_api_agree(client_for, tied_org):
    lead, member = tied_org["lead"], tied_org["member"]
    client = client_for(tied_org["admin"])
    page = client.get(reverse("reports:what-if"), {"people": [lead.pk, member.pk]})
    command = _command("--what-if", lead.email, "--what-if", member.email)
    export = json.loads(
        client.get(reverse("reports:export-json"), [("what_if", lead.email), ("what_if", member.email)]).content
    )
    api = client.get(reverse("api:busfactor"), [("what_if", lead.email), ("what_if", member.email)]).json()
    assert command == export == api
    assert api["what_if"] == ["lead@example.com", "member@example.com"]
    result = page.context["result"]
    assert _rows(result.after.systems) == _json_rows(api)
    api_row = next(s for s in api["systems"] if s["system"] == "api")
    assert (api_row["uncovered"], api_row["truck_factor"]) == (3, 0)
