"""Every URL pattern of the project, as anonymous, a member, the lead of the team, the lead of
another team and an admin, with GET, GET with a garbage query and POST with garbage data (a third
of the fields left out, a different third for each role): no answer is a 500. Path parameters are
filled with real objects of the demo organisation, and again with ids that exist nowhere.

One test loops over everything and collects every failure, so a run shows them all. Each request
runs in a savepoint that is rolled back, so one request's writes (a deleted runbook, a revoked
token) do not change what the next one sees.

Requests that would take the same code path as one already made are not repeated (the sweep
must stay within a few seconds of CPU per hundred URLs); each rule says why the path is the same:
- the admin site sends everyone but staff to its login page before any of its views runs, so
  they GET each kind of admin page (a list, an add form, a change form, ...) once, not once per model;
- the admin's change, delete and history pages read no query parameter the garbage names, so
  they get no garbage query; its history pages (and the redirect of an object's address to its
  change page) read no form, so they get no POST (no model admin changes these views: checked
  below);
- a NUL in a form is refused by the middleware before any view runs (people/http.py), so the
  admin pages get it once per kind.
"""

import itertools
import re
from io import StringIO

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils.regex_helper import normalize

from ops_skills.api.services import token_create
from ops_skills.evidence.models import PairingSession, Runbook, RunbookExecution
from ops_skills.onboarding.models import Checklist, OnboardingTemplate
from ops_skills.oncall.models import Schedule
from ops_skills.people.models import Invitation, Person, Team
from ops_skills.planner.models import Assignment
from ops_skills.reports.models import Absence
from ops_skills.repos.models import AuthorAlias, Suggestion
from ops_skills.skills.models import Skill

ROLES = {
    "anonymous": None,
    "member": "marco@example.com",
    "lead of the team": "priya@example.com",
    "lead of another team": "dana@example.com",
    "admin": "admin@example.com",
}
MISSING_ID = "99999999999999999999"  # exists nowhere, and overflows a 64-bit integer
PAYLOADS = [
    "²",
    "-1",
    "99999999999999999999",
    "-99999999999999999999",
    "x" * 5000,
    "",
    "١٢٣",
    "1e309",
    "NaN",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2024-13-45",
    "line one\r\nBcc: x@example.com",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "🙂" * 200,
    "0",
    "1.5",
]
# What a choice (a <select>) gets in the POST: what an id is parsed from, so that each is tried more often.
ID_PAYLOADS = ["²", "99999999999999999999", "1e309", "-1", "١٢٣", "0", "1.5", "-99999999999999999999", ""]
# What a formset's count of forms gets: not the 20-digit number, for which Django builds its cap of
# 2,000 forms (seconds of work, the same code as for the 123 of "١٢٣").
FORM_COUNT = re.compile(r"-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$")
COUNT_PAYLOADS = [p for p in PAYLOADS if p != "99999999999999999999"]
# The app refuses a NUL character in any query or form before a view sees it (people/http.py):
# sent apart (as the admin, who reaches most), so that the other payloads reach the views.
NUL_PAYLOADS = ["\x00", "a\x00b"]
NUL_ROLES = {"admin"}
# Query and form names tried on every URL, besides the names of the page's own form fields.
COMMON_NAMES = [
    "q", "page", "team", "system", "skill", "skills", "person", "people", "runbook", "level", "kind", "status",
    "a", "b", "what_if", "tier", "sort", "next", "id", "pk", "format", "days",
]  # fmt: skip
API_FIELDS = {
    "mentor", "learners", "skills", "duration_minutes", "occurred_at", "notes", "runbook", "performer",
    "environment", "outcome", "participants", "link", "reason", "team", "what_if",
}  # fmt: skip
FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.IGNORECASE)
FILE_FIELD = re.compile(
    r"<input\b[^>]*\btype=\"file\"[^>]*\bname=\"([^\"]+)\"|<input\b[^>]*\bname=\"([^\"]+)\"[^>]*\btype=\"file\""
)
SELECT = re.compile(r"<select\b[^>]*\bname=\"([^\"]+)\"", re.IGNORECASE)
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def build(chain, values) -> tuple[str, list[str]]:
    """The path of a pattern chain with its parameters taken from ``values``; and the names that
    had no value."""
    path, missing = "/", []
    for part in chain:
        if isinstance(part, RoutePattern):
            names = [m["name"] for m in PARAM.finditer(str(part))]
            missing += [n for n in names if n not in values]
            path += PARAM.sub(lambda m: str(values.get(m["name"], "")), str(part))
        else:
            template, names = normalize(part.regex.pattern)[0]
            missing += [n for n in names if n not in values]
            path += template % {n: values.get(n, "") for n in names}
    return path, missing


@pytest.fixture
def demo(db):
    # DEBUG stays off, as on a live site: the error pages are the site's, not Django's technical ones.
    call_command("seed_demo", force=True, stdout=StringIO())
    people = {email: Person.objects.get(email=email) for email in filter(None, ROLES.values())}
    platform = Team.objects.get(slug="platform")
    lead = people["priya@example.com"]
    invitation = Invitation.objects.create(email="new@example.com", team=platform, invited_by=lead)
    tokens = {email: token_create(person=person, name="sweep")[1] for email, person in people.items()}
    skill = Skill.objects.filter(system__team=platform).select_related("system").first()
    template = OnboardingTemplate.objects.filter(team=platform).first()
    checklist = Checklist.objects.filter(team=platform).first()
    session = PairingSession.objects.filter(mentor__team=platform).first()
    jonas = Person.objects.get(email="jonas@example.com")
    common = {
        "slug": "platform",
        "skill_slug": skill.slug,
        "person_id": jonas.pk,
        "skill_id": skill.pk,
        "person_pk": Person.objects.get(email="ravi@example.com").pk,
        "kind": "pairing",
        "key": "no-such-key",
        "uidb36": "2",
        "provider_id": "sso",
        "path": "no/such/endpoint",
        "url": "no/such/page/",
        "app_label": "people",
        "id": jonas.pk,  # the admin's password change
        "content_type_id": ContentType.objects.get_for_model(Team).pk,  # admin's "view on site"
        "object_id": platform.pk,
    }
    by_name = {
        "people:person": {"pk": jonas.pk},
        "people:person-leave": {"pk": jonas.pk},
        "web:person-calendar": {"pk": jonas.pk},
        "people:person-anonymise": {"pk": Person.objects.get(email="tom@example.com").pk},
        "people:invitation-revoke": {"pk": invitation.pk},
        "people:accept-invitation": {"key": invitation.key},
        "skills:system": {"slug": skill.system.slug},
        "skills:skill": {"slug": skill.system.slug},
        "reports:system": {"slug": skill.system.slug},
        "evidence:session": {"pk": session.pk},
        "evidence:execution": {"pk": RunbookExecution.objects.filter(runbook__system__team=platform).first().pk},
        "evidence:confirm": {"pk": PairingSession.objects.filter(status="pending").first().pk},
        "evidence:dispute": {"pk": PairingSession.objects.filter(status="pending").first().pk},
        "evidence:leave-disputed": {
            "pk": (PairingSession.objects.filter(status="disputed").first() or PairingSession.objects.first()).pk
        },
        "api:evidence-confirm": {"pk": PairingSession.objects.filter(status="pending").first().pk},
        "api:evidence-dispute": {"pk": PairingSession.objects.filter(status="pending").first().pk},
        "reports:absence-delete": {"pk": Absence.objects.first().pk},
        "planner:cancel": {"pk": Assignment.objects.first().pk},
        "api:token-revoke": {"pk": lead.api_tokens.first().pk},
        "mfa_remove_webauthn": {"pk": 1},
        "mfa_edit_webauthn": {"pk": 1},
    }
    suggestion = Suggestion.objects.open().first()
    for name in ["suggestion-accept", "suggestion-dismiss"]:
        by_name[f"repos:{name}"] = {"pk": suggestion.pk}
    by_name["repos:alias-delete"] = {"pk": AuthorAlias.objects.first().pk}
    for name in ["detail", "edit", "delete", "read"]:
        by_name[f"repos:{name}"] = {"slug": "infrastructure"}
    by_name["repos:system-panel"] = {"slug": skill.system.slug}
    runbook = Runbook.objects.filter(system__team=platform).first()
    for name in ["runbook", "runbook-edit", "runbook-read", "runbook-reviewed", "runbook-revisions", "runbook-diff"]:
        by_name[f"evidence:{name}"] = {"pk": runbook.pk}
    template_item = template.items.first()
    for name in ["template", "template-edit", "template-copy", "template-apply", "item-create"]:
        by_name[f"onboarding:{name}"] = {"pk": template.pk}
    for name in ["item-edit", "item-delete"]:
        by_name[f"onboarding:{name}"] = {"pk": template.pk, "item_pk": template_item.pk}
    checklist_item = checklist.items.first()
    for name in ["checklist", "summary", "checklist-apply", "item-tick", "item-untick"]:
        by_name[f"onboarding:{name}"] = {"pk": checklist.pk, "item_pk": checklist_item.pk}
    # A feed on a closed local port: "Fetch now" fails at once, without the network.
    schedule = Schedule.objects.create(team=platform, name="Primary", url="http://127.0.0.1:9/rota.ics")
    for name in ["schedule-edit", "schedule-delete", "schedule-fetch"]:
        by_name[f"oncall:{name}"] = {"pk": schedule.pk}
    return {"people": people, "tokens": tokens, "common": common, "by_name": by_name}


def test_no_url_answers_500_to_anyone(demo, client):
    client.raise_request_exception = False
    urls = list(targets(list(walk(get_resolver())), demo))
    failures, made, seen = [], 0, set()
    for n, ((role, email), (path, which, kind)) in enumerate(itertools.product(ROLES.items(), urls)):
        person = demo["people"].get(email)
        api = path.startswith("/api/")
        headers = {"Authorization": f"Bearer {demo['tokens'].get(email, 'ops_garbage-token')}"} if api else {}
        response = None
        requests = requests_for(path, which, kind, api, person, lambda: response, n, role, seen)
        for method, data, content_type in requests:
            response = send(client, person, method, path, data, headers, content_type)
            made += 1
            if response.status_code >= 500:
                exc = getattr(response, "exc_info", None)
                error = f"{exc[0].__name__}: {str(exc[1])[:300]}" if exc else ""
                failures.append(f"{response.status_code} {role} {method.upper()} {path} {describe(data)} {error}")
    assert made > 2000
    assert not failures, f"{len(failures)} answers were 500 or more:\n" + "\n".join(failures)


def test_no_model_admin_changes_the_views_the_sweep_sends_less_to(db):
    """The admin's change, delete and history pages get no garbage query (and the history no
    POST) because Django's views read none of it: a model admin that changes them needs it."""
    for model, model_admin in admin.site._registry.items():
        for name in ("change_view", "changeform_view", "_changeform_view", "delete_view", "history_view"):
            assert getattr(type(model_admin), name) is getattr(ModelAdmin, name), (
                f"{model.__name__}'s admin changes {name}: remove it from ADMIN_IGNORE_QUERY/ADMIN_GET_ONLY"
            )


def send(client, person, method, path, data, headers, content_type):
    """One request as ``person``, its writes rolled back."""
    log_in(client, person)
    kwargs = {"headers": headers} | ({"content_type": content_type} if content_type else {})
    with transaction.atomic():
        response = getattr(client, method)(path, data, **kwargs)
        transaction.set_rollback(True)
    return response


def walk(resolver, prefix=()):
    """(the resolvers above it, pattern) for every URL pattern."""
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern, (*prefix, pattern))
        else:
            yield prefix, pattern


def targets(walked, demo):
    """(path, real or missing, kind) for every pattern, filled with the demo's objects. The kind
    of an admin page is its route without the model: the same for every model's list."""
    unfilled = []
    models = {(m._meta.app_label, m._meta.model_name): m for m in admin.site._registry}
    for resolvers, pattern in walked:
        chain = [*(r.pattern for r in resolvers), pattern.pattern]
        name = ":".join([*filter(None, (r.namespace for r in resolvers)), pattern.name or ""])
        values = {**demo["common"], **demo["by_name"].get(name, {})}
        route = kind = "".join(str(p) for p in chain)
        app_label, model_name = (route.split("/") + ["", ""])[1:3]
        if route.startswith("admin/") and (app_label, model_name) in models:
            first = models[app_label, model_name]._default_manager.order_by("pk").first()
            values["object_id"] = first.pk if first else 1
            kind = route.replace(f"admin/{app_label}/{model_name}/", "admin/<app>/<model>/", 1)
        path, missing = build(chain, values)
        if missing:
            unfilled.append(f"{route} ({name}): {', '.join(missing)}")
            continue
        yield path, "real", kind
        ids = {
            n: MISSING_ID for n in ("pk", "item_pk", "person_id", "skill_id", "person_pk", "object_id") if n in route
        }
        ids.update({n: "does-not-exist" for n in ("slug", "skill_slug", "key", "kind") if f"{n}>" in route})
        if ids:
            yield build(chain, {**values, **ids})[0], "missing", kind
    assert not unfilled, f"give these URL parameters a real value in the demo fixture: {unfilled}"


# Admin pages that read no query parameter of the names the garbage has (only ``_to_field``,
# ``_popup``, ``_changelist_filters`` and the history's ``p``).
ADMIN_IGNORE_QUERY = re.compile(r"^admin/<app>/<model>/<path:object_id>/(change/|delete/|history/)?$")
# Admin pages that read no form either: the history, and the redirect of an object's address to
# its change page.
ADMIN_GET_ONLY = re.compile(r"^admin/<app>/<model>/<path:object_id>/(history/)?$")


def requests_for(path, which, kind, api, person, last_response, n, role, seen):
    """(method, data, content type) of the requests made to one URL: a GET first, whose page gives
    the names of the form fields to send garbage to. ``seen`` holds the (role, kind of page, kind
    of request) already sent where the code path does not depend on the model."""
    admin_page = path.startswith("/admin/")
    staff = bool(person and person.is_staff)
    if admin_page and not staff:
        # The admin site sends everyone else to its login page before any view runs.
        if (role, kind, which) in seen:
            return
        seen.add((role, kind, which))
    yield "get", {}, None
    if admin_page and (which == "missing" or not staff or ADMIN_GET_ONLY.match(kind)):
        return  # a missing object: the admin answers with its own redirect
    if which == "missing":
        return
    if api:
        yield "post", {}, None
        fields = sorted(API_FIELDS)
        yield "get", garbage(fields, n), None
        yield "post", garbage(fields, n), "application/json"
        yield "post", "{not json ²", "application/json"
        return
    response = last_response()
    html = response.content.decode(errors="replace") if "html" in response.get("Content-Type", "") else ""
    names = sorted({name for name in FIELD.findall(html) if name != "csrfmiddlewaretoken"} | set(COMMON_NAMES))
    if not (admin_page and ADMIN_IGNORE_QUERY.match(kind)):
        yield "get", garbage(names, n), None
    # One POST: garbage in two thirds of the fields, the other third left out (which third turns
    # with the role), so that a view reading a field that was not sent is tried too.
    omitted, selects = list(ROLES).index(role) % 3, set(SELECT.findall(html))
    data = {}
    for i, name in enumerate(names):
        if i % 3 != omitted:
            payloads = ID_PAYLOADS if name in selects else COUNT_PAYLOADS if FORM_COUNT.search(name) else PAYLOADS
            data[name] = payloads[(i + n + 7) % len(payloads)]
    for file_name in {a or b for a, b in FILE_FIELD.findall(html)}:
        data[file_name] = SimpleUploadedFile("sheet.csv", "email,²,-1\n".encode() * 100)
    yield "post", data, None
    if role in NUL_ROLES and not (admin_page and (role, kind, "nul") in seen):
        seen.add((role, kind, "nul"))
        yield "post", garbage(names, n, NUL_PAYLOADS), None


def log_in(client, person):
    """Log in as ``person`` unless the client already is: the last request left the session
    cookie as it was (a logout or a login changes it; any other write to the session was rolled
    back with the request)."""
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    state = (person, cookie.value if cookie else None)
    if getattr(client, "sweep_state", None) == state:
        return
    client.logout()
    if person is not None:
        client.force_login(person)
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    client.sweep_state = (person, cookie.value if cookie else None)


def garbage(names, n, payloads=PAYLOADS):
    return {name: payloads[(i + n) % len(payloads)] for i, name in enumerate(names)}


def describe(data) -> str:
    if isinstance(data, str):
        return repr(data)
    return repr({k: (v if not isinstance(v, str) or len(v) < 40 else v[:20] + "…") for k, v in data.items()})[:600]


@pytest.mark.parametrize("path", ["/accounts/github/login/", "/accounts/google/login/callback/"])
def test_a_sign_in_provider_that_is_not_set_up_is_not_found(client, db, path):
    """Its app is installed, so its URLs exist; without its client id they answered 500."""
    client.raise_request_exception = False
    assert client.get(path).status_code == 404
