"""The page where a person manages their own API tokens (HTML, session login)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from ops_skills.api import services
from ops_skills.api.forms import TokenForm
from ops_skills.api.models import ApiToken

PAGE_SIZE = 30


@never_cache
@login_required
def token_list(request):
    """List and create; a new token's key is shown in the answer to the POST and nowhere else."""
    form = TokenForm(request.POST or None)
    created = key = None
    if request.method == "POST" and form.is_valid():
        try:
            created, key = services.token_create(person=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error)
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(person=request.user)
    page = Paginator(tokens, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "created": created, "key": key}
    return render(request, "api/tokens.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
def token_revoke(request, pk):
    """GET asks for confirmation, POST revokes. Only the owner's own tokens exist here (404)."""
    token = get_object_or_404(ApiToken, pk=pk, person=request.user)
    if request.method == "POST":
        services.token_revoke(token=token)
        messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
        return redirect("api:tokens")
    return render(request, "api/token_revoke.html", {"token": token})
