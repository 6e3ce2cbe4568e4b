"""Every URL of the app. The people, skills and evidence namespaces mix views of several layers
(a person's page brings levels, onboarding and interests together; deciding on evidence goes
through ``flows``), so they are wired here, at the top, where importing any app is allowed; the
apps above them keep their own ``urls.py``."""

from django.contrib import admin
from django.urls import include, path

from ops_skills.chat import views as chat_views
from ops_skills.evidence import runbook_views as evidence_runbook_views
from ops_skills.evidence import views as evidence_views
from ops_skills.levels import views as level_views
from ops_skills.people import views as people_views
from ops_skills.repos import webhook_views as repo_webhook_views
from ops_skills.skills import views as skill_views
from ops_skills.web import calendar_views as web_calendar_views
from ops_skills.web import health as web_health
from ops_skills.web import help_views as web_help_views
from ops_skills.web import leaving_views as web_leaving_views
from ops_skills.web import runbook_views as web_runbook_views
from ops_skills.web import search_views as web_search_views
from ops_skills.web import views as web_views

people_patterns = [
    path("", web_views.home, name="home"),
    path("teams/", people_views.team_list, name="teams"),
    path("teams/<slug:slug>/", web_views.team_detail, name="team"),
    path("people/", people_views.person_list, name="people"),
    path("people/<int:pk>/", web_views.person_detail, name="person"),
    path("people/<int:pk>/leave/", web_leaving_views.person_leave, name="person-leave"),
    path("people/<int:pk>/anonymise/", web_leaving_views.person_anonymise, name="person-anonymise"),
    path("invitations/", web_views.invitation_list, name="invitations"),
    path("invitations/<int:pk>/revoke/", people_views.invitation_revoke, name="invitation-revoke"),
    path("invitations/accept/<str:key>/", people_views.accept_invitation, name="accept-invitation"),
]

skill_patterns = [
    path("systems/", skill_views.system_list, name="systems"),
    path("systems/<slug:slug>/", level_views.system_detail, name="system"),
    path("systems/<slug:slug>/<slug:skill_slug>/", level_views.skill_detail, name="skill"),
    path("matrix/", level_views.matrix, name="matrix"),
    path("matrix/cell/<int:person_id>/<int:skill_id>/", level_views.matrix_cell, name="matrix-cell"),
    path("matrix/import/", level_views.matrix_import, name="matrix-import"),
    path("matrix/export.csv", level_views.matrix_export, name="matrix-export"),
]

evidence_patterns = [
    path("runbooks/", evidence_runbook_views.runbook_list, name="runbooks"),
    path("runbooks/new/", web_runbook_views.runbook_create, name="runbook-create"),
    path("runbooks/<int:pk>/", evidence_runbook_views.runbook_detail, name="runbook"),
    path("runbooks/<int:pk>/edit/", web_runbook_views.runbook_edit, name="runbook-edit"),
    path("runbooks/<int:pk>/read/", web_runbook_views.runbook_mark_read, name="runbook-read"),
    path("runbooks/<int:pk>/reviewed/", evidence_runbook_views.runbook_mark_reviewed, name="runbook-reviewed"),
    path("runbooks/<int:pk>/revisions/", evidence_runbook_views.runbook_revisions, name="runbook-revisions"),
    path("runbooks/<int:pk>/diff/", evidence_runbook_views.runbook_diff, name="runbook-diff"),
    path("evidence/", evidence_views.evidence_list, name="list"),
    path("evidence/pairing/new/", evidence_views.session_create, name="session-create"),
    path("evidence/pairing/<int:pk>/", evidence_views.session_detail, name="session"),
    path("evidence/executions/new/", evidence_views.execution_create, name="execution-create"),
    path("evidence/executions/<int:pk>/", evidence_views.execution_detail, name="execution"),
    path("evidence/executions/flagged/", evidence_views.flagged_executions, name="flagged"),
    path("evidence/<str:kind>/<int:pk>/confirm/", web_views.evidence_confirm, name="confirm"),
    path("evidence/<str:kind>/<int:pk>/dispute/", web_views.evidence_dispute, name="dispute"),
    path("evidence/<str:kind>/<int:pk>/leave-disputed/", web_views.evidence_leave_disputed, name="leave-disputed"),
    path("skills/options/", evidence_views.skill_options, name="skill-options"),
    path("notices/", evidence_views.notice_list, name="notices"),
]

web_patterns = [
    path("search/", web_search_views.search_page, name="search"),
    path("help/", web_help_views.help_page, name="help"),
    path("people/<int:pk>/calendar.ics", web_calendar_views.person_calendar, name="person-calendar"),
    path("calendar/", web_calendar_views.calendar_page, name="calendar"),
    path("calendar/rotate/", web_calendar_views.calendar_rotate, name="calendar-rotate"),
    path("calendar/revoke/", web_calendar_views.calendar_revoke, name="calendar-revoke"),
    path("calendar/feed/<str:key>.ics", web_calendar_views.calendar_feed, name="calendar-feed"),
]

urlpatterns = [
    path("", include((people_patterns, "people"))),
    path("", include((skill_patterns, "skills"))),
    path("", include((evidence_patterns, "evidence"))),
    path("", include((web_patterns, "web"))),
    path("reports/", include("ops_skills.reports.urls")),
    path("plan/", include("ops_skills.planner.urls")),
    path("onboarding/", include("ops_skills.onboarding.urls")),
    path("api/", include("ops_skills.api.urls")),
    path("audit/", include("ops_skills.audit.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("health/", web_health.health, name="health"),
    path("slack/events/", chat_views.slack_events, name="slack-events"),
    path("github/webhook/", repo_webhook_views.github_webhook, name="github-webhook"),
    path("chat/", include("ops_skills.chat.urls")),
    path("oncall/", include("ops_skills.oncall.urls")),
    path("repos/", include("ops_skills.repos.urls")),
]

# JSON for the API's endpoints, HTML pages elsewhere (ops_skills/errors.py).
handler400 = "ops_skills.errors.bad_request"
handler403 = "ops_skills.errors.permission_denied"
handler404 = "ops_skills.errors.page_not_found"
handler500 = "ops_skills.errors.server_error"
