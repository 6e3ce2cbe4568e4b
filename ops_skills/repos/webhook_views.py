"""``/github/webhook/``: the deliveries of a GitHub webhook (content type ``application/json``,
events "Pull requests"). GitHub signs each with the webhook's secret; nobody logs in here."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ops_skills.repos import webhook
from ops_skills.repos.github import GitHubError


@csrf_exempt
@require_POST
def github_webhook(request):
    """The signature is checked before anything else is read: a request without a valid one gets
    401 and changes nothing. Then: ``ping`` 200, events other than a merged pull request of a
    registered repository 202 (ignored, said why), a repeated delivery 200, a handled one 201 when
    it logged a session and 202 when it said why not, GitHub unreadable 502 (GitHub redelivers)."""
    secret = settings.GITHUB_WEBHOOK_SECRET
    if not secret:
        return _answer(404, error="The GitHub webhook is not configured on this server (GITHUB_WEBHOOK_SECRET).")
    if not webhook.signature_valid(
        secret=secret, body=request.body, header=request.headers.get("X-Hub-Signature-256", "")
    ):
        return _answer(401, error="The X-Hub-Signature-256 signature is missing or wrong.")
    event = request.headers.get("X-GitHub-Event", "")
    if event == "ping":
        return _answer(200, message="pong")
    if event != "pull_request":
        return _answer(202, message=f"Ignored: only pull_request events are handled, not {event or 'none'}.")
    try:
        pull = webhook.merged_pull_request(json.loads(request.body))
    except ValueError as error:  # bad JSON, or a PayloadError
        return _answer(400, error=f"Not a pull-request event: {error}")
    if pull is None:
        return _answer(202, message="Ignored: the pull request was not merged.")
    repository = webhook.repository_for(pull.repository)
    if repository is None:
        return _answer(202, message=f"Ignored: {pull.repository} is not a registered repository here.")
    guid = request.headers.get("X-GitHub-Delivery", "").strip()
    if not guid or len(guid) > 100:
        return _answer(400, error="The X-GitHub-Delivery header is missing or too long.")
    try:
        outcome = webhook.pull_request_merged(
            repository=repository, guid=guid, event=event, pull=pull, github=webhook.github_client()
        )
    except GitHubError as error:
        return _answer(502, error=str(error))
    if outcome.repeated:
        return _answer(200, message=outcome.message)
    if outcome.session is None:
        return _answer(202, message=outcome.message)
    return _answer(201, message=outcome.message, session=request.build_absolute_uri(outcome.session.get_absolute_url()))


def _answer(status: int, **body) -> JsonResponse:
    return JsonResponse(body, status=status)
