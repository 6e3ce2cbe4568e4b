from django.urls import path

from ops_skills.evidence import runbook_views, views

app_name = "evidence"
urlpatterns = [
    # Runbooks (runbook_views.py)
    path("runbooks/", runbook_views.runbook_list, name="runbooks"),
    path("runbooks/new/", runbook_views.runbook_create, name="runbook-create"),
    path("runbooks/<int:pk>/", runbook_views.runbook_detail, name="runbook"),
    path("runbooks/<int:pk>/edit/", runbook_views.runbook_edit, name="runbook-edit"),
    path("runbooks/<int:pk>/read/", runbook_views.runbook_mark_read, name="runbook-read"),
    path("runbooks/<int:pk>/reviewed/", runbook_views.runbook_mark_reviewed, name="runbook-reviewed"),
    path("runbooks/<int:pk>/revisions/", runbook_views.runbook_revisions, name="runbook-revisions"),
    path("runbooks/<int:pk>/diff/", runbook_views.runbook_diff, name="runbook-diff"),
    # Evidence (views.py)
    path("evidence/", views.evidence_list, name="list"),
    path("evidence/pairing/new/", views.session_create, name="session-create"),
    path("evidence/pairing/<int:pk>/", views.session_detail, name="session"),
    path("evidence/executions/new/", views.execution_create, name="execution-create"),
    path("evidence/executions/<int:pk>/", views.execution_detail, name="execution"),
    path("evidence/executions/flagged/", views.flagged_executions, name="flagged"),
    path("evidence/<str:kind>/<int:pk>/confirm/", views.evidence_confirm, name="confirm"),
    path("evidence/<str:kind>/<int:pk>/dispute/", views.evidence_dispute, name="dispute"),
    path("skills/options/", views.skill_options, name="skill-options"),
    path("notices/", views.notice_list, name="notices"),
]
