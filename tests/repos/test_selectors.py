"""The knowledge selector: a repository's history, as stored, turned into authors and file-based
truck factors, with aliases, bots, leavers and the path mappings decided at read time."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from ops_skills.reports.selectors import org_facts
from ops_skills.reports.summary import summarise
from ops_skills.repos import selectors
from ops_skills.repos.authorship import Change, file_authors
from ops_skills.repos.models import AuthorAlias, Commit, FileChange, PathMapping, RepoFile
from tests.factories import make_assessment, make_person, make_skill, make_system

NOW = timezone.now()


class History:
    """Writes a repository's history as the reader stores it: a commit, its files (created the
    first time they appear) and a change per file for the author and each co-author."""

    def __init__(self, repo):
        self.repo = repo
        self.files: dict[str, RepoFile] = {}
        self.shas = itertools.count(1)

    def commit(self, email, *paths, days_ago=10, name="", coauthors=()):
        at = NOW - timedelta(days=days_ago)
        commit = Commit.objects.create(
            repository=self.repo, sha=f"{next(self.shas):040x}", author_email=email, author_name=name, authored_at=at
        )
        for path in paths:
            created = path not in self.files
            if created:
                self.files[path] = RepoFile.objects.create(repository=self.repo, path=path)
            for who in (email, *coauthors):
                FileChange.objects.create(file=self.files[path], commit=commit, email=who, created=created, at=at)
        return commit

    def delete(self, path):
        RepoFile.objects.filter(pk=self.files.pop(path).pk).update(deleted=True)


def knowledge(repo):
    return selectors.repository_knowledge(repo, now=NOW)


def test_creators_are_authors_and_the_truck_factor_counts_files(repository, member, new_hire):
    h = History(repository)
    h.commit(member.email, "a.tf", "b.tf")
    h.commit(new_hire.email, "c.tf")
    h.commit("stranger@example.org", "d.tf")
    found = knowledge(repository)
    assert found.files == 4
    # Sorted by files authored, then email.
    assert list(found.authors.items()) == [(member.email, 2), (new_hire.email, 1), ("stranger@example.org", 1)]
    # Ranked member (2), newhire (1), stranger (1): after member, 2 of 4 files keep an author (half);
    # after newhire, 1 of 4: fewer than half.
    assert found.truck_factor.value == 2
    assert found.truck_factor.removed == [member.email, new_hire.email]
    assert found.people == {member.email: member, new_hire.email: new_hire, "stranger@example.org": None}


def test_an_alias_is_the_same_person(repository, member):
    AuthorAlias.objects.create(email="Max@Home.example", person=member)
    h = History(repository)
    h.commit("max@home.example", "main.tf")
    h.commit(member.email, "main.tf")
    h.commit("other@example.org", "main.tf")
    found = knowledge(repository)
    # One identity: FA 1, DL 1, AC 1 -> 4.555 − 0.321·ln 2 = 4.3325; other: 3.457 − 0.2225 = 3.2345.
    assert found.authors == {member.email: 1}
    assert found.people[member.email] == member
    assert "max@home.example" not in found.people


def test_an_author_who_is_also_a_co_author_counts_once(repository, member):
    h = History(repository)
    h.commit(member.email, "main.tf", coauthors=[member.email])
    h.commit("other@example.org", "main.tf")
    h.commit("other@example.org", "main.tf")
    # member: FA 1, DL 0, AC 2 -> 4.391 − 0.321·ln 3 = 4.0383; other: FA 0, DL 2, AC 1 -> 3.3985
    # (0.84 of it: an author). Counted twice, member would have DL 1 and other AC 2: 3.2683, no author.
    assert knowledge(repository).authors == {member.email: 1, "other@example.org": 1}


def test_co_authors_count_as_authors(repository, member, new_hire):
    History(repository).commit(member.email, "main.tf", coauthors=[new_hire.email])
    # Both created it: FA 1, DL 0, AC 1 -> 4.391 − 0.2225 = 4.1685 each.
    assert knowledge(repository).authors == {member.email: 1, new_hire.email: 1}


def test_bots_by_email_or_name_are_left_out(repository, member):
    h = History(repository)
    h.commit(member.email, "main.tf")
    for _ in range(20):
        h.commit("renovate[bot]@users.example", "main.tf")
        h.commit("ci@example.org", "main.tf", name="ci-runner[bot]")
    found = knowledge(repository)
    assert found.authors == {member.email: 1}
    assert set(found.people) == {member.email}


def test_a_changed_bot_pattern_applies_to_the_whole_history(repository, member):
    h = History(repository)
    h.commit(member.email, "main.tf")
    for days_ago in range(300, 280, -1):
        h.commit("deploy@example.org", "main.tf", name="Deploy Robot", days_ago=days_ago)
    assert knowledge(repository).authors == {"deploy@example.org": 1}
    repository.bot_patterns = "[bot]\nnoreply\nrobot"
    assert knowledge(repository).authors == {member.email: 1}
    repository.bot_patterns = ""
    assert knowledge(repository).authors == {"deploy@example.org": 1}


def test_an_email_registered_to_a_person_is_never_a_bot(repository, member):
    AuthorAlias.objects.create(email="1234+max@users.noreply.github.com", person=member)
    History(repository).commit("1234+max@users.noreply.github.com", "main.tf")
    assert knowledge(repository).authors == {member.email: 1}


def test_departed_or_inactive_people_are_never_authors_but_count_for_others(repository, team):
    left = make_person(team, email="left@example.com", departed_on=NOW.date() - timedelta(days=1))
    locked = make_person(team, email="locked@example.com", is_active=False)
    leaving = make_person(team, email="leaving@example.com", departed_on=NOW.date() + timedelta(days=30))
    h = History(repository)
    h.commit(left.email, "a.tf")
    for _ in range(10):
        h.commit(left.email, "a.tf")
    for _ in range(5):
        h.commit("bo@example.org", "a.tf")
    h.commit(locked.email, "b.tf")
    h.commit(leaving.email, "c.tf")
    found = knowledge(repository)
    # a.tf: left is out, so bo (FA 0, DL 5, AC 11 with left's changes: 3.3153) is its author.
    assert found.authors == {"bo@example.org": 1, leaving.email: 1}
    # Three files, b.tf orphaned from the start: after bo (ranked before leaving), 1 of 3.
    assert (found.truck_factor.value, found.truck_factor.orphaned_before) == (1, 1)
    assert found.people[left.email] == left


def test_old_changes_and_deleted_files_do_not_count(repository, member, new_hire):
    repository.recency_days = 365
    h = History(repository)
    h.commit(member.email, "old.tf", days_ago=400)
    h.commit(new_hire.email, "gone.tf")
    h.commit(new_hire.email, "new.tf")
    h.delete("gone.tf")
    found = knowledge(repository)
    assert found.files == 2  # old.tf (no author left in the window) and new.tf
    assert found.authors == {new_hire.email: 1}
    assert found.since == NOW - timedelta(days=365)
    # One of two files with an author: removing new_hire leaves none, fewer than half.
    assert found.truck_factor.value == 1


def test_each_mapped_system_counts_the_files_of_its_patterns(repository, team, member, new_hire):
    postgres = make_system(team, slug="postgres-main")
    network = make_system(team, slug="network")
    unused = make_system(team, slug="a-unused")
    PathMapping.objects.create(repository=repository, pattern="modules/postgres/**", system=postgres)
    PathMapping.objects.create(repository=repository, pattern="runbooks/postgres-*.md", system=postgres)
    PathMapping.objects.create(repository=repository, pattern="modules/**/main.tf", system=network)
    PathMapping.objects.create(repository=repository, pattern="nothing/**", system=unused)
    h = History(repository)
    h.commit(member.email, "modules/postgres/main.tf", "modules/postgres/vars.tf", "runbooks/postgres-restore.md")
    h.commit(new_hire.email, "modules/vpc/main.tf", "README.md")
    found = knowledge(repository)
    assert [s.system.slug for s in found.systems] == ["a-unused", "network", "postgres-main"]
    none, net, pg = found.systems
    assert (none.files, none.truck_factor.value, none.authors) == (0, 0, {})
    # modules/postgres/main.tf is under both a postgres pattern and the network one: it counts in
    # both systems; under two postgres patterns it would still count once.
    assert (net.files, net.authors) == (2, {member.email: 1, new_hire.email: 1})
    assert (net.truck_factor.value, net.truck_factor.removed) == (2, [member.email, new_hire.email])
    assert (pg.files, pg.authors, pg.truck_factor.value) == (3, {member.email: 3}, 1)


def test_a_file_under_two_patterns_of_one_system_counts_once(repository, team, member):
    postgres = make_system(team, slug="postgres-main")
    PathMapping.objects.create(repository=repository, pattern="modules/postgres/**", system=postgres)
    PathMapping.objects.create(repository=repository, pattern="**/*.tf", system=postgres)
    History(repository).commit(member.email, "modules/postgres/main.tf", "main.tf")
    (pg,) = knowledge(repository).systems
    assert (pg.files, pg.authors) == (2, {member.email: 2})


def test_the_selector_agrees_with_the_rule_on_each_file(repository, member, new_hire):
    h = History(repository)
    h.commit(member.email, "a.tf")
    for i in range(6):
        h.commit(new_hire.email if i % 3 else member.email, "a.tf", days_ago=5 + i)
    changes = FileChange.objects.filter(file__path="a.tf").values_list("email", "at", "created")
    expected = file_authors([Change(*row) for row in changes], since=NOW - timedelta(days=730))
    assert knowledge(repository).authors == dict.fromkeys(expected, 1)


def test_json_has_the_issues_shape(repository, team, member, new_hire):
    postgres = make_system(team, slug="postgres-main", name="Postgres main")
    PathMapping.objects.create(repository=repository, pattern="modules/postgres/**", system=postgres)
    h = History(repository)
    h.commit(new_hire.email, "modules/postgres/main.tf")
    h.commit(member.email, "a.tf", "b.tf")
    assert selectors.json(knowledge(repository)) == {
        "files": 3,
        "authors": {member.email: 2, new_hire.email: 1},
        "truck_factor": 1,
        "truck_factor_authors": [member.email],
        "systems": [{"system": "postgres-main", "truck_factor": 1, "authors": [new_hire.email]}],
    }


def _bulk_history(repository, team, people, files):
    """``files`` files over a few systems, each created by one of ``people`` and changed by others,
    plus aliases and a departed person: rows written in bulk."""
    systems = [make_system(team, slug=f"sys-{i}") for i in range(3)]
    for i, system in enumerate(systems):
        PathMapping.objects.create(repository=repository, pattern=f"mod{i}/**", system=system)
    emails = [p.email for p in people] + ["outsider@example.org", "bot[bot]@example.org"]
    AuthorAlias.objects.create(email="alias@example.org", person=people[0])
    emails.append("alias@example.org")
    repo_files = RepoFile.objects.bulk_create(
        RepoFile(repository=repository, path=f"mod{n % 4}/f{n}.tf") for n in range(files)
    )
    commits = Commit.objects.bulk_create(
        Commit(
            repository=repository,
            sha=f"{n:040x}",
            author_email=emails[n % len(emails)],
            authored_at=NOW - timedelta(days=n % 900),
        )
        for n in range(files * 3)
    )
    FileChange.objects.bulk_create(
        FileChange(file=repo_files[n % files], commit=c, email=c.author_email, created=n < files, at=c.authored_at)
        for n, c in enumerate(commits)
    )


@pytest.mark.parametrize("size", [(2, 10), (8, 300)])
def test_a_fixed_number_of_queries_whatever_the_size(repository, team, size, django_assert_max_num_queries):
    people_count, files = size
    people = [make_person(team) for _ in range(people_count)]
    make_person(team, email="gone@example.com", departed_on=NOW.date())
    _bulk_history(repository, team, people, files)
    with django_assert_max_num_queries(6):  # mappings, files, aliases, people, bot names, changes
        found = knowledge(repository)
    assert found.files == files
    assert len(found.systems) == 3
    assert found.authors


@pytest.mark.parametrize("size", [(2, 10), (8, 300)])
def test_one_systems_knowledge_is_its_part_of_the_repositorys(repository, team, size, django_assert_max_num_queries):
    # What the system report's panel reads: the same figures, from that system's files only.
    people_count, files = size
    people = [make_person(team) for _ in range(people_count)]
    make_person(team, email="gone@example.com", departed_on=NOW.date())
    _bulk_history(repository, team, people, files)
    whole = knowledge(repository)
    for expected in whole.systems:
        with django_assert_max_num_queries(6):  # mappings, files, aliases, people, bot names, changes
            found, people_of = selectors.system_knowledge(repository, expected.system, now=NOW)
        assert found == expected
        assert {i: people_of[i] for i in found.authors} == {i: whole.people[i] for i in found.authors}


def test_skill_truck_factors_are_the_reports(team, other_team, member, new_hire, lead, django_assert_max_num_queries):
    postgres = make_system(team, slug="postgres-main")
    empty = make_system(team, slug="empty")
    restore, failover = make_skill(postgres, slug="restore"), make_skill(postgres, slug="failover")
    make_assessment(member, restore, 3, author=lead)
    make_assessment(member, failover, 3, author=lead)
    make_assessment(new_hire, failover, 4, author=lead)
    systems = list(type(postgres).objects.filter(team=team).select_related("team"))
    with django_assert_max_num_queries(4):  # people, systems, skills, covers
        found = selectors.skill_truck_factors(systems)
    # Without member restore is uncovered: 1 of 2 skills, not more than half; both must go.
    assert found == {
        postgres.pk: (2, "exact", [member.email, new_hire.email]),
        empty.pk: (None, "none", []),
    }
    row = next(r for r in summarise(org_facts(team=team, levels=False)).systems if r.system.id == postgres.pk)
    assert found[postgres.pk][0] == row.truck.value


def test_skill_truck_factors_across_teams_and_of_nothing(team, other_team, member, lead):
    ours, theirs = make_system(team, slug="ours"), make_system(other_team, slug="theirs")
    make_assessment(member, make_skill(theirs, slug="deploy"), 3, author=lead)
    found = selectors.skill_truck_factors([ours, theirs])
    assert found == {ours.pk: (None, "none", []), theirs.pk: (1, "exact", [member.email])}
    assert selectors.skill_truck_factors([]) == {}
