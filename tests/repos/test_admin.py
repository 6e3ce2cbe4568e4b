"""The repos app in the Django admin: every model listed and opened; what comes from git is
read-only; a mapping's skill must be of its system."""

import pytest
from django.contrib import admin
from django.urls import reverse

from ops_skills.repos.models import (
    AuthorAlias,
    Commit,
    FileChange,
    GitHubAccount,
    PathMapping,
    RepoFile,
    Repository,
    Suggestion,
    WebhookDelivery,
)
from ops_skills.repos.suggestions import suggestions_refresh
from tests.factories import make_skill, make_system
from tests.repos.history import commits

MODELS = [
    Repository,
    PathMapping,
    AuthorAlias,
    GitHubAccount,
    Commit,
    RepoFile,
    FileChange,
    Suggestion,
    WebhookDelivery,
]
READ_ONLY = {Commit, RepoFile, FileChange, Suggestion, WebhookDelivery}


@pytest.fixture
def history(team, repository, member):
    system = make_system(team, slug="postgres-main")
    make_skill(system, slug="failover")
    PathMapping.objects.create(repository=repository, pattern="modules/**", system=system)
    AuthorAlias.objects.create(email="max@home.example", person=member)
    GitHubAccount.objects.create(login="max", person=member)
    WebhookDelivery.objects.create(guid="abc", repository=repository, event="pull_request")
    commits(repository, member.email, 5, path="modules/a.tf")
    suggestions_refresh(repository)
    return repository


def test_every_model_of_the_app_is_registered():
    assert all(model in admin.site._registry for model in MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_each_list_and_row_opens(client_for, admin_user, history, model):
    client = client_for(admin_user)
    info = model._meta.app_label, model._meta.model_name
    assert client.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "a"}).status_code == 200
    row = model.objects.first()
    assert client.get(reverse("admin:{}_{}_change".format(*info), args=[row.pk])).status_code == 200
    assert (client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 403) == (model in READ_ONLY)


def test_the_history_cannot_be_edited_in_the_admin(client_for, admin_user, history):
    commit = Commit.objects.first()
    response = client_for(admin_user).post(
        reverse("admin:repos_commit_change", args=[commit.pk]), {"author_email": "someone@else.example"}
    )
    assert response.status_code == 403
    commit.refresh_from_db()
    assert commit.author_email == "member@example.com"


def test_a_mapping_with_a_skill_of_another_system_is_refused(client_for, admin_user, history, team):
    elsewhere = make_skill(make_system(team, slug="redis"), slug="flush")
    mapping = PathMapping.objects.get()
    response = client_for(admin_user).post(
        reverse("admin:repos_pathmapping_change", args=[mapping.pk]),
        {"repository": history.pk, "pattern": "x/**", "system": mapping.system_id, "skill": elsewhere.pk},
    )
    assert response.status_code == 200 and "Choose a skill of the mapped system." in response.text
    mapping.refresh_from_db()
    assert mapping.pattern == "modules/**"
