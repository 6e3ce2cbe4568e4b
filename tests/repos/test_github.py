"""The GitHub API client of the pull-request webhook, against a fake GitHub on loopback."""

import time

import pytest
from werkzeug import Response

from ops_skills.repos.github import GitHub, GitHubError, Review, reviewers

PULL = "/repos/acme/infra/pulls/7"


def client(httpserver, token="", timeout=5):
    return GitHub(api_url=httpserver.url_for("/"), token=token, timeout=timeout)


def test_the_latest_submitted_review_decides_who_reviewed():
    reviews = [
        Review("bea", "CHANGES_REQUESTED"),
        Review("bea", "APPROVED"),  # approved after asking for changes: a reviewer
        Review("cem", "APPROVED"),
        Review("cem", "DISMISSED"),  # the approval was dismissed: not a reviewer
        Review("dan", "COMMENTED"),
        Review("dan", "PENDING"),  # a draft review, never submitted, changes nothing
        Review("eve", "APPROVED"),
        Review("eve", "CHANGES_REQUESTED"),
        Review("aiko", "APPROVED"),  # the author, on their own pull request
        Review("fay", "PENDING"),
    ]
    assert reviewers(reviews, author="aiko") == ["bea", "dan"]
    assert reviewers([], author="aiko") == []


def test_files_are_read_page_by_page_with_the_old_path_of_a_rename(httpserver):
    first = [{"filename": f"modules/app/{n}.tf", "status": "modified"} for n in range(100)]
    second = [{"filename": "modules/db/main.tf", "previous_filename": "modules/pg/main.tf", "status": "renamed"}]
    next_page = {"Link": f'<{httpserver.url_for(PULL + "/files")}?per_page=100&page=2>; rel="next"'}
    httpserver.expect_ordered_request(PULL + "/files", query_string={"per_page": "100", "page": "1"}).respond_with_json(
        first, headers=next_page
    )
    httpserver.expect_ordered_request(PULL + "/files", query_string={"per_page": "100", "page": "2"}).respond_with_json(
        second
    )
    paths = client(httpserver).pull_files("acme/infra", 7)
    assert paths == [f"modules/app/{n}.tf" for n in range(100)] + ["modules/db/main.tf", "modules/pg/main.tf"]
    httpserver.check_assertions()


def test_a_full_page_without_a_next_link_is_the_last(httpserver):
    httpserver.expect_oneshot_request(PULL + "/files").respond_with_json([{"filename": f"{n}.tf"} for n in range(100)])
    assert len(client(httpserver).pull_files("acme/infra", 7)) == 100
    httpserver.check_assertions()


def test_the_token_is_sent_as_a_bearer_token_when_set(httpserver):
    httpserver.expect_oneshot_request(
        PULL + "/reviews", headers={"Authorization": "Bearer s3cret", "Accept": "application/vnd.github+json"}
    ).respond_with_json([{"user": {"login": "Bea"}, "state": "APPROVED"}, {"user": None, "state": "APPROVED"}])
    assert client(httpserver, token="s3cret").pull_reviews("acme/infra", 7) == [Review("bea", "APPROVED")]
    httpserver.check_assertions()


def test_no_authorization_header_without_a_token(httpserver):
    seen = []

    def handler(request):
        seen.append(request.headers.get("Authorization"))
        return Response("[]", content_type="application/json")

    httpserver.expect_request(PULL + "/reviews").respond_with_handler(handler)
    assert client(httpserver).pull_reviews("acme/infra", 7) == []
    assert seen == [None]


def test_commit_emails_of_the_author_or_of_no_account(httpserver):
    httpserver.expect_request(PULL + "/commits").respond_with_json(
        [
            {"author": {"login": "Aiko"}, "commit": {"author": {"email": "Aiko@Example.com"}}},
            {"author": None, "commit": {"author": {"email": "aiko@laptop.local"}}},
            {"author": {"login": "bea"}, "commit": {"author": {"email": "bea@example.com"}}},
            {"author": {"login": "aiko"}, "commit": {"author": {"email": "aiko@example.com"}}},
        ]
    )
    assert client(httpserver).pull_commit_emails("acme/infra", 7, login="aiko") == [
        "aiko@example.com",
        "aiko@laptop.local",
    ]


def test_an_error_answer_says_what_github_answered(httpserver):
    httpserver.expect_request(PULL + "/files").respond_with_data("boom", status=500)
    with pytest.raises(GitHubError, match=r"^GitHub answered 500 INTERNAL SERVER ERROR for /repos/acme/infra/"):
        client(httpserver).pull_files("acme/infra", 7)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<html>rate limited</html>", "is not JSON"),
        ('{"message": "Not Found"}', "is not a list"),
        ('[{"status": "added"}]', "GitHub's answer has no filename."),
    ],
)
def test_an_answer_that_is_not_a_list_of_files_is_refused(httpserver, body, message):
    httpserver.expect_request(PULL + "/files").respond_with_data(body, content_type="application/json")
    with pytest.raises(GitHubError, match=message):
        client(httpserver).pull_files("acme/infra", 7)


def test_a_slow_github_is_cut_off_at_the_deadline(httpserver):
    def slow(request):
        time.sleep(1)
        return Response("[]", content_type="application/json")

    httpserver.expect_request(PULL + "/files").respond_with_handler(slow)
    started = time.monotonic()
    with pytest.raises(GitHubError, match=r"^GitHub did not answer within 0.5 seconds\.$"):
        client(httpserver, timeout=0.5).pull_files("acme/infra", 7)
    assert time.monotonic() - started < 0.9


def test_the_deadline_runs_from_the_clients_creation_for_all_its_calls(httpserver):
    httpserver.expect_request(PULL + "/files").respond_with_json([])
    github = client(httpserver, timeout=0.2)
    time.sleep(0.25)
    with pytest.raises(GitHubError, match="did not answer within 0.2 seconds"):
        github.pull_files("acme/infra", 7)
    assert httpserver.log == []  # not even asked


def test_an_unreachable_github(httpserver):
    github = GitHub(api_url="http://127.0.0.1:9", timeout=5)
    with pytest.raises(GitHubError, match="^Could not reach GitHub: "):
        github.pull_files("acme/infra", 7)


def test_only_an_http_api_address_is_used():
    with pytest.raises(GitHubError, match="GITHUB_API_URL must start with http:// or https://."):
        GitHub(api_url="file:///etc/passwd")
