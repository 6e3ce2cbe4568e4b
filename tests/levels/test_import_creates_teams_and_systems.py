"""Issue 13: a first import from a spreadsheet needs nothing created by hand. An admin's import
previews and creates the teams and systems the sheet names that do not exist yet (a system owned
by the team whose rows give it levels, tier 2), in the same transaction as the rest, with an
audit trail entry for each; a lead's import creates nothing outside their team."""

import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from ops_skills.audit.models import AuditEntry
from ops_skills.levels import store
from ops_skills.levels.matrix_csv import matrix_import as _matrix_import
from ops_skills.levels.models import CurrentLevel
from ops_skills.people.models import Person, Team
from ops_skills.skills.models import Assessment, Skill, System
from tests.factories import make_person, make_skill, make_system

IMPORT_URL = reverse("skills:matrix-import")


def matrix_import(*, filename="m.csv", **kwargs):
    return _matrix_import(filename=filename, **kwargs)


def sheet(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def errors_of(result) -> list[str]:
    return [str(e) for e in result.errors.items]


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Team, System, Person, Skill, Assessment))


FIRST_SHEET = sheet(
    "email,name,team,billing/deploy,billing/restore,ledger/reconcile",
    "ann@example.com,Ann,Billing Crew,3,4,",
    "bob@example.com,Bob,billing crew,2,,1",
    "cy@example.com,Cy,Ledger,,,3",
    "dee@example.com,Dee,Ledger,,1,4",
)


def test_an_admins_first_import_creates_the_teams_and_systems_it_names(admin_user):
    result = matrix_import(author=admin_user, text=FIRST_SHEET, filename="first.csv")
    assert result.written, errors_of(result)
    plan = result.plan
    assert [(t.slug, t.name, t.line) for t in plan.teams_to_create] == [
        ("billing-crew", "Billing Crew", 2),
        ("ledger", "Ledger", 4),
    ]
    assert plan.summary() == (
        "2 teams created, 2 systems created, 4 people created, 0 updated, 3 skills created, 7 levels changed"
    )
    crew, ledger_team = Team.objects.get(slug="billing-crew"), Team.objects.get(slug="ledger")
    assert crew.name == "Billing Crew"  # as first written; "billing crew" is the same team
    billing, ledger = System.objects.get(slug="billing"), System.objects.get(slug="ledger")
    # billing: 3 of its 4 levels are on Billing Crew's rows; ledger: 2 of 3 on Ledger's.
    assert (billing.team, billing.tier, billing.name) == (crew, 2, "billing")
    assert (ledger.team, ledger.tier) == (ledger_team, 2)
    assert [s.why for s in plan.systems_to_create] == [
        "3 of 4 of its levels are for billing-crew",
        "2 of 3 of its levels are for ledger",
    ]
    assert set(Skill.objects.values_list("system__slug", "slug")) == {
        ("billing", "deploy"),
        ("billing", "restore"),
        ("ledger", "reconcile"),
    }
    assert dict(Person.objects.exclude(pk=admin_user.pk).values_list("email", "team__slug")) == {
        "ann@example.com": "billing-crew",
        "bob@example.com": "billing-crew",
        "cy@example.com": "ledger",
        "dee@example.com": "ledger",
    }
    assert Assessment.objects.filter(source="lead", author=admin_user).count() == 7
    assert CurrentLevel.objects.filter(person__email="ann@example.com", skill__slug="restore").get().level == 4
    assert not store.differences()


def test_what_is_created_is_in_the_audit_trail(admin_user):
    assert matrix_import(author=admin_user, text=FIRST_SHEET, filename="first.csv").written
    crew, billing = Team.objects.get(slug="billing-crew"), System.objects.get(slug="billing")
    team_entry = AuditEntry.objects.get(content_type=ContentType.objects.get_for_model(Team), object_id=crew.pk)
    assert team_entry.action == AuditEntry.Action.CREATE
    assert team_entry.changes == {"name": ["None", "Billing Crew"], "slug": ["None", "billing-crew"]}
    assert team_entry.teams == f"|{crew.pk}|"
    system_entry = AuditEntry.objects.get(content_type=ContentType.objects.get_for_model(System), object_id=billing.pk)
    assert system_entry.action == AuditEntry.Action.CREATE
    assert system_entry.changes["team"] == ["None", str(crew.pk)]
    assert system_entry.changes_text.startswith("created by the import of first.csv: team billing-crew")
    summary = AuditEntry.objects.get(content_type=ContentType.objects.get_for_model(Assessment))
    assert summary.changes_text.startswith("Matrix import of first.csv: 2 teams created, 2 systems created, 7 levels")
    assert summary.additional_data["teams_created"] == 2 and summary.additional_data["systems_created"] == 2


def test_a_system_belongs_to_the_team_that_gives_it_most_levels_first_row_on_a_tie(admin_user, team, other_team):
    text = sheet(
        "email,name,team,jobs/run,cache/flush",
        "a@example.com,A,payments,1,2",  # payments gives each system one level first
        "b@example.com,B,platform,2,",
        "c@example.com,C,platform,3,",
    )
    result = matrix_import(author=admin_user, text=text, filename="m.csv")
    assert result.written, errors_of(result)
    assert System.objects.get(slug="jobs").team == team  # 2 of 3 levels are platform's
    assert System.objects.get(slug="cache").team == other_team  # its only level is payments'


def test_a_tie_goes_to_the_team_of_the_first_row(admin_user, team, other_team):
    text = sheet("email,name,team,jobs/run", "a@example.com,A,payments,1", "b@example.com,B,platform,2")
    assert matrix_import(author=admin_user, text=text, filename="m.csv").written
    assert System.objects.get(slug="jobs").team == other_team


def test_a_system_with_no_levels_belongs_to_the_team_with_most_rows(admin_user, team, other_team, member):
    # member is on platform: an empty team cell keeps their team, which counts as the row's team.
    text = sheet(
        "email,name,team,jobs/run",
        "a@example.com,A,payments,",
        "member@example.com,,,",
        "b@example.com,B,platform,",
    )
    result = matrix_import(author=admin_user, text=text, filename="m.csv")
    assert result.written, errors_of(result)
    assert System.objects.get(slug="jobs").team == team
    assert result.plan.systems_to_create[0].why == "2 of 3 rows of the sheet are for platform"


def test_a_system_whose_rows_have_no_team_is_an_error(admin_user):
    text = sheet("email,name,team,jobs/run", "a@example.com,A,,1")
    result = matrix_import(author=admin_user, text=text, filename="m.csv")
    assert errors_of(result) == [
        'line 1, column 4 (jobs/run): unknown system "jobs": no row of the sheet has a team, so the import cannot '
        "tell whose system it is: give the rows a team, or ask for the system to be added first"
    ]
    assert not System.objects.exists()


def test_a_person_without_a_team_moves_to_a_new_team(admin_user):
    loner = make_person(None, email="loner@example.com", name="Lo")
    result = matrix_import(author=admin_user, text=sheet("email,name,team", "loner@example.com,Lo,Night Shift"))
    assert result.written, errors_of(result)
    assert [u.what for u in result.plan.people_to_update] == ["team (none) → night-shift"]
    loner.refresh_from_db()
    assert loner.team.slug == "night-shift"


@pytest.mark.parametrize(
    "team_cell,expected",
    [
        ("!!!", 'unknown team "!!!": a new team\'s name needs a letter (a–z) or a digit, for its slug'),
        ("T" * 101, 'unknown team "' + "T" * 101 + '": a team name is at most 100 characters'),
        # "Platform!" is not the team "Platform" (matched by name or slug), yet would take its slug.
        ("Platform!", 'unknown team "Platform!": its slug "platform" is the team Platform\'s: write "Platform"'),
    ],
)
def test_a_team_that_cannot_be_created_is_an_error(admin_user, team, team_cell, expected):
    before = counts()
    result = matrix_import(author=admin_user, text=sheet("email,name,team", f"a@example.com,A,{team_cell}"))
    assert errors_of(result) == [f"line 2, column 3 (team): {expected}"]
    assert counts() == before


def test_a_system_named_like_another_is_an_error(admin_user, team):
    make_system(team, slug="pay", name="payments")
    result = matrix_import(author=admin_user, text=sheet("email,name,team,payments/run", "a@example.com,A,platform,1"))
    assert errors_of(result) == [
        'line 1, column 4 (payments/run): unknown system "payments": a system is already named "payments": '
        'use its slug, "pay"'
    ]


def test_nothing_is_created_when_any_row_is_wrong(admin_user):
    before = counts()
    result = matrix_import(author=admin_user, text=FIRST_SHEET + "eve@example.com,Eve,Ledger,9,,\n")
    assert errors_of(result) == ['line 6, column 4 (billing/deploy): level must be 0–4 or empty, got "9"']
    assert counts() == before


def test_a_failing_write_creates_no_team_nor_system(monkeypatch, admin_user):
    """The teams and systems are created in the import's one transaction: when a later step fails,
    they are gone with the rest."""
    from ops_skills.levels.matrix_csv import apply

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(apply.store, "refresh_after_import", fail)
    before = counts()
    with pytest.raises(RuntimeError):
        matrix_import(author=admin_user, text=FIRST_SHEET, filename="first.csv")
    assert counts() == before


# A lead's import creates nothing outside their team -------------------------------------------


def test_a_leads_import_of_an_unknown_team_or_system_is_an_error(lead, team):
    before = counts()
    result = matrix_import(
        author=lead,
        text=sheet("email,name,team,billing/deploy", "a@example.com,A,Billing Crew,1", "b@example.com,B,platform,2"),
        filename="m.csv",
    )
    assert errors_of(result) == [
        'line 1, column 4 (billing/deploy): unknown system "billing": ask an admin to add it, or to import this '
        "sheet (an admin's import creates the systems it names)",
        'line 2, column 3 (team): unknown team "Billing Crew" (only an admin\'s import creates teams)',
    ]
    assert not result.plan.teams_to_create and not result.plan.systems_to_create
    assert counts() == before


def test_a_lead_still_creates_skills_in_their_own_system(lead, team):
    make_system(team, slug="jobs")
    result = matrix_import(author=lead, text=sheet("email,name,team,jobs/run", "a@example.com,A,platform,1"))
    assert result.written, errors_of(result)
    assert not result.plan.systems_to_create
    assert Skill.objects.filter(system__slug="jobs", slug="run").exists()


def test_a_member_cannot_import_even_to_create_teams(member):
    before = counts()
    with pytest.raises(PermissionDenied):
        matrix_import(author=member, text=FIRST_SHEET, filename="m.csv")
    assert counts() == before


# The pages ---------------------------------------------------------------------------------------


def upload(client, text, name="first.csv"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")})


def test_the_preview_lists_the_teams_and_systems_then_confirm_creates_them(client_for, admin_user):
    c = client_for(admin_user)
    response = upload(c, FIRST_SHEET)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Teams to create" in html and "Systems to create" in html
    assert "<td>Billing Crew</td><td>billing-crew</td>" in html
    assert '<td>billing</td><td>billing-crew</td><td class="num">2</td>' in html
    assert "3 of 4 of its levels are for billing-crew" in html
    assert not Team.objects.exists() and not System.objects.exists()  # a preview writes nothing

    response = c.post(IMPORT_URL, {"confirm": "1", "token": response.context["token"]})
    assert response.status_code == 302
    assert set(Team.objects.values_list("slug", flat=True)) == {"billing-crew", "ledger"}
    assert set(System.objects.values_list("slug", flat=True)) == {"billing", "ledger"}
    messages = [str(m) for m in c.get(response.url).context["messages"]]
    assert messages == [
        "Imported first.csv: 2 teams created, 2 systems created, 4 people created, 0 updated, 3 skills created, "
        "7 levels changed."
    ]


@pytest.mark.parametrize(
    "who,status,error",
    [
        ("member", 403, ""),
        ("lead", 400, "unknown system &quot;billing&quot;: ask an admin to add it"),
        ("other_lead", 400, "unknown team &quot;Billing Crew&quot; (only an admin&#x27;s import creates teams)"),
        ("admin", 200, ""),
    ],
)
def test_who_may_create_teams_and_systems_by_import(client_for, cast, who, status, error):
    response = upload(client_for(cast[who]), FIRST_SHEET)
    assert response.status_code == status
    if error:
        assert error in response.content.decode()
        assert 'name="confirm"' not in response.content.decode()
    assert not Team.objects.filter(slug="billing-crew").exists()


def test_the_upload_form_says_who_creates_teams_and_systems(client_for, lead, admin_user):
    assert "only an admin's import creates teams and systems" in client_for(lead).get(IMPORT_URL).content.decode()
    assert "So are unknown teams" in client_for(admin_user).get(IMPORT_URL).content.decode()


def test_the_command_says_what_it_creates(tmp_path, admin_user):
    path = tmp_path / "first.csv"
    path.write_text(FIRST_SHEET)
    out = io.StringIO()
    call_command("import_matrix", str(path), "--dry-run", "-v", "2", stdout=out)
    text = out.getvalue()
    assert "teams to create: 2\n" in text and "systems to create: 2\n" in text
    assert "  column 4: new system billing, team billing-crew (3 of 4 of its levels are for billing-crew)" in text
    assert not Team.objects.exists()


def _new_org_sheet(teams: int, systems: int) -> str:
    header = ["email", "name", "team", *(f"sys-{s}/run" for s in range(systems))]
    rows = [[f"p{t}@example.com", f"P {t}", f"Team {t}", *("2" for _ in range(systems))] for t in range(teams)]
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue()


@pytest.mark.parametrize("teams,systems", [(1, 2), (12, 30)])
def test_creating_teams_and_systems_costs_a_fixed_number_of_queries(
    admin_user, django_assert_max_num_queries, teams, systems
):
    make_skill(make_system(_a_team(), slug="existing"), slug="x")  # a non-empty organisation
    text = _new_org_sheet(teams, systems)
    ContentType.objects.get_for_models(Person, Assessment, Team, System)
    # The six reads, savepoint, the five reads again, teams and systems created (one INSERT each),
    # people, the audit trail (one INSERT, the summary), skills, assessments, the stored levels
    # (self assessments, evidence, freshness, stored rows, insert), release.
    with django_assert_max_num_queries(24):
        result = matrix_import(author=admin_user, text=text, filename="m.csv")
    assert result.written, errors_of(result)
    assert Team.objects.count() == teams + 1 and System.objects.count() == systems + 1


def _a_team():
    return Team.objects.create(name="Existing", slug="existing")


def test_text_beyond_ascii_goes_in_as_written(admin_user, team):
    """The rows reach SQLite as JSON and PostgreSQL through COPY: names, notes and reasons with
    accents, emoji or quotes come back as they were."""
    admin_user.name = 'Zoë "🚀" O\'Brien\t'
    admin_user.save()
    skill = make_skill(make_system(team, slug="jobs"), slug="run")
    text = sheet("email,name,team,jobs/run", "ana@example.com,Ana Ñúñez 🚀,platform,3")
    assert matrix_import(author=admin_user, text=text, filename="équipe 🚀.csv").written
    assessment = Assessment.objects.get(skill=skill)
    assert (assessment.note, assessment.author) == ("imported from équipe 🚀.csv", admin_user)
    assert Person.objects.get(email="ana@example.com").name == "Ana Ñúñez 🚀"
    assert CurrentLevel.objects.get(skill=skill).level == 3
    assert not store.differences()
