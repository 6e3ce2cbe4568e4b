"""The one CSV writer: formulas neutralised in text cells, numbers kept, exact round trip; and no
other CSV writer anywhere in the code."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from ops_skills.levels.matrix_csv import matrix_export
from ops_skills.people import csv_safe
from tests.factories import make_assessment, make_person, make_skill, make_system


def written(row) -> list[str]:
    out = io.StringIO()
    csv_safe.writer(out).writerow(row)
    return next(csv.reader(io.StringIO(out.getvalue())))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start):
    assert written([f"{start}1+2", f"a{start}"]) == [f"'{start}1+2", f"a{start}"]


def test_numbers_stay_numbers_and_numeric_text_is_text():
    # A number is written as itself; a string that looks like one is text, and quoted as text.
    assert written([-3, 2.5, 0, None, "-3", "3", ""]) == ["-3", "2.5", "0", "", "'-3", "3", ""]


@pytest.mark.parametrize(
    "cell", ["=1+2", "-2+3@example.com", "'=x", "''@x", "'Tis", "'", "''", "plain", "", "\t=x", "a'=b"]
)
def test_neutralise_then_unneutralise_is_exact(cell):
    assert csv_safe.unneutralise(csv_safe.neutralise(cell)) == cell


@pytest.mark.parametrize("cell", ["'Tis", "'", "plain", "3"])
def test_text_that_is_no_formula_is_written_as_it_is(cell):
    assert csv_safe.neutralise(cell) == cell


@pytest.mark.django_db
def test_the_report_export_neutralises_a_holder_email(client_for, cast, team):
    system = make_system(team, slug="api")
    holder = make_person(team, email="-2+3@example.com", name="Minus")
    make_assessment(holder, make_skill(system, slug="deploy"), 3)
    response = client_for(cast["lead"]).get(reverse("reports:export-csv"), {"team": team.slug})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    deploy = next(r for r in rows if r["skill"] == "deploy")
    assert deploy["holders"] == "'-2+3@example.com"
    assert deploy["bus_factor"] == "1" and deploy["tier"] == "2"  # numbers unchanged


@pytest.mark.django_db
def test_the_matrix_export_neutralises_through_the_one_writer(team):
    make_system(team, slug="api")
    make_person(team, email="-2+3@example.com", name="@Minus")
    rows = list(csv.reader(io.StringIO(matrix_export(team=team))))
    assert ["'-2+3@example.com", "'@Minus", team.slug] in rows


# Which code writes CSV --------------------------------------------------------------------------

WRITER_CALL = re.compile(r"\bcsv\s*\.\s*(writer|DictWriter)\s*\(|\bfrom\s+csv\s+import\b.*\b(writer|DictWriter)\b")


def test_no_csv_writer_outside_the_one_module():
    code = Path(settings.BASE_DIR) / "ops_skills"
    one = code / "people" / "csv_safe.py"
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in sorted(code.rglob("*.py"))
        if path != one
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if WRITER_CALL.search(line)
    ]
    assert offenders == [], "write CSV through ops_skills.people.csv_safe.writer"


def test_the_check_finds_a_writer():
    assert WRITER_CALL.search("    writer = csv.writer(response)")
    assert WRITER_CALL.search("w = csv.DictWriter(f, fieldnames)")
    assert WRITER_CALL.search("from csv import writer")
    assert not WRITER_CALL.search("writer = csv_safe.writer(out)")
