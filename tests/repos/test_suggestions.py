"""Git suggestions: who is suggested (threshold, window, bots, people who left, aliases, levels),
when a decided one comes back, and what accepting and dismissing do."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ops_skills.levels import selectors as level_selectors
from ops_skills.people.models import Person
from ops_skills.repos.models import AuthorAlias, PathMapping, Suggestion
from ops_skills.repos.suggestions import accept_note, suggestion_accept, suggestion_dismiss, suggestions_refresh
from ops_skills.skills.models import Assessment
from tests.factories import make_assessment, make_person, make_skill, make_system
from tests.repos.history import commits, record_commit


@pytest.fixture
def postgres(team, repository):
    """The ``postgres-main`` system with two skills, mapped to ``modules/postgres/**``."""
    system = make_system(team, slug="postgres-main")
    skills = [make_skill(system, slug="failover"), make_skill(system, slug="restore")]
    PathMapping.objects.create(repository=repository, pattern="modules/postgres/**", system=system)
    return system, skills


def test_five_commits_in_ninety_days_make_a_suggestion(repository, postgres, member):
    system, _ = postgres
    newest = commits(repository, member.email, 5)
    record_commit(repository, member.email, ["modules/postgres/old.tf"], days_ago=91)  # out of the window
    record_commit(repository, member.email, ["modules/redis/main.tf"])  # not mapped
    assert suggestions_refresh(repository) == 1
    suggestion = Suggestion.objects.get()
    assert (suggestion.person, suggestion.system, suggestion.skill) == (member, system, None)
    assert suggestion.changes == 5 and suggestion.status == "open"
    assert suggestion.commits == [c.sha for c in newest]  # newest first
    assert suggestion.paths == ["modules/postgres"]
    assert suggestion.last_commit_at == newest[0].authored_at and suggestion.first_commit_at == newest[-1].authored_at


def test_four_commits_are_not_enough(repository, postgres, member):
    commits(repository, member.email, 4)
    record_commit(repository, member.email, ["modules/postgres/a.tf"], days_ago=100)
    assert suggestions_refresh(repository) == 0
    assert not Suggestion.objects.exists()


def test_a_commit_touching_several_mapped_files_counts_once_and_paths_are_the_busiest_directories(
    repository, postgres, member
):
    for i in range(5):
        record_commit(
            repository, member.email, ["modules/postgres/a.tf", "modules/postgres/b.tf", f"modules/postgres/x{i}/c.tf"]
        )
    record_commit(repository, member.email, ["modules/postgres/y/c.tf", "modules/postgres/z/d.tf"])
    suggestions_refresh(repository)
    suggestion = Suggestion.objects.get()
    assert suggestion.changes == 6
    assert suggestion.paths == ["modules/postgres", "modules/postgres/x0", "modules/postgres/x1"]


def test_bots_and_unknown_emails_and_people_who_left_are_not_suggested(repository, postgres, team):
    commits(repository, "renovate[bot]@users.noreply.github.com", 6)
    commits(repository, "ci@example.com", 6, name="Deploy Bot [bot]")
    commits(repository, "stranger@example.org", 6)
    gone = make_person(team, departed_on=timezone.localdate() - timedelta(days=1))
    commits(repository, gone.email, 6)
    locked_out = make_person(team, is_active=False)
    commits(repository, locked_out.email, 6)
    assert suggestions_refresh(repository) == 0


def test_a_noreply_address_registered_as_someones_alias_is_theirs_not_a_bots(repository, postgres, member):
    AuthorAlias.objects.create(email="1234+max@users.noreply.github.com", person=member)
    commits(repository, "1234+max@users.noreply.github.com", 5)
    assert suggestions_refresh(repository) == 1
    assert Suggestion.objects.get().person == member


def test_an_alias_and_a_co_author_trailer_count_for_the_person(repository, postgres, member):
    AuthorAlias.objects.create(email="max@home.example", person=member)
    commits(repository, "max@home.example", 3)
    commits(repository, "someone@example.org", 2, coauthors=[member.email])
    suggestions_refresh(repository)
    suggestion = Suggestion.objects.get()
    assert suggestion.person == member and suggestion.changes == 5


def test_a_level_in_any_skill_of_the_system_means_no_suggestion(repository, postgres, member, lead):
    _, skills = postgres
    commits(repository, member.email, 5)
    make_assessment(member, skills[1], 1, author=lead)
    assert suggestions_refresh(repository) == 0


def test_a_mapping_naming_a_skill_asks_about_that_skill_only(repository, team, member, lead):
    system = make_system(team, slug="network")
    vpn, dns = make_skill(system, slug="vpn"), make_skill(system, slug="dns")
    PathMapping.objects.create(repository=repository, pattern="net/vpn/**", system=system, skill=vpn)
    make_assessment(member, dns, 3, author=lead)
    commits(repository, member.email, 5, path="net/vpn/tunnel.tf")
    suggestions_refresh(repository)
    suggestion = Suggestion.objects.get()
    assert (suggestion.system, suggestion.skill) == (system, vpn)


def test_a_system_without_skills_has_nothing_to_suggest(repository, team, member):
    system = make_system(team, slug="empty")
    PathMapping.objects.create(repository=repository, pattern="**", system=system)
    commits(repository, member.email, 5)
    assert suggestions_refresh(repository) == 0


def test_a_refresh_updates_the_open_suggestion_and_deletes_it_once_the_person_has_a_level(
    repository, postgres, member, lead
):
    _, skills = postgres
    commits(repository, member.email, 5)
    suggestions_refresh(repository)
    first = Suggestion.objects.get()
    record_commit(repository, member.email, ["modules/postgres/new.tf"], at=timezone.now() - timedelta(hours=1))
    assert suggestions_refresh(repository) == 1
    first.refresh_from_db()
    assert first.changes == 6 and first.paths == ["modules/postgres"]
    make_assessment(member, skills[0], 2, author=lead)
    assert suggestions_refresh(repository) == 0
    assert not Suggestion.objects.exists()


def test_a_dismissed_suggestion_comes_back_only_for_newer_commits(repository, postgres, member, lead):
    commits(repository, member.email, 5, days_ago=10)
    suggestions_refresh(repository)
    suggestion_dismiss(suggestion=Suggestion.objects.get(), by=lead)
    assert suggestions_refresh(repository) == 0  # the same commits: not again
    commits(repository, member.email, 4, days_ago=2)
    assert suggestions_refresh(repository) == 0  # four newer ones are not enough by themselves
    record_commit(repository, member.email, ["modules/postgres/x.tf"], days_ago=1)
    assert suggestions_refresh(repository) == 1
    again = Suggestion.objects.open().get()
    assert again.changes == 5 and again.first_commit_at > Suggestion.objects.get(status="dismissed").last_commit_at


def test_commits_out_of_the_window_are_not_counted(repository, postgres, member, settings):
    settings.GIT_SUGGEST_DAYS = 30
    settings.GIT_SUGGEST_MIN_CHANGES = 3
    commits(repository, member.email, 2, days_ago=1)
    commits(repository, member.email, 5, days_ago=31)
    assert suggestions_refresh(repository) == 0
    record_commit(repository, member.email, ["modules/postgres/x.tf"], days_ago=29)
    assert suggestions_refresh(repository) == 1


@pytest.mark.parametrize("n", [1, 12])
def test_the_refresh_runs_a_fixed_number_of_queries(repository, postgres, team, django_assert_max_num_queries, n):
    people = [make_person(team) for _ in range(n)]
    for person in people:
        commits(repository, person.email, 5)
    AuthorAlias.objects.create(email="alias@example.org", person=people[0])
    # savepoint, mappings, skills, aliases, people, bot names, changes, levels, suggestions, insert,
    # release
    with django_assert_max_num_queries(11):
        assert suggestions_refresh(repository) == n
    for person in people[:3]:
        record_commit(repository, person.email, ["modules/postgres/z.tf"])
    # the same reads, then one update of them all
    with django_assert_max_num_queries(11):
        assert suggestions_refresh(repository) == n


# --- accepting and dismissing -------------------------------------------------------------------


@pytest.fixture
def suggestion(repository, postgres, member):
    commits(repository, member.email, 14)
    suggestions_refresh(repository)
    return Suggestion.objects.get()


def test_accepting_records_a_lead_assessment_and_refreshes_the_stored_level(suggestion, postgres, member, lead):
    _, skills = postgres
    suggestion_accept(suggestion=suggestion, by=lead, skill=skills[0], level=2)
    assessment = Assessment.objects.get(person=member, skill=skills[0])
    assert assessment.source == "lead" and assessment.level == 2 and assessment.author == lead
    assert assessment.note.startswith("From git: 14 changes to modules/postgres in 90 days (infra ")
    assert level_selectors.level_of(member, skills[0]).level == 2
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted" and suggestion.decided_by == lead and suggestion.decided_at
    assert suggestion.outcome == "Max Member assessed assisted (2) in Failover."


def test_the_note_links_the_newest_commit_when_the_repository_has_a_web_address(suggestion, repository):
    repository.web_url = "https://github.com/acme/infra/"
    repository.save()
    suggestion.refresh_from_db()
    note = accept_note(suggestion)
    assert note.endswith(f"(https://github.com/acme/infra/commit/{suggestion.commits[0]})")
    suggestion.paths = ["x" * 200, "y" * 200]
    assert len(accept_note(suggestion)) <= 300 and accept_note(suggestion).endswith(suggestion.commits[0] + ")")


def test_accepting_twice_is_refused_with_a_clear_message(suggestion, postgres, lead, admin_user):
    _, skills = postgres
    suggestion_accept(suggestion=suggestion, by=lead, skill=skills[0], level=3)
    with pytest.raises(ValidationError, match="already accepted by Lena Lead"):
        suggestion_accept(suggestion=suggestion, by=admin_user, skill=skills[1], level=2)
    with pytest.raises(ValidationError, match="already accepted"):
        suggestion_dismiss(suggestion=suggestion, by=admin_user)
    assert Assessment.objects.count() == 1


def test_a_skill_of_another_system_or_a_bad_level_is_refused(suggestion, team, lead):
    elsewhere = make_skill(make_system(team, slug="redis"), slug="flush")
    with pytest.raises(ValidationError, match="skill of the suggested system"):
        suggestion_accept(suggestion=suggestion, by=lead, skill=elsewhere, level=2)
    with pytest.raises(ValidationError, match="from 1"):
        suggestion_accept(suggestion=suggestion, by=lead, skill=suggestion.system.skills.first(), level=0)
    assert not Assessment.objects.exists()
    assert Suggestion.objects.get().status == "open"


def test_a_suggestion_about_one_skill_is_accepted_for_that_skill_only(repository, team, member, lead):
    system = make_system(team, slug="network")
    vpn, dns = make_skill(system, slug="vpn"), make_skill(system, slug="dns")
    PathMapping.objects.create(repository=repository, pattern="net/**", system=system, skill=vpn)
    commits(repository, member.email, 5, path="net/a.tf")
    suggestions_refresh(repository)
    with pytest.raises(ValidationError, match="about one skill"):
        suggestion_accept(suggestion=Suggestion.objects.get(), by=lead, skill=dns, level=2)


@pytest.mark.parametrize("role", ["member", "other_lead"])
def test_only_the_persons_lead_or_an_admin_decides(suggestion, postgres, cast, role):
    with pytest.raises(PermissionDenied):
        suggestion_accept(suggestion=suggestion, by=cast[role], skill=postgres[1][0], level=2)
    with pytest.raises(PermissionDenied):
        suggestion_dismiss(suggestion=suggestion, by=cast[role])


def test_nobody_decides_a_suggestion_about_themself(repository, postgres, lead, admin_user):
    commits(repository, lead.email, 5)
    suggestions_refresh(repository)
    own = Suggestion.objects.get(person=lead)
    with pytest.raises(PermissionDenied):
        suggestion_dismiss(suggestion=own, by=lead)
    suggestion_dismiss(suggestion=own, by=admin_user)
    assert Suggestion.objects.get().status == "dismissed"


def test_admin_dismisses_and_the_person_keeps_no_level(suggestion, admin_user, member):
    suggestion_dismiss(suggestion=suggestion, by=admin_user)
    suggestion.refresh_from_db()
    assert suggestion.status == "dismissed" and suggestion.decided_by == admin_user
    assert not Assessment.objects.filter(person=member).exists()
    assert Person.objects.get(pk=member.pk).git_suggestions.open().count() == 0
