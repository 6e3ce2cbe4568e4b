"""``/slack/events/``: every request Slack sends (slash commands, buttons, modals, events), and
the chat page where a person sees and fixes who they are in Slack."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from slack_bolt.adapter.django.handler import to_bolt_request, to_django_response
from slack_sdk.errors import SlackApiError

from ops_skills.chat import linking, slack
from ops_skills.chat.models import SlackLink


@csrf_exempt
@require_POST
def slack_events(request):
    """Bolt checks the signature and the timestamp (five minutes) before anything else: a request
    without a valid signature gets 401 and changes nothing."""
    if not slack.connected():
        return JsonResponse({"error": "Slack is not connected on this server."}, status=404)
    return to_django_response(slack.app().dispatch(to_bolt_request(request)))


@login_required
@require_http_methods(["GET", "POST"])
def chat_page(request):
    person = request.user
    link = SlackLink.objects.filter(person=person).first()
    code = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "code":
            code = linking.code_issue(person=person)
            link = SlackLink.objects.filter(person=person).first()
        elif action == "lookup" and slack.connected():
            try:
                found = linking.slack_user_for(slack.client(), person, refresh=True)
            except SlackApiError:
                messages.error(request, "Slack did not answer; try again in a minute.")
            else:
                if found:
                    messages.success(request, "Found you in Slack by your email.")
                else:
                    messages.warning(request, f"Nobody in the Slack workspace has the email {person.email}.")
            return redirect("chat:page")
        else:
            return render(request, "chat/page.html", _context(person, link, None), status=400)
    return render(request, "chat/page.html", _context(person, link, code))


@login_required
@require_POST
def chat_unlink(request):
    linking.unlink(person=request.user)
    messages.success(request, "Unlinked from Slack. You are looked up by your email again next time.")
    return redirect("chat:page")


def _context(person, link, code):
    from django.conf import settings

    return {
        "link": link,
        "code": code,
        "connected": slack.connected(),
        "command": settings.SLACK_COMMAND,
        "minutes": linking.CODE_MINUTES,
    }
