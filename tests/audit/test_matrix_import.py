"""A matrix import is logged cheaply: an entry per person it creates or moves, one summary for its
levels, whatever the sheet's size."""

from ops_skills.audit.models import AuditEntry
from ops_skills.levels.audit import record_matrix_import
from ops_skills.levels.matrix_csv.plan import LevelChange, MatrixPlan, NewPerson, PersonUpdate
from ops_skills.people.models import Person
from ops_skills.skills.models import Assessment
from tests.factories import make_person


def test_an_import_writes_an_entry_per_person_changed_and_one_summary(
    team, other_team, lead, member, django_assert_max_num_queries
):
    moved = make_person(other_team, email="mover@example.com", name="Mo Mover")
    new = make_person(team, email="new@example.com", name="Nev New")  # as the import's bulk insert made them
    AuditEntry.objects.all().delete()
    plan = MatrixPlan(
        people_to_create=[NewPerson(2, new.email, new.name, team.pk, team.slug)],
        people_to_update=[PersonUpdate(3, moved.pk, moved.email, moved.name, team.pk, "team payments → platform")],
        changes=[
            LevelChange(2, new.email, "pg/restore", None, 11, None, 3),
            LevelChange(3, moved.email, "pg/restore", moved.pk, 11, 1, 2),
            LevelChange(4, member.email, "pg/restore", member.pk, 11, None, 4),
        ],
    )
    # Old teams, the entries, the teams of the others assessed, the summary (and its content type,
    # once per process).
    with django_assert_max_num_queries(5):
        record_matrix_import(plan, filename="sheet.csv", created_ids={new.email: new.pk})
    created = AuditEntry.objects.get_for_object(new).get()
    assert created.changes["team"] == ["None", str(team.pk)] and created.action == 0
    move = AuditEntry.objects.get_for_object(moved).get()
    assert move.changes == {"team": [str(other_team.pk), str(team.pk)]}
    assert move.teams == f"|{team.pk}|{other_team.pk}|"  # both leads see it
    summary = AuditEntry.objects.get_for_model(Assessment).get()
    assert (
        summary.object_repr == "Matrix import of sheet.csv: 3 levels set, 1 people created, 1 changed, 0 skills created"
    )
    assert summary.additional_data["levels"] == 3
    assert summary.teams == f"|{team.pk}|{other_team.pk}|"
    assert summary.people == "|" + "|".join(str(p) for p in sorted([new.pk, moved.pk, member.pk])) + "|"


def test_a_big_import_costs_a_few_statements(team, lead, django_assert_max_num_queries):
    people = Person.objects.bulk_create(Person(email=f"p{i}@example.com", name=f"P {i}", team=team) for i in range(600))
    plan = MatrixPlan(
        changes=[
            LevelChange(i, p.email, f"s/k{k}", p.pk, k + 1, None, 3) for i, p in enumerate(people) for k in range(50)
        ]
    )
    with django_assert_max_num_queries(3):  # the teams of the people assessed, the summary (its content type)
        record_matrix_import(plan, filename="big.csv", created_ids={})
    summary = AuditEntry.objects.get_for_model(Assessment).get()
    assert summary.additional_data["levels"] == 30000
    assert summary.teams == f"|{team.pk}|"
