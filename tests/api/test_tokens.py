"""API tokens: stored hashed, shown once, revocable by their owner, refused when revoked or when
their owner has left."""

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ops_skills.api import services
from ops_skills.api.models import ApiToken
from tests.api.conftest import ApiClient

TOKENS = reverse("api:tokens")


def test_key_is_stored_only_as_its_sha256(member):
    token, key = services.token_create(person=member, name="deploy pipeline")
    assert key.startswith("osk_") and len(key) >= 4 + 43  # 32 random bytes, URL-safe base64
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:12]
    stored = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert key not in {str(v) for v in stored.values()}


def test_every_key_is_different(member):
    keys = {services.token_create(person=member, name=f"t{i}")[1] for i in range(5)}
    assert len(keys) == 5


def test_a_token_needs_a_name(member):
    with pytest.raises(Exception, match="Name the token"):
        services.token_create(person=member, name="  ")


def test_revoking_twice_keeps_the_first_date(member):
    token, _ = services.token_create(person=member, name="x")
    first = services.token_revoke(token=token).revoked_at
    assert services.token_revoke(token=token).revoked_at == first


# The tokens page ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(db, client_for):
    response = client_for(None).get(TOKENS)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["member", "lead", "other_lead", "admin", "new_hire"])
def test_everyone_manages_their_own_tokens(cast, client_for, who):
    response = client_for(cast[who]).get(TOKENS)
    assert response.status_code == 200
    assert "No tokens yet" in response.content.decode()


def test_the_page_lists_only_my_tokens(cast, client_for):
    services.token_create(person=cast["member"], name="mine")
    services.token_create(person=cast["lead"], name="the lead's")
    html = client_for(cast["member"]).get(TOKENS).content.decode()
    assert "mine" in html and "the lead&#x27;s" not in html and "the lead's" not in html


def test_creating_shows_the_key_once(member, client_for):
    client = client_for(member)
    response = client.post(TOKENS, {"name": "chatops bot"})
    assert response.status_code == 200
    token = ApiToken.objects.get(person=member)
    key = response.context["key"]
    assert hashlib.sha256(key.encode()).hexdigest() == token.key_hash
    assert key in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    again = client.get(TOKENS).content.decode()
    assert token.prefix in again and key not in again


def test_creating_without_a_name_is_an_error(member, client_for):
    response = client_for(member).post(TOKENS, {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_too_many_tokens_is_an_error(member, client_for, monkeypatch):
    monkeypatch.setattr(services, "MAX_TOKENS_PER_PERSON", 1)
    client = client_for(member)
    client.post(TOKENS, {"name": "one"})
    response = client.post(TOKENS, {"name": "two"})
    assert response.status_code == 400 and "revoke one" in response.content.decode()
    assert ApiToken.objects.count() == 1


def test_revoking_asks_first_then_revokes(member, client_for):
    token, key = services.token_create(person=member, name="old laptop")
    client = client_for(member)
    url = reverse("api:token-revoke", args=[token.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Revoke it" in page.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiClient(key).get(reverse("api:me")).status_code == 401


@pytest.mark.parametrize("who", ["lead", "other_lead", "admin"])
def test_nobody_revokes_someone_elses_token_here(cast, client_for, who):
    token, _ = services.token_create(person=cast["member"], name="x")
    url = reverse("api:token-revoke", args=[token.pk])
    client = client_for(cast[who])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_needs_a_login(member, client_for):
    token, _ = services.token_create(person=member, name="x")
    response = client_for(None).post(reverse("api:token-revoke", args=[token.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_revoking_through_the_page_needs_the_csrf_token(member, client):
    from django.test import Client

    token, _ = services.token_create(person=member, name="x")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(reverse("api:token-revoke", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_admin_lists_and_revokes_tokens(admin_user, member, client_for):
    token, _ = services.token_create(person=member, name="ci")
    client = client_for(admin_user)
    assert client.get(reverse("admin:api_apitoken_changelist")).status_code == 200
    assert client.get(reverse("admin:api_apitoken_change", args=[token.pk])).status_code == 200
    assert client.get(reverse("admin:api_apitoken_add")).status_code == 403
    response = client.post(
        reverse("admin:api_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


# Using a token -----------------------------------------------------------------------------


def test_last_used_is_recorded(member, key_for):
    key = key_for(member)
    token = ApiToken.objects.get(person=member)
    assert token.last_used_at is None
    ApiClient(key).get(reverse("api:me"))
    token.refresh_from_db()
    assert token.last_used_at is not None and timezone.now() - token.last_used_at < timedelta(minutes=1)


def test_last_used_is_written_at_most_once_a_minute(member, key_for, django_assert_num_queries):
    client = ApiClient(key_for(member))
    client.get(reverse("api:me"))
    with django_assert_num_queries(1):  # the token with its person and team; no write
        assert client.get(reverse("api:me")).status_code == 200
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    with django_assert_num_queries(2):  # the token with its person and team; last_used_at
        client.get(reverse("api:me"))
    token = ApiToken.objects.get()
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)


def test_an_inactive_persons_token_is_refused(member, key_for):
    key = key_for(member)
    member.is_active = False
    member.save()
    response = ApiClient(key).get(reverse("api:me"))
    assert response.status_code == 401
    assert "can no longer use" in response.json()["error"]


def test_a_person_leaving_tomorrow_can_still_use_it(member, key_for):
    key = key_for(member)
    member.departed_on = timezone.localdate() + timedelta(days=1)
    member.save()
    assert ApiClient(key).get(reverse("api:me")).status_code == 200
