"""Says who acts and from where for the audit entries a request writes."""

from ops_skills.people import audit
from ops_skills.people.client_ip import client_ip


class AuditMiddleware:
    """Entries written while serving a request name its user, its path and, on the API, the token.

    Resolved when each entry is written, not when the request comes in: the API authenticates its
    token inside the view (``api.http.authenticate`` sets ``request.user`` and
    ``request.api_token``), after every middleware has run."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit.origin_from(lambda: origin_of(request)):
            return self.get_response(request)


def origin_of(request) -> audit.Origin:
    user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    token = getattr(request, "api_token", None)
    match = request.resolver_match
    if token is not None:
        kind = audit.API
    elif match is not None and match.app_name == "admin":
        kind = audit.ADMIN
    else:
        kind = audit.WEB
    return audit.Origin(
        kind,
        path=request.path,
        actor_id=actor.pk if actor else None,
        actor_email=actor.email if actor else None,
        token_id=token.pk if token else None,
        token_name=f"{token.name} ({token.prefix}…)" if token else "",
        remote_addr=client_ip(request),
    )
