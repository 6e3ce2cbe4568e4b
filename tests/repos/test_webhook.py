"""The GitHub pull-request webhook: signatures, the events it ignores, and a merged pull request
logged as a pending pairing session, read from a fake GitHub API on loopback."""

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from werkzeug import Response

from ops_skills.evidence.models import PairingSession
from ops_skills.levels.models import CurrentLevel
from ops_skills.people.models import Notice
from ops_skills.repos.models import AuthorAlias, GitHubAccount, PathMapping, WebhookDelivery
from ops_skills.repos.webhook import signature_valid
from tests.factories import make_person, make_skill, make_system

SECRET = "It's a Secret to Everybody"
URL = "/github/webhook/"
PULL = "/repos/acme/infra/pulls/7"
GUID = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
MERGED_AT = datetime(2026, 11, 30, 15, 4, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def github_settings(settings, httpserver):
    settings.GITHUB_WEBHOOK_SECRET = SECRET
    settings.GITHUB_API_URL = httpserver.url_for("/")
    settings.GITHUB_TOKEN = "t0ken"
    settings.GITHUB_TIMEOUT_SECONDS = 5


@pytest.fixture
def infra(repository, team, member, new_hire, lead):
    """The repository as GitHub's acme/infra; postgres files mapped to the restore skill, docs to
    the system only; Max (member) is @max-member, Nia (new hire) @nia and Lena (lead) @lena."""
    repository.github_full_name = "Acme/Infra"
    repository.save()
    system = make_system(team, slug="postgres-main")
    restore = make_skill(system, slug="restore")
    failover = make_skill(system, slug="failover")
    PathMapping.objects.create(repository=repository, pattern="modules/postgres/**", system=system, skill=restore)
    PathMapping.objects.create(repository=repository, pattern="modules/patroni/**", system=system, skill=failover)
    PathMapping.objects.create(repository=repository, pattern="docs/**", system=system)
    for login, person in [("Max-Member", member), ("nia", new_hire), ("lena", lead)]:
        GitHubAccount.objects.create(login=login, person=person)
    return {"repository": repository, "restore": restore, "failover": failover}


def pull_event(*, action="closed", merged=True, login="Max-Member", full_name="acme/infra", title=None):
    return {
        "action": action,
        "number": 7,
        "pull_request": {
            "number": 7,
            "title": title or "Postgres: restore from [snapshot] *faster*",
            "html_url": "https://github.com/acme/infra/pull/7",
            "merged": merged,
            "merged_at": "2026-11-30T15:04:05Z" if merged else None,
            "user": {"login": login},
        },
        "repository": {"full_name": full_name},
    }


def sign(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def deliver(client, payload=None, *, event="pull_request", guid=GUID, body=None, signature=None):
    body = body if body is not None else json.dumps(payload if payload is not None else pull_event()).encode()
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": guid}
    headers["X-Hub-Signature-256"] = signature if signature is not None else sign(body)
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def serve(httpserver, *, files=("modules/postgres/restore.sh",), reviews=None, commits=None):
    """The fake GitHub's answers about pull request 7."""
    reviews = reviews if reviews is not None else [("nia", "APPROVED"), ("lena", "COMMENTED")]
    httpserver.expect_request(PULL + "/files").respond_with_json([{"filename": f} for f in files])
    httpserver.expect_request(PULL + "/reviews").respond_with_json(
        [{"user": {"login": login}, "state": state} for login, state in reviews]
    )
    httpserver.expect_request(PULL + "/commits").respond_with_json(
        [{"author": None, "commit": {"author": {"email": email}}} for email in commits or []]
    )


def nothing_written():
    return not PairingSession.objects.exists() and not WebhookDelivery.objects.exists() and not Notice.objects.exists()


# Signatures ---------------------------------------------------------------------------------


def test_githubs_documented_signature_example():
    """docs.github.com, "Validating webhook deliveries", "Testing the webhook payload validation"."""
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert signature_valid(secret="It's a Secret to Everybody", body=b"Hello, World!", header=expected)
    assert not signature_valid(secret="It's a Secret to Everybody", body=b"Hello, World?", header=expected)
    assert not signature_valid(secret="It's a Secret to everybody", body=b"Hello, World!", header=expected)
    assert not signature_valid(secret="It's a Secret to Everybody", body=b"Hello, World!", header=expected[:-1] + "f")
    assert not signature_valid(secret="It's a Secret to Everybody", body=b"Hello, World!", header=expected[7:])
    assert not signature_valid(secret="It's a Secret to Everybody", body=b"Hello, World!", header="sha256=é")
    assert not signature_valid(secret="", body=b"Hello, World!", header=expected)


def test_a_tampered_body_is_refused_and_nothing_is_written(client, infra, httpserver):
    serve(httpserver)
    body = json.dumps(pull_event()).encode()
    tampered = body.replace(b"Max-Member", b"lena")
    response = deliver(client, body=tampered, signature=sign(body))
    assert response.status_code == 401
    assert response.json() == {"error": "The X-Hub-Signature-256 signature is missing or wrong."}
    assert nothing_written()
    assert httpserver.log == []


def test_a_tampered_signature_is_refused_and_nothing_is_written(client, infra, httpserver):
    serve(httpserver)
    body = json.dumps(pull_event()).encode()
    good = sign(body)
    response = deliver(client, body=body, signature=good[:-2] + ("00" if good[-2:] != "00" else "11"))
    assert response.status_code == 401
    assert nothing_written()
    assert httpserver.log == []


@pytest.mark.parametrize("role", ["anonymous", "member", "lead", "other_lead", "admin"])
def test_a_missing_signature_is_refused_whoever_is_logged_in(client_for, cast, infra, role):
    client = client_for(cast.get(role))
    body = json.dumps(pull_event()).encode()
    response = client.post(URL, data=body, content_type="application/json", headers={"X-GitHub-Event": "ping"})
    assert response.status_code == 401
    assert nothing_written()


def test_only_post_is_answered(client):
    assert client.get(URL).status_code == 405


def test_without_a_secret_the_webhook_says_it_is_not_configured(client, infra, settings):
    settings.GITHUB_WEBHOOK_SECRET = ""
    response = deliver(client)
    assert response.status_code == 404
    assert "GITHUB_WEBHOOK_SECRET" in response.json()["error"]
    assert nothing_written()


# Events that log nothing ----------------------------------------------------------------------


def test_ping_answers_pong(client):
    response = deliver(client, {"zen": "Keep it logically awesome.", "hook_id": 1}, event="ping")
    assert response.status_code == 200
    assert response.json() == {"message": "pong"}


def test_other_events_are_ignored(client, infra, httpserver):
    response = deliver(client, {"ref": "refs/heads/main"}, event="push")
    assert response.status_code == 202
    assert response.json()["message"] == "Ignored: only pull_request events are handled, not push."
    assert nothing_written()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{not json", "Not a pull-request event: Expecting property name"),
        (b"[1, 2]", "Not a pull-request event: The body is not a JSON object."),
        (b'{"action": "closed"}', "Not a pull-request event: The body has no pull_request."),
        (
            json.dumps({**pull_event(), "repository": {}}).encode(),
            "Not a pull-request event: The body has no repository.full_name (owner/name).",
        ),
        (
            json.dumps(
                {**pull_event(), "pull_request": {**pull_event()["pull_request"], "merged_at": "soon"}}
            ).encode(),
            "Not a pull-request event: The body has no pull_request.merged_at.",
        ),
    ],
)
def test_a_body_that_is_not_a_pull_request_event_is_a_bad_request(client, infra, body, error):
    response = deliver(client, body=body)
    assert response.status_code == 400
    assert response.json()["error"].startswith(error)
    assert nothing_written()


@pytest.mark.parametrize(("action", "merged"), [("closed", False), ("opened", False), ("synchronize", False)])
def test_a_pull_request_that_was_not_merged_is_ignored(client, infra, httpserver, action, merged):
    response = deliver(client, pull_event(action=action, merged=merged))
    assert response.status_code == 202
    assert response.json()["message"] == "Ignored: the pull request was not merged."
    assert nothing_written()
    assert httpserver.log == []


def test_a_repository_nobody_registered_is_ignored(client, infra, httpserver):
    response = deliver(client, pull_event(full_name="acme/website"))
    assert response.status_code == 202
    assert response.json()["message"] == "Ignored: acme/website is not a registered repository here."
    assert nothing_written()
    assert httpserver.log == []


def test_a_delivery_without_its_id_is_a_bad_request(client, infra):
    response = deliver(client, guid="")
    assert response.status_code == 400
    assert nothing_written()


# A merged pull request ------------------------------------------------------------------------


def test_a_merged_pull_request_logs_a_pending_session_a_reviewer_confirms(
    client, client_for, infra, httpserver, member, new_hire, lead, settings
):
    settings.GITHUB_REVIEW_MINUTES = 45
    serve(httpserver, files=["modules/postgres/restore.sh", "docs/restore.md", "README.md"])
    response = deliver(client)
    assert response.status_code == 201
    session = PairingSession.objects.get()
    assert response.json() == {
        "message": "Logged a pending pairing session for acme/infra#7: Max Member with Lena Lead, Nia Newhire.",
        "session": "http://testserver" + session.get_absolute_url(),
    }
    assert session.status == PairingSession.Status.PENDING
    assert session.mentor == member
    assert set(session.learners.all()) == {new_hire, lead}
    assert list(session.skills.all()) == [infra["restore"]]
    assert session.duration_minutes == 45
    assert session.occurred_at == MERGED_AT
    assert session.logged_by == member
    assert session.notes == (
        "Merged on GitHub after review: [acme/infra#7 Postgres: restore from \\[snapshot\\] \\*faster\\*]"
        "(https://github.com/acme/infra/pull/7)"
    )
    delivery = WebhookDelivery.objects.get()
    assert (delivery.guid, delivery.repository, delivery.event) == (GUID, infra["repository"], "pull_request")
    assert delivery.result == response.json()["message"]
    # The reviewers are asked to confirm it, as for a session logged on the web; the author is not.
    assert set(Notice.objects.values_list("person__email", flat=True)) == {new_hire.email, lead.email}
    assert all(request.headers["Authorization"] == "Bearer t0ken" for request, _ in httpserver.log)
    # The author's commits were not needed: their login is mapped.
    assert [request.path for request, _ in httpserver.log] == [PULL + "/files", PULL + "/reviews"]

    confirm = reverse("evidence:confirm", args=["pairing", session.pk])
    assert client_for(member).post(confirm).status_code == 403  # whoever logged it never confirms it
    client_for(new_hire).post(confirm)
    session.refresh_from_db()
    assert session.status == PairingSession.Status.CONFIRMED
    assert session.decided_by == new_hire
    assert CurrentLevel.objects.get(person=new_hire, skill=infra["restore"]).level == 2


def test_a_redelivery_logs_nothing_twice_and_does_not_ask_github_again(client, infra, httpserver):
    serve(httpserver)
    assert deliver(client).status_code == 201
    asked = len(httpserver.log)
    response = deliver(client)
    assert response.status_code == 200
    assert response.json()["message"].startswith(f"Delivery {GUID} was handled already: Logged a pending")
    assert PairingSession.objects.count() == 1
    assert WebhookDelivery.objects.count() == 1
    assert len(httpserver.log) == asked
    # Another delivery of the same merge (a new id) would log it again: the id is what counts.
    assert deliver(client, guid="another-delivery").status_code == 201
    assert PairingSession.objects.count() == 2


def test_a_renamed_file_counts_by_its_old_path_too(client, infra, httpserver):
    httpserver.expect_request(PULL + "/files").respond_with_json(
        [{"filename": "modules/db/failover.sh", "previous_filename": "modules/patroni/failover.sh"}]
    )
    httpserver.expect_request(PULL + "/reviews").respond_with_json([{"user": {"login": "nia"}, "state": "APPROVED"}])
    assert deliver(client).status_code == 201
    assert list(PairingSession.objects.get().skills.all()) == [infra["failover"]]


def test_an_author_nobody_maps_is_said_and_recorded(client, infra, httpserver):
    serve(httpserver, commits=["stranger@example.com"])
    response = deliver(client, pull_event(login="stranger"))
    assert response.status_code == 202
    message = "Nothing logged for acme/infra#7: its author @stranger is not anyone here (GitHub accounts)."
    assert response.json() == {"message": message}
    assert WebhookDelivery.objects.get().result == message
    assert not PairingSession.objects.exists()
    assert PULL + "/commits" in [request.path for request, _ in httpserver.log]


def test_an_unmapped_author_is_found_by_the_email_of_their_commits(client, infra, httpserver, team):
    aiko = make_person(team, email="aiko@example.com", name="Aiko")
    AuthorAlias.objects.create(email="Aiko@Laptop.local", person=aiko)
    serve(httpserver, commits=["aiko@laptop.local"])
    assert deliver(client, pull_event(login="aiko-gh")).status_code == 201
    assert PairingSession.objects.get().mentor == aiko


def test_the_commits_are_read_only_when_the_author_makes_a_difference(client, infra, httpserver):
    serve(httpserver, files=["docs/restore.md"], commits=["stranger@example.com"])
    response = deliver(client, pull_event(login="stranger"))
    assert response.json()["message"].endswith("none of its 1 changed files is mapped to a skill.")
    assert PULL + "/commits" not in [request.path for request, _ in httpserver.log]


def test_an_author_found_by_email_is_no_reviewer_of_their_own_change(client, infra, httpserver, new_hire):
    serve(httpserver, reviews=[("nia", "APPROVED")], commits=[new_hire.email])
    response = deliver(client, pull_event(login="nia-laptop"))
    assert response.status_code == 202
    assert "no reviewer who approved or commented" in response.json()["message"]
    assert not PairingSession.objects.exists()


def test_commit_emails_of_several_people_name_no_author(client, infra, httpserver, member, new_hire):
    serve(httpserver, commits=[member.email, new_hire.email])
    response = deliver(client, pull_event(login="shared-bot-account"))
    assert response.status_code == 202
    assert "is not anyone here" in response.json()["message"]


def test_reviewers_who_are_nobody_here_log_nothing(client, infra, httpserver):
    serve(httpserver, reviews=[("outsider", "APPROVED"), ("nia", "CHANGES_REQUESTED"), ("max-member", "APPROVED")])
    response = deliver(client)
    assert response.status_code == 202
    assert response.json()["message"] == (
        "Nothing logged for acme/infra#7: no reviewer who approved or commented is anyone here who has not left."
    )
    assert WebhookDelivery.objects.get().result == response.json()["message"]
    assert not PairingSession.objects.exists()


def test_reviewers_and_authors_who_left_take_no_part(client, infra, httpserver, member, new_hire, lead):
    serve(httpserver)
    lead.departed_on = timezone.localdate() - timedelta(days=1)
    lead.save()
    assert deliver(client).status_code == 201
    assert list(PairingSession.objects.get().learners.all()) == [new_hire]
    member.departed_on = timezone.localdate()
    member.save()
    response = deliver(client, guid="second")
    assert response.status_code == 202
    assert response.json()["message"] == "Nothing logged for acme/infra#7: its author Max Member has left."


def test_changed_files_mapped_to_no_skill_log_nothing(client, infra, httpserver):
    serve(httpserver, files=["docs/restore.md", "modules/postgresql/main.tf"])
    response = deliver(client)
    assert response.status_code == 202
    assert response.json()["message"] == (
        "Nothing logged for acme/infra#7: none of its 2 changed files is mapped to a skill."
    )
    assert not PairingSession.objects.exists()


@pytest.mark.parametrize("what", ["files", "reviews"])
def test_github_failing_answers_502_writes_nothing_and_a_redelivery_works(client, infra, httpserver, what):
    httpserver.expect_oneshot_request(f"{PULL}/{what}").respond_with_data("down", status=500)
    serve(httpserver)
    response = deliver(client)
    assert response.status_code == 502
    assert response.json() == {"error": f"GitHub answered 500 INTERNAL SERVER ERROR for {PULL}/{what}."}
    assert nothing_written()
    assert deliver(client).status_code == 201  # GitHub redelivers the same delivery
    assert PairingSession.objects.count() == 1


def test_a_github_that_does_not_answer_in_time_is_a_502(client, infra, httpserver, settings):
    settings.GITHUB_TIMEOUT_SECONDS = 0.5

    def slow(request):
        time.sleep(1)
        return Response("[]", content_type="application/json")

    httpserver.expect_request(PULL + "/files").respond_with_handler(slow)
    response = deliver(client)
    assert response.status_code == 502
    assert response.json() == {"error": "GitHub did not answer within 0.5 seconds."}
    assert nothing_written()


@pytest.mark.parametrize("size", [1, 40])
def test_a_fixed_number_of_queries_whatever_the_pull_request(
    client, infra, httpserver, django_assert_max_num_queries, team, size
):
    system = infra["restore"].system
    for n in range(size):
        skill = make_skill(system, slug=f"skill-{n}")
        PathMapping.objects.create(
            repository=infra["repository"], pattern=f"modules/m{n}/**", system=system, skill=skill
        )
    reviewers = [("nia", "APPROVED"), ("lena", "APPROVED")]
    for n in range(size):
        person = make_person(team)
        GitHubAccount.objects.create(login=f"reviewer-{n}", person=person)
        reviewers.append((f"reviewer-{n}", "APPROVED"))
    serve(httpserver, files=[f"modules/m{n}/main.tf" for n in range(size)], reviews=reviewers)
    # Read: repository, delivery done before?, GitHub accounts, path mappings. Write, in savepoints:
    # delivery, session, its audit entry (and content type, once), learners and skills (a read
    # and an insert each), notices, the delivery's result.
    with django_assert_max_num_queries(20):
        assert deliver(client).status_code == 201
    assert PairingSession.objects.get().skills.count() == size
