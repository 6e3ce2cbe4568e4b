"""A small client of GitHub's REST API: what the pull-request webhook reads about a merged pull
request (its changed files, its reviews, its commits' emails).

All the calls of one ``GitHub`` share one deadline, so a delivery is answered in bounded time
however many pages there are. Whatever goes wrong becomes a ``GitHubError`` whose message says what
happened in words; nothing here touches the database.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

PER_PAGE = 100
MAX_PAGES = 30  # GitHub lists at most 3,000 files of a pull request: 30 pages of 100
MAX_PAGE_BYTES = 5 * 1024 * 1024
CHUNK = 64 * 1024
# Reviews that state a view on the change; a DISMISSED or CHANGES_REQUESTED latest review does not
# make someone a reviewer of what was merged, and a PENDING one was never submitted.
COUNTED_STATES = {"APPROVED", "COMMENTED"}


class GitHubError(Exception):
    """GitHub could not be read; the message says why."""


@dataclass(frozen=True, slots=True)
class Review:
    login: str  # lower case
    state: str  # APPROVED, COMMENTED, CHANGES_REQUESTED, DISMISSED or PENDING


def reviewers(reviews: list[Review], *, author: str) -> list[str]:
    """The logins whose latest submitted review is APPROVED or COMMENTED, the author left out,
    sorted. ``reviews`` are in GitHub's order, oldest first."""
    latest: dict[str, str] = {}
    for review in reviews:
        if review.state != "PENDING" and review.login != author:
            latest[review.login] = review.state
    return sorted(login for login, state in latest.items() if state in COUNTED_STATES)


class GitHub:
    """The API at ``api_url`` (``https://api.github.com``), with ``token`` as a Bearer token when
    given, every call of this object ending within ``timeout`` seconds of its creation."""

    def __init__(self, *, api_url: str, token: str = "", timeout: float = 10):
        if urlsplit(api_url).scheme not in {"http", "https"}:
            raise GitHubError("GITHUB_API_URL must start with http:// or https://.")
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout

    def pull_files(self, full_name: str, number: int) -> list[str]:
        """The paths a pull request changed: each file's path, and its old path when renamed."""
        paths = []
        for item in self._pages(full_name, number, "files"):
            paths.append(_text(item, "filename"))
            if item.get("previous_filename"):
                paths.append(_text(item, "previous_filename"))
        return paths

    def pull_reviews(self, full_name: str, number: int) -> list[Review]:
        """The reviews of a pull request, oldest first. A review by a deleted account (no user)
        is left out: it names nobody."""
        return [
            Review(login=_text(item["user"], "login").lower(), state=_text(item, "state").upper())
            for item in self._pages(full_name, number, "reviews")
            if isinstance(item.get("user"), dict)
        ]

    def pull_commit_emails(self, full_name: str, number: int, *, login: str) -> list[str]:
        """The author emails (lower case, sorted, once each) of the pull request's commits that
        GitHub attributes to ``login``, or that it attributes to no account at all."""
        emails = set()
        for item in self._pages(full_name, number, "commits"):
            account = ((item.get("author") or {}).get("login") or "").lower()
            email = (((item.get("commit") or {}).get("author") or {}).get("email") or "").strip().lower()
            if email and account in {login, ""}:
                emails.add(email)
        return sorted(emails)

    def _pages(self, full_name: str, number: int, what: str):
        """The items of ``GET /repos/{full_name}/pulls/{number}/{what}``, page after page."""
        owner, _, name = full_name.partition("/")
        base = f"{self.api_url}/repos/{quote(owner, safe='')}/{quote(name, safe='')}/pulls/{int(number)}/{what}"
        for page in range(1, MAX_PAGES + 1):
            items, more = self._get(f"{base}?{urlencode({'per_page': PER_PAGE, 'page': page})}")
            yield from items
            if not more or len(items) < PER_PAGE:
                return

    def _get(self, url: str) -> tuple[list[dict], bool]:
        """One page: its items, and whether GitHub's ``Link`` header names a next page."""
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "ops-skills webhook",
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise GitHubError(f"GitHub did not answer within {self.timeout:g} seconds.")
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 (the scheme is checked in __init__)
        try:
            with urllib.request.urlopen(request, timeout=remaining) as response:  # noqa: S310
                body = bytearray()
                while chunk := response.read(CHUNK):
                    body += chunk
                    if len(body) > MAX_PAGE_BYTES:
                        raise GitHubError("GitHub's answer is larger than expected.")
                    if time.monotonic() > self.deadline:
                        raise GitHubError(f"GitHub did not answer within {self.timeout:g} seconds.")
                more = 'rel="next"' in response.headers.get("Link", "")
        except urllib.error.HTTPError as e:
            raise GitHubError(f"GitHub answered {e.code} {e.reason} for {urlsplit(url).path}.") from None
        except urllib.error.URLError as e:
            if isinstance(e.reason, TimeoutError | socket.timeout):
                raise GitHubError(f"GitHub did not answer within {self.timeout:g} seconds.") from None
            raise GitHubError(f"Could not reach GitHub: {e.reason}.") from None
        except TimeoutError:
            raise GitHubError(f"GitHub did not answer within {self.timeout:g} seconds.") from None
        except OSError as e:
            raise GitHubError(f"Could not read GitHub's answer: {e}.") from None
        try:
            items = json.loads(body)
        except ValueError:
            raise GitHubError(f"GitHub's answer for {urlsplit(url).path} is not JSON.") from None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise GitHubError(f"GitHub's answer for {urlsplit(url).path} is not a list.")
        return items, more


def _text(item: dict, key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise GitHubError(f"GitHub's answer has no {key}.")
    return value
