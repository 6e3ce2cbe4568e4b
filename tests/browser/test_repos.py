"""A lead reads what the infrastructure repository says (the file-based truck factor beside the
skill-based one), accepts a git suggestion in place, and sees the repository panel on the
system's report; an admin edits the repository's mappings; accessible at 1440 px, readable
on a phone."""

from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from ops_skills.repos.models import PathMapping, Repository
from ops_skills.repos.suggestions import suggestions_refresh
from ops_skills.skills.models import Assessment
from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in
from tests.factories import make_assessment, make_person, make_skill, make_system
from tests.repos.history import commits, record_commit

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def _fits(page) -> bool:
    """Nothing wider than the window: the page, and every scrolling table box."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth && "
        "[...document.querySelectorAll('.table-wrap')].every(e => e.scrollWidth <= e.clientWidth + 1)"
    )


def test_lead_reads_a_repository_and_accepts_a_git_suggestion(
    transactional_db, live_server, page, shot, tmp_path, team, lead, member, admin_user
):
    repository = Repository.objects.create(
        team=team, name="infra", slug="infra", path=str(tmp_path), web_url="https://github.com/acme/infra"
    )
    system = make_system(team, slug="postgres-main", name="postgres-main", tier=1)
    failover, restore = make_skill(system, slug="failover"), make_skill(system, slug="restore")
    network = make_system(team, slug="network", name="network")
    make_skill(network, slug="vpn")
    PathMapping.objects.create(repository=repository, pattern="modules/postgres/**", system=system)
    PathMapping.objects.create(repository=repository, pattern="modules/network/**", system=network)
    aiko = make_person(team, email="aiko@example.com", name="Aiko Tanaka")
    make_assessment(lead, failover, 3, author=lead, source="self")
    make_assessment(aiko, restore, 4, author=lead)
    commits(repository, member.email, 14)
    commits(repository, aiko.email, 3, path="modules/network/vpn.tf")
    record_commit(repository, "renovate[bot]@users.noreply.github.com", ["modules/network/versions.tf"])
    record_commit(repository, "contractor@outside.example", ["README.md", "modules/postgres/backup.tf"])
    suggestions_refresh(repository)
    EmailAddress.objects.create(user=lead, email=lead.email, verified=True, primary=True)

    log_in(page, live_server, lead.email, password="pw")
    expect(page.locator("#inbox")).to_contain_text("1 open git suggestion")
    page.get_by_role("link", name="Repositories").click()
    expect(page.get_by_role("heading", name="Repositories")).to_be_visible()
    page.get_by_role("link", name="infra", exact=True).click()
    expect(page.get_by_role("heading", name="Why the file-based truck factor is")).to_be_visible()
    expect(page.locator("table.repo-systems")).to_contain_text("postgres-main")
    expect(page.locator("table.repo-systems")).to_contain_text("Max Member")
    assert_accessible(page, "repository")
    shot(page, "repos-detail")

    page.get_by_role("link", name="1 open suggestion").click()
    row = page.locator("tr.repo-suggestion")
    expect(row).to_contain_text("14 commits")
    assert_accessible(page, "git suggestions")
    shot(page, "repos-suggestions")

    # On a phone the tables become cards: neither the page nor a table scrolls sideways.
    page.set_viewport_size(PHONE)
    assert _fits(page), "the suggestions are wider than a phone"
    shot(page, "repos-suggestions-phone")
    page.goto(f"{live_server.url}/repos/{repository.slug}/")
    assert _fits(page), "the repository page is wider than a phone"
    shot(page, "repos-detail-phone")
    page.go_back()
    page.set_viewport_size(DESKTOP)
    row = page.locator("tr.repo-suggestion")
    row.get_by_label("Skill").select_option(label="Restore")
    row.get_by_role("button", name="Accept").click()
    expect(page.locator("tr.repo-suggestion")).to_contain_text("assessed assisted (2) in Restore")
    assert Assessment.objects.filter(person=member, skill=restore, level=2, source="lead").exists()
    shot(page, "repos-suggestion-accepted")

    page.goto(f"{live_server.url}/reports/systems/{system.slug}/")
    panel = page.locator(".repo-panel")
    expect(panel).to_contain_text("What the repositories say")
    assert_accessible(page, "system report with the repository panel")
    shot(page, "repos-system-panel")

    # An admin edits the repository: its form and its path mappings.
    page.context.clear_cookies()
    EmailAddress.objects.create(user=admin_user, email=admin_user.email, verified=True, primary=True)
    admin_user.set_password("pw")
    admin_user.save()
    log_in(page, live_server, admin_user.email, password="pw")
    page.goto(f"{live_server.url}/repos/{repository.slug}/")
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Pattern 1")).to_have_value("modules/network/**")
    page.get_by_label("Pattern 3").fill("/absolute/**")
    page.get_by_label("System 3").select_option(label="network")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("leave out the leading")).to_be_visible()
    assert_accessible(page, "repository form with an error")
    shot(page, "repos-form")
