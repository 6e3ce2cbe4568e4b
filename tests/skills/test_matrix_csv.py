"""Spreadsheet import and export of the skill matrix: the file format, the plan, the all-or-nothing
write, the round trip, the commands, and who may use the pages."""

import csv
import io
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse, reverse_lazy

from ops_skills.levels import matrix_csv, store
from ops_skills.levels.matrix_csv import matrix_export, matrix_import
from ops_skills.people import csv_safe
from ops_skills.people.models import Person
from ops_skills.skills.models import Assessment, Skill
from tests.factories import make_assessment, make_person, make_skill, make_system, make_team


@pytest.fixture
def api(team):
    return make_system(team, slug="payments-api", tier=1)


@pytest.fixture
def deploy(api):
    return make_skill(api, slug="deploy")


@pytest.fixture
def restore(api):
    return make_skill(api, slug="restore")


@pytest.fixture
def ledger(other_team):
    return make_system(other_team, slug="ledger")


def sheet(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), Skill.objects.count(), Assessment.objects.count()


def do_import(author, text, **kwargs):
    return matrix_import(author=author, text=text, filename="matrix.csv", **kwargs)


def errors_of(result) -> list[str]:
    return [str(e) for e in result.errors.items]


def latest_lead(person, skill) -> int | None:
    a = Assessment.objects.filter(person=person, skill=skill, source="lead").order_by("assessed_at", "id").last()
    return a.level if a else None


# Import: what it creates and changes ---------------------------------------------------------


def test_import_creates_people_skills_and_lead_assessments(admin_user, team, member, deploy):
    result = do_import(
        admin_user,
        sheet(
            "email,name,team,payments-api/deploy,payments-api/rotate-tls-certificate",
            "member@example.com,Max M. Member,platform,3,",
            "New.Hire@Example.com,Nora New,Platform,1,0",
        ),
    )
    assert result.ok and result.written
    plan = result.plan
    assert (len(plan.people_to_create), len(plan.people_to_update), len(plan.skills_to_create), len(plan.changes)) == (
        1,
        1,
        1,
        3,
    )
    assert plan.summary() == "1 person created, 1 updated, 1 skill created, 3 levels changed"

    nora = Person.objects.get(email="new.hire@example.com")
    assert (nora.name, nora.team, nora.role, nora.is_active) == ("Nora New", team, "member", True)
    assert not nora.has_usable_password()  # no login until invited
    member.refresh_from_db()
    assert member.name == "Max M. Member"

    rotate = Skill.objects.get(system=deploy.system, slug="rotate-tls-certificate")
    assert rotate.name == "Rotate tls certificate"
    assert latest_lead(member, deploy) == 3
    assert latest_lead(nora, deploy) == 1
    assert latest_lead(nora, rotate) == 0  # 0 with no lead assessment yet is a change
    assert latest_lead(member, rotate) is None  # empty cell: nothing
    for a in Assessment.objects.all():
        assert (a.source, a.author, a.note) == ("lead", admin_user, "imported from matrix.csv")


def test_a_cell_is_a_change_only_when_it_differs_from_the_latest_lead_level(admin_user, lead, member, deploy, restore):
    make_assessment(member, deploy, 2, author=lead, days_ago=10)
    make_assessment(member, deploy, 3, author=lead, days_ago=5)  # the latest lead level
    make_assessment(member, deploy, 1, source="self", days_ago=1)  # self assessments do not count
    make_assessment(member, restore, 2, source="self")
    result = do_import(
        admin_user,
        sheet("email,name,team,payments-api/deploy,payments-api/restore", "member@example.com,,,3,2"),
    )
    assert [(c.column, c.old, c.new) for c in result.plan.changes] == [("payments-api/restore", None, 2)]
    assert result.plan.unchanged == 1
    assert not result.plan.people_to_update  # empty name and team: no change


def test_an_empty_cell_changes_nothing(admin_user, lead, member, deploy):
    make_assessment(member, deploy, 4, author=lead)
    result = do_import(admin_user, sheet("email,name,team,payments-api/deploy", "member@example.com,Max Member,,"))
    assert result.ok and not result.plan.has_work
    assert latest_lead(member, deploy) == 4


def test_team_by_name_moves_a_person(admin_user, member, other_team):
    result = do_import(admin_user, sheet("email,name,team", "member@example.com,Max Member,payments ops"))
    assert [u.what for u in result.plan.people_to_update] == ["team platform → payments"]
    member.refresh_from_db()
    assert member.team == other_team


def test_dry_run_writes_nothing(admin_user, member, deploy):
    before = counts()
    result = do_import(
        admin_user, sheet("email,name,team,payments-api/deploy", "new@example.com,New,platform,2"), dry_run=True
    )
    assert result.ok and not result.written
    assert len(result.plan.changes) == 1
    assert counts() == before


# The round trip ------------------------------------------------------------------------------


@pytest.fixture
def populated(team, lead, member, admin_user, deploy, restore):
    """A team with history: several lead levels, self levels, a departed person, a formula-like name."""
    gone = make_person(team, email="gone@example.com", name="Gone Person", departed_on=date(2024, 1, 31))
    tricky = make_person(team, email="tricky@example.com", name='=HYPERLINK("http://evil.example","click")')
    make_assessment(member, deploy, 1, author=lead, days_ago=30)
    make_assessment(member, deploy, 3, author=lead, days_ago=3)
    make_assessment(member, restore, 4, source="self")
    make_assessment(gone, restore, 0, author=lead)
    make_assessment(tricky, deploy, 2, author=admin_user)
    make_assessment(lead, restore, 4, author=admin_user)
    return {"gone": gone, "tricky": tricky}


def test_export_writes_latest_lead_levels_ordered(team, populated):
    assert rows_of(matrix_export(team=team)) == [
        ["email", "name", "team", "payments-api/deploy", "payments-api/restore"],
        ["gone@example.com", "Gone Person", "platform", "", "0"],
        ["lead@example.com", "Lena Lead", "platform", "", "4"],
        ["member@example.com", "Max Member", "platform", "3", ""],
        ["tricky@example.com", '\'=HYPERLINK("http://evil.example","click")', "platform", "2", ""],
    ]


def test_export_orders_columns_by_system_then_skill_slug(team, other_team, deploy, ledger):
    make_skill(ledger, slug="a-reconcile")
    make_skill(make_system(team, slug="batch-jobs"), slug="z-rerun")
    make_skill(deploy.system, slug="b-scale")
    assert rows_of(matrix_export())[0][3:] == [
        "batch-jobs/z-rerun",
        "ledger/a-reconcile",
        "payments-api/b-scale",
        "payments-api/deploy",
    ]
    assert rows_of(matrix_export(team=other_team))[0] == ["email", "name", "team", "ledger/a-reconcile"]


def test_export_then_import_changes_nothing(team, lead, admin_user, populated):
    before = counts()
    team_file = matrix_export(team=team)
    result = do_import(lead, team_file)
    assert result.ok, errors_of(result)
    assert not result.plan.has_work
    assert result.plan.unchanged == 4
    everyone = do_import(admin_user, matrix_export())
    assert everyone.ok and not everyone.plan.has_work
    assert counts() == before
    assert matrix_export(team=team) == team_file


def test_names_with_surrounding_spaces_survive_the_round_trip(admin_user, team, deploy):
    make_person(team, email="spacey@example.com", name=" Spacey ")
    result = do_import(admin_user, matrix_export(team=team))
    assert result.ok and not result.plan.has_work


@pytest.mark.parametrize("name", ["'=x", "''@y", "'plain", "-", "=1+2"])
def test_names_that_look_like_neutralised_formulas_survive_the_round_trip(admin_user, team, deploy, name):
    """The export and the import share one writer's rule (``people.csv_safe``), quotes included."""
    make_person(team, email="q@example.com", name=name)
    result = do_import(admin_user, matrix_export(team=team))
    assert result.ok and not result.plan.has_work


def test_import_then_export_gives_back_the_same_cells(admin_user, team, deploy, restore):
    rows = [
        ["email", "name", "team", "payments-api/deploy", "payments-api/restore", "payments-api/rotate-keys"],
        ["ann@example.com", "Ann", "platform", "4", "", "0"],
        ["bob@example.com", "+Bob @home", "platform", "", "1", ""],
        ["cy@example.com", "Cy", "platform", "2", "3", "4"],
    ]
    out = io.StringIO()
    csv_safe.writer(out).writerows(rows)
    assert do_import(admin_user, out.getvalue()).written
    assert Person.objects.get(email="bob@example.com").name == "+Bob @home"
    assert matrix_export(team=team) == out.getvalue()


def test_formulas_are_neutralised_on_export_and_restored_on_import(admin_user, deploy):
    odd_team = make_team("-5 team", slug="-5-team")
    odd_system = make_system(odd_team, slug="-legacy")
    make_skill(odd_system, slug="deploy")
    person = make_person(odd_team, email="eve@example.com", name="=1+2")
    exported = matrix_export(team=odd_team)
    assert rows_of(exported) == [
        ["email", "name", "team", "'-legacy/deploy"],
        ["eve@example.com", "'=1+2", "'-5-team", ""],
    ]

    result = do_import(admin_user, exported)
    assert result.ok and not result.plan.has_work  # the quote is taken off again

    result = do_import(
        admin_user,
        sheet("email,name,team,'-legacy/deploy", 'eve@example.com,"\'=HYPERLINK(""http://x"",""y"")",\'-5 team,3'),
    )
    assert result.written, errors_of(result)
    person.refresh_from_db()
    assert person.name == '=HYPERLINK("http://x","y")'
    assert rows_of(matrix_export(team=odd_team))[1] == ["eve@example.com", "'" + person.name, "'-5-team", "3"]


def test_a_quote_before_plain_text_is_kept(admin_user, member):
    do_import(admin_user, sheet("email,name,team", "member@example.com,'Tis Max,platform"))
    member.refresh_from_db()
    assert member.name == "'Tis Max"


# What spreadsheets write ---------------------------------------------------------------------


def test_bom_crlf_quoted_headers_blank_lines_and_spaces_are_accepted(admin_user, member, deploy):
    data = (
        '\ufeff"email","name","team","payments-api/deploy"\r\n'
        '" member@example.com ", Max Member ,platform, 3 \r\n'
        "\r\n"
        ",,,\r\n"
        "\r\n"
    ).encode()
    result = do_import(admin_user, matrix_csv.decode(data))
    assert result.written, errors_of(result)
    assert [(c.email, c.new) for c in result.plan.changes] == [("member@example.com", 3)]
    assert not result.plan.people_to_update
    assert latest_lead(member, deploy) == 3


def test_a_quoted_cell_may_span_lines_but_a_name_is_one_line(admin_user, member):
    # The record is read whole (the next one is on line 4), and its name refused: names are
    # single-line (issue 12, finding 1: a line break in a name broke the emails naming it).
    result = do_import(admin_user, 'email,name,team\r\nmember@example.com,"Max\r\nMember",platform\r\nx,,\r\n')
    assert not result.written
    assert [str(e) for e in result.errors.items] == [
        "line 2, column 2 (name): Write it on one line: line breaks are not allowed.",
        'line 4, column 1 (email): not a valid email address: "x"',
    ]


def test_not_utf8_is_refused_clearly():
    with pytest.raises(matrix_csv.UnreadableFile, match="not UTF-8"):
        matrix_csv.decode("email,name,team\nzoë@example.com,Zoë,platform\n".encode("latin-1"))
    with pytest.raises(matrix_csv.UnreadableFile, match="UTF-16"):
        matrix_csv.decode("email,name,team\n".encode("utf-16"))


# Errors: line, column, and nothing written ---------------------------------------------------

HEADER = "email,name,team,payments-api/deploy,payments-api/restore"


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            sheet(HEADER, "member@example.com,Max,platform,5,"),
            'line 2, column 4 (payments-api/deploy): level must be 0–4 or empty, got "5"',
        ),
        (
            sheet(HEADER, "member@example.com,Max,platform,,two"),
            'line 2, column 5 (payments-api/restore): level must be 0–4 or empty, got "two"',
        ),
        (
            sheet(HEADER, "member@example.com,Max,platform,2.5,"),
            'line 2, column 4 (payments-api/deploy): level must be 0–4 or empty, got "2.5"',
        ),
        (
            sheet(HEADER, "member@example.com,Max,platform,-1,"),
            'line 2, column 4 (payments-api/deploy): level must be 0–4 or empty, got "-1"',
        ),
        (
            sheet("email,name,team,deploy", "member@example.com,Max,platform,1"),
            'line 1, column 4 (deploy): a skill column must be "<system>/<skill>" (slugs: letters, digits, - and _), '
            'got "deploy"',
        ),
        (
            sheet("email,name,team,payments api/deploy now", "member@example.com,Max,platform,1"),
            "line 1, column 4 (payments api/deploy now): a skill column must be",
        ),
        (
            sheet("email,team,payments-api/deploy", "member@example.com,platform,1"),
            'line 1, column 2 (team): the first three columns must be email, name, team; got "team"',
        ),
        (
            sheet("email,name", "member@example.com,Max"),
            'line 1, column 3: the first three columns must be email, name, team; got ""',
        ),
        (
            sheet(HEADER, "a@example.com,A,platform,1,", "b@example.com,B,platform,,", "A@example.com,A2,platform,2,"),
            'line 4, column 1 (email): duplicate email "a@example.com", first on line 2',
        ),
        (
            sheet(HEADER + ",Payments-API/Deploy", "a@example.com,A,platform,1,,"),
            "line 1, column 6 (Payments-API/Deploy): duplicate column, first in column 4",
        ),
        (
            sheet(HEADER, "not-an-email,A,platform,1,"),
            'line 2, column 1 (email): not a valid email address: "not-an-email"',
        ),
        (sheet(HEADER, ",A,platform,1,"), "line 2, column 1 (email): email is required"),
        (sheet(HEADER, "a@example.com,A,platform,1"), "line 2: 4 cells, expected 5 like the header"),
        (sheet(HEADER, "a@example.com,A,platform,1,2,3"), "line 2: 6 cells, expected 5 like the header"),
        ("", "the file is empty: expected the header email,name,team,<system>/<skill>,…"),
        ("\r\n \r\n", "the file is empty: expected the header email,name,team,<system>/<skill>,…"),
        (
            sheet("email;name;team", "a@example.com;A;platform"),
            "line 1: the columns must be separated by commas",
        ),
    ],
)
def test_errors_name_line_and_column(admin_user, member, deploy, restore, text, expected):
    before = counts()
    result = do_import(admin_user, text)
    assert not result.ok and not result.written
    assert any(e.startswith(expected) for e in errors_of(result)), errors_of(result)
    assert counts() == before


def test_a_bad_row_in_the_middle_writes_nothing(admin_user, lead, member, deploy):
    make_assessment(member, deploy, 1, author=lead)
    before = counts()
    text = sheet(
        "email,name,team,payments-api/deploy,payments-api/brand-new-skill",
        "member@example.com,Renamed,platform,4,4",
        "new1@example.com,New One,platform,3,3",
        "new2@example.com,New Two,platform,9,3",
        "new3@example.com,New Three,platform,2,2",
    )
    result = do_import(admin_user, text)
    assert errors_of(result) == [
        'line 4, column 4 (payments-api/deploy): level must be 0–4 or empty, got "9"',
    ]
    assert not result.written
    assert counts() == before
    member.refresh_from_db()
    assert member.name == "Max Member"
    assert latest_lead(member, deploy) == 1


def test_every_error_is_reported_at_once(lead, deploy):
    result = do_import(
        lead,
        sheet("email,name,team,payments-api/deploy,nope/x", "a@example.com,A,platform,7,", "bad,B,platform,1,"),
    )
    assert errors_of(result) == [
        'line 1, column 5 (nope/x): unknown system "nope": ask an admin to add it, or to import this sheet '
        "(an admin's import creates the systems it names)",
        'line 2, column 4 (payments-api/deploy): level must be 0–4 or empty, got "7"',
        'line 3, column 1 (email): not a valid email address: "bad"',
    ]


def test_errors_beyond_the_limit_are_counted(admin_user, deploy):
    lines = [f"p{i}@example.com,P,platform,x" for i in range(matrix_csv.MAX_ERRORS + 7)]
    result = do_import(admin_user, sheet("email,name,team,payments-api/deploy", *lines))
    assert len(result.errors.items) == matrix_csv.MAX_ERRORS
    assert result.errors.omitted == 7 and len(result.errors) == matrix_csv.MAX_ERRORS + 7


# Who may import what -------------------------------------------------------------------------


def test_a_lead_imports_their_own_team(lead, member, deploy):
    result = do_import(
        lead, sheet("email,name,team,payments-api/deploy", "member@example.com,Max,,3", "n@example.com,N,platform,2")
    )
    assert result.written, errors_of(result)
    assert latest_lead(member, deploy) == 3
    assert Person.objects.get(email="n@example.com").team == lead.team


def test_a_lead_cannot_import_another_teams_people_or_systems(lead, other_lead, deploy, ledger):
    before = counts()
    result = do_import(
        lead,
        sheet(
            "email,name,team,payments-api/deploy,ledger/reconcile",
            "otherlead@example.com,Olu,,1,",
            "stranger@example.com,S,payments,1,",
            "homeless@example.com,H,,1,",
            "otherlead@example.com,Olu,platform,,",
        ),
    )
    errors = errors_of(result)
    assert errors[0] == (
        "line 1, column 5 (ledger/reconcile): ledger is another team's system; "
        "leads import only their own team's systems"
    )
    assert errors[1] == (
        "line 2, column 1 (email): otherlead@example.com is on Payments Ops; leads import only people of their own "
        "team (Platform)"
    )
    assert errors[2] == (
        "line 3, column 3 (team): leads import only people of their own team (Platform); this row is for Payments Ops"
    )
    assert errors[3] == (
        "line 4, column 3 (team): leads import only people of their own team (Platform); this row is for no team"
    )
    assert errors[4] == 'line 5, column 1 (email): duplicate email "otherlead@example.com", first on line 2'
    assert len(errors) == 5
    assert counts() == before


def test_a_lead_cannot_take_someone_from_another_team(lead, other_lead):
    result = do_import(lead, sheet("email,name,team", "otherlead@example.com,Olu,platform"))
    assert errors_of(result) == [
        "line 2, column 1 (email): otherlead@example.com is on Payments Ops; leads import only people of their own "
        "team (Platform)"
    ]


def test_an_admin_imports_any_team(admin_user, other_lead, deploy, ledger):
    result = do_import(
        admin_user, sheet("email,name,team,ledger/reconcile,payments-api/deploy", "otherlead@example.com,,,4,2")
    )
    assert result.written, errors_of(result)
    assert Skill.objects.filter(system=ledger, slug="reconcile").exists()


def test_nobody_sets_their_own_levels_by_import(lead, deploy, restore):
    result = do_import(
        lead, sheet("email,name,team,payments-api/deploy,payments-api/restore", "lead@example.com,Lena,,3,4")
    )
    assert errors_of(result) == [
        "line 2, column 4 (payments-api/deploy): you cannot set your own levels as a lead assessment: leave your own "
        "cells as they are, or ask another lead or an admin to import them (and 1 more on this line)"
    ]


def test_a_member_cannot_import(member):
    with pytest.raises(PermissionDenied):
        do_import(member, sheet("email,name,team"))


def test_a_lead_without_a_team_imports_nothing(db):
    lonely = make_person(None, Person.Role.LEAD, email="lonely@example.com")
    result = do_import(lonely, sheet("email,name,team"))
    assert errors_of(result) == [
        "you lead no team, so there is nothing you may import; ask an admin to put you on a team"
    ]


# Management commands -------------------------------------------------------------------------


def write(tmp_path, text, name="matrix.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode())
    return str(path)


def test_import_matrix_command_imports_as_the_first_admin(tmp_path, admin_user, member, deploy):
    path = write(
        tmp_path, sheet("email,name,team,payments-api/deploy", "member@example.com,,,3", "x@example.com,X,platform,2")
    )
    out = io.StringIO()
    call_command("import_matrix", path, stdout=out)
    assert "people to create: 1\n" in out.getvalue()
    assert "level changes: 2\n" in out.getvalue()
    assert "Imported" in out.getvalue()
    a = Assessment.objects.get(person=member)
    assert (a.author, a.level, a.note) == (admin_user, 3, "imported from matrix.csv")


def test_import_matrix_dry_run_writes_nothing(tmp_path, lead, member, deploy):
    path = write(tmp_path, sheet("email,name,team,payments-api/deploy", "member@example.com,,,3"))
    before = counts()
    out = io.StringIO()
    call_command("import_matrix", path, "--as", "LEAD@example.com", "--dry-run", "-v", "2", stdout=out)
    assert "level changes: 1\n" in out.getvalue()
    assert "line 2: member@example.com payments-api/deploy: — → 3" in out.getvalue()
    assert "Dry run: nothing was written." in out.getvalue()
    assert counts() == before


def test_import_matrix_errors_go_to_stderr_and_fail(tmp_path, admin_user, deploy):
    path = write(
        tmp_path,
        sheet("email,name,team,payments-api/deploy", "a@example.com,A,platform,1", "b@example.com,B,platform,6"),
    )
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error in .*nothing was written"):
        call_command("import_matrix", path, stdout=io.StringIO(), stderr=err)
    assert 'line 3, column 4 (payments-api/deploy): level must be 0–4 or empty, got "6"' in err.getvalue()
    assert counts() == before


def test_import_matrix_refuses_bad_authors_and_files(tmp_path, member, admin_user):
    path = write(tmp_path, sheet("email,name,team"))
    with pytest.raises(CommandError, match="neither a lead nor an admin"):
        call_command("import_matrix", path, "--as", "member@example.com")
    with pytest.raises(CommandError, match="Nobody has the email"):
        call_command("import_matrix", path, "--as", "nobody@example.com")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_matrix", str(tmp_path / "missing.csv"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("email,name,team\nzoë@example.com,Zoë,platform\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_matrix", str(latin))


def test_import_matrix_needs_an_admin_when_no_author_is_given(tmp_path, lead):
    with pytest.raises(CommandError, match="pass --as EMAIL"):
        call_command("import_matrix", write(tmp_path, sheet("email,name,team")))


def test_export_matrix_command_writes_stdout_or_a_file(tmp_path, team, lead, populated):
    out = io.StringIO()
    call_command("export_matrix", "--team", "platform", stdout=out)
    assert out.getvalue() == matrix_export(team=team)
    target = tmp_path / "out.csv"
    call_command("export_matrix", "-o", str(target))
    assert target.read_bytes().decode() == matrix_export()
    with pytest.raises(CommandError, match='No team has the slug "nope"'):
        call_command("export_matrix", "--team", "nope")


def test_commands_round_trip(tmp_path, team, lead, populated):
    target = tmp_path / "platform.csv"
    call_command("export_matrix", "--team", "platform", "-o", str(target))
    before = counts()
    out = io.StringIO()
    call_command("import_matrix", str(target), "--as", "lead@example.com", stdout=out)
    assert "level changes: 0\n" in out.getvalue()
    assert counts() == before


# The pages -----------------------------------------------------------------------------------

IMPORT_URL = reverse_lazy("skills:matrix-import")
EXPORT_URL = reverse_lazy("skills:matrix-export")


def upload(client, text, name="team.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def test_upload_previews_then_confirm_writes(client_for, lead, member, deploy):
    c = client_for(lead)
    response = upload(
        c, sheet("email,name,team,payments-api/deploy", "member@example.com,,,3", "n@example.com,Nia,platform,1")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview of team.csv" in html
    assert "member@example.com" in html and "payments-api/deploy" in html
    plan = response.context["plan"]
    assert (len(plan.people_to_create), len(plan.changes)) == (1, 2)
    assert not Assessment.objects.exists() and not Person.objects.filter(email="n@example.com").exists()

    token = response.context["token"]
    response = c.post(IMPORT_URL, {"confirm": "1", "token": token})
    assert response.status_code == 302 and response.url == reverse("skills:matrix")
    assert latest_lead(member, deploy) == 3
    assert Person.objects.filter(email="n@example.com").exists()
    messages = [str(m) for m in c.get(response.url).context["messages"]]
    assert messages == ["Imported team.csv: 1 person created, 0 updated, 0 skills created, 2 levels changed."]

    # The stored upload is used once.
    assert c.post(IMPORT_URL, {"confirm": "1", "token": token}).status_code == 302
    assert Assessment.objects.count() == 2


def test_confirm_with_a_stale_token_writes_nothing(client_for, lead, member, deploy):
    c = client_for(lead)
    first = upload(c, sheet("email,name,team,payments-api/deploy", "member@example.com,,,3")).context["token"]
    second = upload(c, sheet("email,name,team,payments-api/deploy", "member@example.com,,,2")).context["token"]
    for token in ("not-the-token", first):
        response = c.post(IMPORT_URL, {"confirm": "1", "token": token}, follow=True)
        assert "This import expired" in response.content.decode()
        assert not Assessment.objects.exists()
    assert c.post(IMPORT_URL, {"confirm": "1", "token": second}).status_code == 302
    assert latest_lead(member, deploy) == 2


def test_confirm_revalidates(client_for, lead, member, deploy):
    c = client_for(lead)
    token = upload(c, sheet("email,name,team,payments-api/deploy", "member@example.com,,,3")).context["token"]
    member.team = make_team("Elsewhere")
    member.save()
    response = c.post(IMPORT_URL, {"confirm": "1", "token": token})
    assert response.status_code == 400
    assert "member@example.com is on Elsewhere" in response.content.decode()
    assert not Assessment.objects.exists()


def test_upload_with_errors_shows_them_and_offers_no_confirm(client_for, admin_user, deploy):
    c = client_for(admin_user)
    response = upload(
        c, sheet("email,name,team,payments-api/deploy", "a@example.com,A,platform,1", "b@example.com,B,platform,5")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "line 3, column 4 (payments-api/deploy): level must be 0–4 or empty, got &quot;5&quot;" in html
    assert 'name="confirm"' not in html
    assert matrix_csv.SESSION_KEY not in c.session


def test_upload_of_a_matching_file_has_nothing_to_confirm(client_for, lead, member, deploy):
    make_assessment(member, deploy, 2, author=lead)
    response = upload(
        client_for(lead), sheet("email,name,team,payments-api/deploy", "member@example.com,Max Member,platform,2")
    )
    assert response.status_code == 200
    assert "Nothing to change" in response.content.decode()
    assert 'name="confirm"' not in response.content.decode()


def test_upload_that_is_not_utf8_is_a_form_error(client_for, lead):
    response = upload(client_for(lead), "email,name,team\nzoë@example.com,Zoë,platform\n".encode("latin-1"))
    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode()


def test_upload_without_a_file_is_a_form_error(client_for, lead):
    assert client_for(lead).post(IMPORT_URL, {}).status_code == 400


def test_import_form_asks_for_a_csv(client_for, lead):
    html = client_for(lead).get(IMPORT_URL).content.decode()
    assert 'type="file"' in html and 'accept=".csv,text/csv"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "<script>" not in html.split("</head>")[1] and "style=" not in html


def test_export_view_downloads_a_team(client_for, member, team, populated):
    response = client_for(member).get(EXPORT_URL, {"team": "platform"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="skill-matrix-platform.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # for Excel
    assert text[1:] == matrix_export(team=team)


def test_export_view_of_everyone_and_of_an_unknown_team(client_for, member, populated):
    c = client_for(member)
    response = c.get(EXPORT_URL)
    assert response["Content-Disposition"] == 'attachment; filename="skill-matrix.csv"'
    assert response.content.decode()[1:] == matrix_export()
    assert c.get(EXPORT_URL, {"team": "nope"}).status_code == 404


def test_anonymous_is_sent_to_login(client, db):
    for response in (client.get(IMPORT_URL), client.post(IMPORT_URL), client.get(EXPORT_URL)):
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "who,import_status,export_status",
    [("member", 403, 200), ("new_hire", 403, 200), ("lead", 200, 200), ("other_lead", 200, 200), ("admin", 200, 200)],
)
def test_who_may_open_the_pages(client_for, cast, who, import_status, export_status):
    c = client_for(cast[who])
    assert c.get(IMPORT_URL).status_code == import_status
    assert c.get(EXPORT_URL).status_code == export_status


def test_a_member_cannot_post_an_import(client_for, member, deploy):
    response = upload(client_for(member), sheet("email,name,team,payments-api/deploy", "member@example.com,,,4"))
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_a_lead_of_another_team_gets_errors_for_this_teams_rows(client_for, other_lead, member, deploy):
    response = upload(client_for(other_lead), sheet("email,name,team,payments-api/deploy", "member@example.com,,,4"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "payments-api is another team&#x27;s system" in html
    assert "member@example.com is on Platform" in html
    assert not Assessment.objects.exists()


def test_pages_refuse_other_methods(client_for, lead):
    c = client_for(lead)
    assert c.put(IMPORT_URL).status_code == 405
    assert c.post(EXPORT_URL).status_code == 405


def _big_sheet(team, people, skills):
    """A sheet over existing people and skills, half of them with lead levels already."""
    system = make_system(team)
    skill_list = [make_skill(system) for _ in range(skills)]
    people_list = [make_person(team) for _ in range(people)]
    Assessment.objects.bulk_create(
        Assessment(person=p, skill=s, level=(i + j) % 5, source="lead", author=p)
        for i, p in enumerate(people_list)
        for j, s in enumerate(skill_list)
        if (i + j) % 2
    )
    store.recompute_all()  # bulk_create goes around the services
    header = ["email", "name", "team", *(s.column for s in skill_list)]
    rows = [
        [p.email, p.name, "platform", *(str((i + j + 1) % 5) for j in range(skills))] for i, p in enumerate(people_list)
    ]
    rows += [[f"new{i}@example.com", f"New {i}", "platform", *("3" for _ in range(skills))] for i in range(people // 4)]
    rows[0][len(header) - 1] = ""
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue()


@pytest.mark.parametrize("people,skills", [(2, 3), (40, 60)])
def test_import_runs_a_fixed_number_of_queries(client_for, lead, team, django_assert_max_num_queries, people, skills):
    text = _big_sheet(team, people, skills)
    c = client_for(lead)
    # session, user, teams, systems, skills, people named, their lead assessments' fingerprint
    # and levels, unread notices (base.html), session saved (savepoint, update, release)
    with django_assert_max_num_queries(12):
        response = upload(c, text)
    assert response.status_code == 200, response.context["plan"].errors.items
    assert response.context["plan"].changes
    # session, user, the same six reads (planned before the write transaction), savepoint, those
    # reads again but the levels (nothing changed, so the plan stands), people created,
    # assessments inserted (one INSERT … SELECT from JSON on SQLite, one COPY on PostgreSQL), the
    # stored levels of those people and skills (the people locked on PostgreSQL, their
    # assessments, the evidence of the skills, their freshness windows, the rows stored, delete,
    # insert of the new rows, upsert of the changed ones, in a savepoint), release, session saved
    # (savepoint, update, release); the audit trail: one entry per person created (one insert) and
    # the summary of the levels set. Content types are a per-process cache that other tests may
    # have cleared: warm it so the count does not depend on the order the tests run in.
    ContentType.objects.get_for_models(Person, Assessment)
    with django_assert_max_num_queries(32):
        response = c.post(IMPORT_URL, {"confirm": "1", "token": response.context["token"]})
    assert response.status_code == 302
