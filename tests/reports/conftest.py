import pytest

from tests.factories import make_assessment, make_assessments, make_person, make_skill, make_system


@pytest.fixture
def org(cast, team, other_team):
    """Platform runs "api" (tier 1: deploy, rollback held by lead and member; dns by the lead
    alone) and Payments runs "ledger" (tier 2: reconcile held by the other lead only)."""
    api = make_system(team, slug="api", tier=1, name="API")
    ledger = make_system(other_team, slug="ledger", tier=2, name="Ledger")
    skills = {
        "deploy": make_skill(api, slug="deploy"),
        "rollback": make_skill(api, slug="rollback"),
        "dns": make_skill(api, slug="dns"),
        "reconcile": make_skill(ledger, slug="reconcile"),
    }
    for person, names in (
        (cast["lead"], ["deploy", "rollback", "dns"]),
        (cast["member"], ["deploy", "rollback"]),
        (cast["other_lead"], ["reconcile"]),
    ):
        for name in names:
            make_assessment(person, skills[name], 3)
    make_assessment(cast["new_hire"], skills["dns"], 2)
    return {"api": api, "ledger": ledger, "skills": skills, **cast}


@pytest.fixture
def bigger_org(org, team, other_team):
    """Many more people, systems, skills and assessments, to show query counts do not grow."""
    people = [make_person(team if i % 2 else other_team) for i in range(30)]
    rows = []
    for s in range(12):
        system = make_system(team if s % 2 else other_team, tier=1 + s % 3)
        for k in range(6):
            skill = make_skill(system)
            rows += [(person, skill, 3 + (i % 2)) for i, person in enumerate(people) if (i + s + k) % 4 == 0]
    make_assessments(rows)
    return org
