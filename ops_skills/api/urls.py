from django.urls import path, re_path

from ops_skills.api import http, token_views, views

app_name = "api"
urlpatterns = [
    # Token pages for people (HTML)
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token-revoke"),
    # JSON endpoints
    path("me/", views.me, name="me"),
    path("evidence/pairing-sessions/", views.pairing_session_create, name="pairing-sessions"),
    path("evidence/executions/", views.execution_create, name="executions"),
    path("evidence/<str:kind>/<int:pk>/confirm/", views.evidence_confirm, name="evidence-confirm"),
    path("evidence/<str:kind>/<int:pk>/dispute/", views.evidence_dispute, name="evidence-dispute"),
    path("levels/", views.levels, name="levels"),
    path("busfactor/", views.busfactor, name="busfactor"),
    re_path(r"^(?P<path>.*)$", http.not_found, name="not-found"),
]
