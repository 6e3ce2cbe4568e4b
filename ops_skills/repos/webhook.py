"""GitHub's pull-request webhook: a merged infrastructure change becomes pending evidence.

When a pull request of a registered repository is merged, its author worked on the skills its
changed files are mapped to, and its reviewers followed along. That is logged as a pairing session
like any other (``evidence.services.pairing_session_log``): the author as mentor, the reviewers as
learners, pending until a reviewer (or a lead) confirms it. Git never sets a level by itself.

A delivery is checked (``signature_valid``) before anything else is read. What GitHub's API says
about the pull request is read before the transaction that writes, so a slow or failing GitHub
leaves nothing behind and the delivery is not recorded: GitHub redelivers it, and the redelivery
is handled as if it were the first. A recorded delivery (``WebhookDelivery``) is never handled
twice.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from ops_skills.evidence.models import PairingSession
from ops_skills.evidence.services import pairing_session_log
from ops_skills.people.models import Person
from ops_skills.people.services import single_line
from ops_skills.repos.github import GitHub, reviewers
from ops_skills.repos.models import GitHubAccount, PathMapping, Repository, WebhookDelivery
from ops_skills.repos.patterns import compile_pattern
from ops_skills.skills.models import Skill

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~])")
MAX_TITLE = 200


class PayloadError(ValueError):
    """The delivery's JSON lacks what a pull-request event carries; the message says what."""


@dataclass(frozen=True)
class MergedPullRequest:
    repository: str  # owner/name, as GitHub spells it
    number: int
    title: str
    url: str  # its page on GitHub
    author: str  # GitHub login, lower case
    merged_at: datetime


@dataclass(frozen=True)
class Outcome:
    """What handling a merged pull request did: logged ``session``, or said in ``message`` why
    nothing was logged; ``repeated`` when the delivery had been handled before."""

    message: str
    session: PairingSession | None = None
    repeated: bool = False


def signature_valid(*, secret: str, body: bytes, header: str) -> bool:
    """``header`` (``X-Hub-Signature-256``) is ``sha256=`` and the HMAC-SHA256 of the raw
    ``body`` with ``secret``, compared in constant time."""
    if not secret or not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.encode())


def merged_pull_request(payload) -> MergedPullRequest | None:
    """The pull request a ``pull_request`` event merged, or None when the event is anything
    else (opened, edited, closed without merging…). ``PayloadError`` when it is malformed."""
    if not isinstance(payload, dict):
        raise PayloadError("The body is not a JSON object.")
    pull = payload.get("pull_request")
    if not isinstance(pull, dict):
        raise PayloadError("The body has no pull_request.")
    if payload.get("action") != "closed" or pull.get("merged") is not True:
        return None
    repository = payload.get("repository")
    full_name = repository.get("full_name") if isinstance(repository, dict) else None
    number, url, title = pull.get("number"), pull.get("html_url"), pull.get("title")
    login = (pull.get("user") or {}).get("login") if isinstance(pull.get("user"), dict) else None
    if not isinstance(full_name, str) or full_name.count("/") != 1:
        raise PayloadError("The body has no repository.full_name (owner/name).")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise PayloadError("The body has no pull_request.number.")
    if not isinstance(login, str) or not login:
        raise PayloadError("The body has no pull_request.user.login.")
    if not isinstance(url, str) or not url.startswith("https://"):
        raise PayloadError("The body has no pull_request.html_url (https://…).")
    try:
        merged_at = datetime.fromisoformat(str(pull.get("merged_at")).replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError("The body has no pull_request.merged_at.") from None
    if merged_at.tzinfo is None:
        raise PayloadError("pull_request.merged_at has no time zone.")
    return MergedPullRequest(
        repository=full_name,
        number=number,
        title=title if isinstance(title, str) else "",
        url=url,
        author=login.lower(),
        merged_at=merged_at,
    )


def repository_for(full_name: str) -> Repository | None:
    """The registered repository whose GitHub name is ``full_name`` (case does not matter; the
    first by name when several clones name the same one)."""
    return Repository.objects.filter(github_full_name__iexact=full_name.strip()).order_by("name", "pk").first()


def github_client() -> GitHub:
    """The API client as configured, its deadline starting now."""
    return GitHub(api_url=settings.GITHUB_API_URL, token=settings.GITHUB_TOKEN, timeout=settings.GITHUB_TIMEOUT_SECONDS)


def pull_request_merged(*, repository: Repository, guid: str, event: str, pull: MergedPullRequest, github: GitHub):
    """Handle delivery ``guid`` of a merged ``pull``: read its files, reviews and (when its
    author's login is nobody's and it matters) commits from ``github`` (``GitHubError`` when it
    cannot, with nothing written), then in one transaction record the delivery with what was done,
    and log a pending pairing session when a changed file is mapped to a skill and the author and
    at least one reviewer are people here who have not left. Returns the ``Outcome``."""
    if done := WebhookDelivery.objects.filter(guid=guid).first():
        return Outcome(message=f"Delivery {guid} was handled already: {done.result}", repeated=True)
    files = github.pull_files(pull.repository, pull.number)
    review_logins = reviewers(github.pull_reviews(pull.repository, pull.number), author=pull.author)
    accounts = {
        account.login: account.person
        for account in GitHubAccount.objects.filter(login__in=[pull.author, *review_logins]).select_related("person")
    }
    learners = _distinct(
        accounts[login] for login in review_logins if login in accounts and not accounts[login].is_departed
    )
    skills = _skills_for(repository, files)
    author = accounts.get(pull.author)
    if author is None and learners and skills:  # only then can the author make a difference
        author = _person_by_emails(github.pull_commit_emails(pull.repository, pull.number, login=pull.author))

    with transaction.atomic():
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(guid=guid, repository=repository, event=event)
        except IntegrityError:  # the same delivery, handled at the same moment by another worker
            return Outcome(message=f"Delivery {guid} was handled already.", repeated=True)
        outcome = _log(pull, author=author, learners=learners, skills=skills, files=len(files))
        delivery.result = single_line(outcome.message, WebhookDelivery._meta.get_field("result").max_length)
        delivery.save(update_fields=["result"])
    return outcome


def _log(pull: MergedPullRequest, *, author, learners: list, skills: list[Skill], files: int) -> Outcome:
    name = f"{pull.repository}#{pull.number}"
    if not skills:
        return Outcome(f"Nothing logged for {name}: none of its {files} changed files is mapped to a skill.")
    learners = [p for p in learners if author is None or p.pk != author.pk]
    if not learners:
        return Outcome(
            f"Nothing logged for {name}: no reviewer who approved or commented is anyone here who has not left."
        )
    if author is None:
        return Outcome(f"Nothing logged for {name}: its author @{pull.author} is not anyone here (GitHub accounts).")
    if author.is_departed:
        return Outcome(f"Nothing logged for {name}: its author {author} has left.")
    title = MARKDOWN_SPECIAL.sub(r"\\\1", single_line(pull.title, MAX_TITLE)) or "(no title)"
    # The author logs it: they took part (so the author rule holds), and whoever logs evidence
    # never confirms it, so it is the reviewers (or a lead) who confirm, as for a session logged
    # on the web.
    session = pairing_session_log(
        author=author,
        mentor=author,
        learners=learners,
        skills=skills,
        duration_minutes=settings.GITHUB_REVIEW_MINUTES,
        occurred_at=pull.merged_at,
        notes=f"Merged on GitHub after review: [{pull.repository}#{pull.number} {title}]({pull.url})",
    )
    return Outcome(
        f"Logged a pending pairing session for {name}: {author} with {', '.join(map(str, learners))}.", session
    )


def _person_by_emails(emails: list[str]) -> Person | None:
    """The one person the emails belong to (their email or a git alias), or None when they are
    nobody's or several people's."""
    if not emails:
        return None
    people = list(Person.objects.filter(Q(email__in=emails) | Q(git_aliases__email__in=emails)).distinct()[:2])
    return people[0] if len(people) == 1 else None


def _skills_for(repository: Repository, paths: list[str]) -> list[Skill]:
    """The skills of the repository's path mappings (those with a skill) that match a path."""
    mappings = PathMapping.objects.filter(repository=repository, skill__isnull=False).select_related("skill")
    skills = {}
    for mapping in mappings:
        matches = compile_pattern(mapping.pattern)
        if mapping.skill_id not in skills and any(matches(path) for path in paths):
            skills[mapping.skill_id] = mapping.skill
    return sorted(skills.values(), key=lambda skill: skill.pk)


def _distinct(people) -> list:
    seen = {}
    for person in people:
        seen.setdefault(person.pk, person)
    return list(seen.values())
