"""The repository pages, the suggestions page, the aliases page and the system report's panel:
who may see and do what, what they say, and their number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ops_skills.repos.models import AuthorAlias, PathMapping, Repository, Suggestion
from ops_skills.repos.suggestions import suggestions_refresh
from ops_skills.skills.models import Assessment
from tests.factories import make_assessment, make_person, make_skill, make_system
from tests.repos.gitrepo import GitRepo
from tests.repos.history import commits, record_commit

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def postgres(team, repository):
    system = make_system(team, slug="postgres-main", name="postgres-main")
    skills = [make_skill(system, slug="failover"), make_skill(system, slug="restore")]
    PathMapping.objects.create(repository=repository, pattern="modules/postgres/**", system=system)
    return system, skills


@pytest.fixture
def suggestion(repository, postgres, member):
    commits(repository, member.email, 6)
    suggestions_refresh(repository)
    return Suggestion.objects.get()


# --- the list and the detail --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "sees"),
    [(None, 302, False), ("member", 200, True), ("lead", 200, True), ("other_lead", 200, False), ("admin", 200, True)],
)
def test_who_sees_which_repositories_in_the_list(client_for, cast, repository, role, status, sees):
    response = client_for(cast.get(role)).get(reverse("repos:list"))
    assert response.status_code == status
    if status == 200:
        assert (repository.get_absolute_url() in response.text) == sees
        assert ("Register a repository" in response.text) == (role == "admin")


def test_the_list_has_a_clear_empty_state(client_for, cast):
    assert "Your team has no repository registered yet" in client_for(cast["member"]).get(reverse("repos:list")).text
    assert "No repository is registered yet" in client_for(cast["admin"]).get(reverse("repos:list")).text


@pytest.mark.parametrize(
    ("role", "status"), [(None, 302), ("member", 200), ("lead", 200), ("other_lead", 403), ("admin", 200)]
)
def test_who_sees_a_repository(client_for, cast, repository, role, status):
    response = client_for(cast.get(role)).get(repository.get_absolute_url())
    assert response.status_code == status
    if role is None:
        assert response.url.startswith("/accounts/login/")


def test_an_unknown_repository_is_404(client_for, cast):
    assert client_for(cast["admin"]).get(reverse("repos:detail", args=["nope"])).status_code == 404


def test_the_detail_explains_the_truck_factor_and_puts_files_beside_skills(
    client_for, cast, repository, postgres, lead, member
):
    system, skills = postgres
    make_assessment(lead, skills[0], 3, author=cast["admin"])
    make_assessment(lead, skills[1], 3, author=cast["admin"])
    record_commit(repository, member.email, ["modules/postgres/a.tf", "modules/postgres/b.tf"], days_ago=10)
    record_commit(repository, "zed@outside.example", ["README.md"], days_ago=5)
    repository.last_error, repository.last_error_at = "git says: not a git repository", timezone.now()
    repository.save()
    page = client_for(member).get(repository.get_absolute_url()).text
    assert "git says: not a git repository" in page
    assert "Why the file-based truck factor is 1" in page
    assert "leaves → 2 of 3 files without an author" in page
    # The system's row: its files' truck factor and authors beside the skill-based truck factor.
    row = page[page.index('<td data-label="System"><a href="/reports/systems/postgres-main/">') :]
    row = row[: row.index("</tr>")]
    assert "Max Member" in row and "Lena Lead" in row  # file author, key person of the skills
    # Authors in name order, a matched one linked, an unmatched one by email.
    authors = page[page.index("Authors of the repository") :]
    assert authors.index("Max Member") < authors.index("zed@outside.example")
    assert f'href="{member.get_absolute_url()}"' in authors
    assert "modules/postgres/**" in page


@pytest.mark.parametrize("n", [1, 10])
def test_the_detail_runs_a_fixed_number_of_queries(
    client_for, cast, repository, postgres, team, django_assert_max_num_queries, n
):
    _, skills = postgres
    other = make_system(team, slug="redis")
    make_skill(other, slug="flush")
    PathMapping.objects.create(repository=repository, pattern="modules/redis/**", system=other)
    for i in range(n):
        person = make_person(team)
        make_assessment(person, skills[i % 2], 3, author=cast["lead"])
        record_commit(repository, person.email, [f"modules/postgres/{i}.tf", f"modules/redis/{i}.tf"])
        record_commit(repository, f"outsider{i}@example.org", [f"docs/{i}.md"])
    make_assessment(cast["new_hire"], skills[0], 4, author=cast["lead"])  # a key person who never committed
    client = client_for(cast["lead"])
    # session, user, repository; knowledge: mappings, files, aliases, people, bot names, changes
    # (6); skill-based truck factors: people, systems, skills, covers (4); key people who are not
    # authors; unread notices; the mappings shown; the open suggestions' count
    with django_assert_max_num_queries(17):
        response = client.get(repository.get_absolute_url())
    assert response.status_code == 200


# --- registering, editing, deleting, reading ----------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [(None, 302), ("member", 403), ("lead", 403), ("other_lead", 403), ("admin", 200)]
)
def test_only_admins_register_or_edit_or_delete(client_for, cast, repository, role, status):
    client = client_for(cast.get(role))
    assert client.get(reverse("repos:create")).status_code == status
    assert client.get(reverse("repos:edit", args=[repository.slug])).status_code == status
    assert client.get(reverse("repos:delete", args=[repository.slug])).status_code == status


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("lead", 403), ("other_lead", 403), ("admin", 302)])
def test_only_admins_read_now_or_delete(client_for, cast, repository, role, status):
    client = client_for(cast[role])
    assert client.get(reverse("repos:read", args=[repository.slug])).status_code == 405
    assert client.post(reverse("repos:read", args=[repository.slug])).status_code == status
    assert client.post(reverse("repos:delete", args=[repository.slug])).status_code == status
    assert Repository.objects.filter(pk=repository.pk).exists() == (status == 403)


def _form(path, **extra):
    data = {
        "name": "runbooks",
        "slug": "runbooks",
        "team": "",
        "path": str(path),
        "web_url": "",
        "github_full_name": "",
        "recency_days": "730",
        "bot_patterns": "[bot]\nnoreply",
        "mappings-TOTAL_FORMS": "3",
        "mappings-INITIAL_FORMS": "0",
        "mappings-MIN_NUM_FORMS": "0",
        "mappings-MAX_NUM_FORMS": "1000",
    }
    return {**data, **extra}


def test_an_admin_registers_a_repository_and_it_is_read_at_once(client_for, cast, team, tmp_path, postgres):
    system, skills = postgres
    git = GitRepo(tmp_path / "runbooks")
    for i in range(5):
        git.commit({f"modules/postgres/{i}.tf": "x"}, author=("Max", "member@example.com"))
    data = _form(
        git.path,
        team=team.pk,
        **{
            "mappings-0-pattern": "modules/postgres/**",
            "mappings-0-system": system.pk,
            "mappings-0-skill": skills[1].pk,
        },
    )
    response = client_for(cast["admin"]).post(reverse("repos:create"), data)
    repo = Repository.objects.get(slug="runbooks")
    assert response.status_code == 302 and response.url == repo.get_absolute_url()
    assert [(m.pattern, m.skill) for m in repo.mappings.all()] == [("modules/postgres/**", skills[1])]
    repo.refresh_from_db()
    assert repo.read_at is not None and repo.last_error == ""  # the task ran (tests run tasks at once)
    assert repo.commits.count() == 5
    assert Suggestion.objects.get(repository=repo).skill == skills[1]  # and the suggestions followed


def test_the_form_says_what_is_wrong(client_for, cast, team, tmp_path, postgres):
    system, _ = postgres
    elsewhere = make_skill(make_system(team, slug="redis"), slug="flush")
    client = client_for(cast["admin"])
    page = client.post(
        reverse("repos:create"),
        _form(
            tmp_path / "missing",
            team=team.pk,
            slug="suggestions",
            github_full_name="not a name",
            **{
                "mappings-0-pattern": "/abs/**",
                "mappings-0-system": system.pk,
                "mappings-1-pattern": "modules/**",
                "mappings-1-system": system.pk,
                "mappings-1-skill": elsewhere.pk,
            },
        ),
    ).text
    assert "There is no directory at this path on the server" in page
    assert "is the name of a page under /repos/" in page
    assert "Write it as owner/name" in page
    assert "leave out the leading" in page
    assert "Flush is a skill of redis, not of postgres-main." in page
    relative = client.post(reverse("repos:create"), _form("relative/path", team=team.pk)).text
    assert "Give the absolute path of the clone" in relative
    twice = client.post(
        reverse("repos:create"),
        _form(
            tmp_path,
            team=team.pk,
            **{
                "mappings-0-pattern": "a/**",
                "mappings-0-system": system.pk,
                "mappings-1-pattern": "a/**",
                "mappings-1-system": system.pk,
            },
        ),
    ).text
    assert "mapped to the same system and skill twice" in twice
    assert not Repository.objects.filter(slug__in=["runbooks", "suggestions"]).exists()


def test_editing_removes_a_mapping_and_the_delete_page_asks_first(client_for, cast, repository, postgres, team):
    mapping = repository.mappings.get()
    data = _form(
        repository.path,
        name="infra",
        slug="infra",
        team=team.pk,
        **{
            "mappings-INITIAL_FORMS": "1",
            "mappings-0-id": mapping.pk,
            "mappings-0-repository": repository.pk,
            "mappings-0-pattern": mapping.pattern,
            "mappings-0-system": mapping.system_id,
            "mappings-0-DELETE": "on",
        },
    )
    client = client_for(cast["admin"])
    assert client.post(reverse("repos:edit", args=[repository.slug]), data).status_code == 302
    assert not repository.mappings.exists()
    confirm = client.get(reverse("repos:delete", args=[repository.slug])).text
    assert "Delete repository “infra”?" in confirm and "The clone at" in confirm
    assert client.post(reverse("repos:delete", args=[repository.slug])).url == reverse("repos:list")


# --- suggestions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "sees"),
    [
        (None, 302, False),
        ("member", 403, False),
        ("new_hire", 403, False),
        ("lead", 200, True),
        ("other_lead", 200, False),
        ("admin", 200, True),
    ],
)
def test_who_sees_the_suggestions(client_for, cast, suggestion, role, status, sees):
    response = client_for(cast.get(role)).get(reverse("repos:suggestions"))
    assert response.status_code == status
    if status == 200:
        assert (f'id="suggestion-{suggestion.pk}"' in response.text) == sees
        assert ("No open suggestion" in response.text) == (not sees)


def test_a_lead_does_not_see_suggestions_about_themself(client_for, cast, repository, postgres, lead):
    commits(repository, lead.email, 5)
    suggestions_refresh(repository)
    assert "No open suggestion" in client_for(lead).get(reverse("repos:suggestions")).text
    assert "Lena Lead" in client_for(cast["admin"]).get(reverse("repos:suggestions")).text


@pytest.mark.parametrize("n", [1, 30])
def test_the_suggestions_page_runs_a_fixed_number_of_queries(
    client_for, cast, repository, postgres, team, django_assert_max_num_queries, n
):
    for _ in range(n):
        commits(repository, make_person(team).email, 5)
    suggestions_refresh(repository)
    client = client_for(cast["lead"])
    # session, user, the page of suggestions, their count, the skills of their systems, notices
    with django_assert_max_num_queries(6):
        response = client.get(reverse("repos:suggestions"))
    assert response.text.count('class="repo-suggestion"') == min(n, 25)


def test_accepting_without_javascript_records_the_assessment_and_goes_back(client_for, lead, suggestion, postgres):
    _, skills = postgres
    client = client_for(lead)
    page = client.get(reverse("repos:suggestions")).text
    assert '<option value="2" selected>2 · assisted</option>' in page
    response = client.post(
        reverse("repos:suggestion-accept", args=[suggestion.pk]), {"skill": skills[1].pk, "level": "2"}
    )
    assert response.status_code == 302 and response.url == reverse("repos:suggestions")
    assert Assessment.objects.get(person=suggestion.person, skill=skills[1]).level == 2
    again = client.post(reverse("repos:suggestion-accept", args=[suggestion.pk]), {"skill": skills[1].pk, "level": "3"})
    assert "already accepted by Lena Lead" in client.get(again.url).text
    assert Assessment.objects.count() == 1


def test_htmx_replaces_the_row_after_accepting_or_dismissing(client_for, lead, suggestion, postgres, repository, team):
    _, skills = postgres
    client = client_for(lead)
    url = reverse("repos:suggestion-accept", args=[suggestion.pk])
    row = client.post(url, {"skill": skills[0].pk, "level": "3"}, **HTMX).text
    assert row.lstrip().startswith(f'<tr id="suggestion-{suggestion.pk}"') and "<html" not in row
    assert "Accepted" in row and "assessed independent (3) in Failover" in row
    other = make_person(team, name="Zoe Zed")
    commits(repository, other.email, 5, path="modules/postgres/z.tf")
    suggestions_refresh(repository)
    second = Suggestion.objects.open().get()
    row = client.post(reverse("repos:suggestion-dismiss", args=[second.pk]), **HTMX).text
    assert "Dismissed" in row and "<form" not in row


def test_a_skill_of_another_system_is_refused_with_the_row_again(client_for, lead, suggestion, team):
    elsewhere = make_skill(make_system(team, slug="redis"), slug="flush")
    client = client_for(lead)
    url = reverse("repos:suggestion-accept", args=[suggestion.pk])
    row = client.post(url, {"skill": elsewhere.pk, "level": "2"}, **HTMX).text
    assert "Choose a skill of this system and a level." in row and "<form" in row
    response = client.post(url, {"skill": suggestion.system.skills.first().pk, "level": "9"})
    assert "Choose a skill of this system" in client.get(response.url).text
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("other_lead", 403), ("admin", 302), ("lead", 302)])
def test_who_may_dismiss(client_for, cast, suggestion, role, status):
    client = client_for(cast[role])
    url = reverse("repos:suggestion-dismiss", args=[suggestion.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == status
    suggestion.refresh_from_db()
    assert (suggestion.status == "dismissed") == (status == 302)


def test_an_unknown_suggestion_is_404(client_for, cast):
    assert client_for(cast["admin"]).post(reverse("repos:suggestion-dismiss", args=[999])).status_code == 404


# --- aliases ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [(None, 302), ("member", 403), ("lead", 403), ("other_lead", 403), ("admin", 200)]
)
def test_only_admins_manage_commit_emails(client_for, cast, role, status):
    assert client_for(cast.get(role)).get(reverse("repos:aliases")).status_code == status


def test_an_admin_adds_and_removes_an_alias_and_mistakes_are_explained(client_for, cast, member):
    client = client_for(cast["admin"])
    url = reverse("repos:aliases")
    assert client.post(url, {"email": "Max@Home.example", "person": member.pk}).status_code == 302
    alias = AuthorAlias.objects.get()
    assert (alias.email, alias.person) == ("max@home.example", member)
    assert (
        "This email is an alias already." in client.post(url, {"email": "max@home.example", "person": member.pk}).text
    )
    own = client.post(url, {"email": "lead@example.com", "person": member.pk}).text
    assert "This is Lena Lead&#x27;s own email" in own
    assert client_for(cast["lead"]).post(reverse("repos:alias-delete", args=[alias.pk])).status_code == 403
    assert client_for(cast["admin"]).post(reverse("repos:alias-delete", args=[alias.pk])).status_code == 302
    assert not AuthorAlias.objects.exists()


# --- the system report's panel and the navigation ------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "shown"),
    [(None, 302, False), ("member", 200, True), ("lead", 200, True), ("other_lead", 200, False), ("admin", 200, True)],
)
def test_the_system_panel_shows_the_file_based_truck_factor(
    client_for, cast, repository, postgres, role, status, shown
):
    system, _ = postgres
    commits(repository, cast["member"].email, 2)
    response = client_for(cast.get(role)).get(reverse("repos:system-panel", args=[system.slug]))
    assert response.status_code == status
    if status == 200:
        # Another team's lead reads the report but not the repository: the panel stays empty.
        assert ("What the repositories say" in response.text) == shown
        assert ("<html" in response.text) is False


def test_a_member_of_another_team_may_not_read_the_panel(client_for, postgres, other_team):
    response = client_for(make_person(other_team)).get(reverse("repos:system-panel", args=[postgres[0].slug]))
    assert response.status_code == 403


def test_the_panel_is_empty_for_an_unmapped_system_and_the_report_loads_it(client_for, cast, team, repository):
    system = make_system(team, slug="lonely")
    make_skill(system)
    client = client_for(cast["member"])
    assert client.get(reverse("repos:system-panel", args=[system.slug])).text == ""
    report = client.get(reverse("reports:system", args=[system.slug])).text
    assert f'hx-get="{reverse("repos:system-panel", args=[system.slug])}"' in report


@pytest.mark.parametrize("n", [1, 10])
def test_the_panel_runs_a_fixed_number_of_queries(
    client_for, cast, repository, postgres, team, django_assert_max_num_queries, n
):
    for _ in range(n):
        commits(repository, make_person(team).email, 2)
    client = client_for(cast["member"])
    # session, user, system, repositories, skill-based truck factor (4), knowledge (6)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("repos:system-panel", args=[postgres[0].slug]))
    assert "What the repositories say" in response.text


def test_the_navigation_links_the_repositories_for_people_on_a_team(client_for, cast):
    assert 'href="/repos/"' in client_for(cast["member"]).get(reverse("people:home")).text
    assert 'href="/repos/"' not in client_for(make_person(None)).get(reverse("people:home")).text


def test_old_commits_outside_the_recency_window_do_not_make_authors(client_for, cast, repository, postgres):
    record_commit(repository, cast["member"].email, ["modules/postgres/a.tf"], at=timezone.now() - timedelta(days=800))
    page = client_for(cast["member"]).get(repository.get_absolute_url()).text
    assert "Fewer than half of the files have an author to begin with." in page


def test_the_leads_inbox_counts_the_open_git_suggestions(client_for, cast, suggestion):
    home = client_for(cast["lead"]).get(reverse("people:home")).text
    assert "1</span> open git suggestion</a>" in home and f'href="{reverse("repos:suggestions")}"' in home
    assert "open git suggestion" not in client_for(cast["member"]).get(reverse("people:home")).text
    assert "open git suggestion" not in client_for(cast["other_lead"]).get(reverse("people:home")).text


def test_the_help_page_explains_git_suggestions(client_for, cast, settings):
    settings.GIT_SUGGEST_MIN_CHANGES = 7
    page = client_for(cast["member"]).get(reverse("web:help")).text
    assert "Repositories and git suggestions" in page and "7 times or more in the last 90 days" in page
