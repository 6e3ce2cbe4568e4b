"""Accounts (django-allauth as ops-skills configures it): who may sign up, login rate limits
shared by every worker process, password reset, two-factor authentication and single sign-on."""

import re
import uuid
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import redis
from allauth.account.internal.emailkit import valid_email_or_none
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp_auth
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory, override_settings
from django.urls import reverse

from ops_skills.people.adapter import INVITATION_SESSION_KEY, SocialAccountAdapter
from ops_skills.people.models import Invitation, Person

PASSWORD = "pw"  # what tests.factories.make_person gives everyone
NEW_PASSWORD = "correct-Horse-battery-9"
TOO_MANY_ATTEMPTS = "Too many failed login attempts"
REDIS_URL = "redis://127.0.0.1:6379/0"
SHARED_CACHE_BACKENDS = {
    "django.core.cache.backends.db.DatabaseCache",
    "django.core.cache.backends.redis.RedisCache",
}


def verified(person: Person) -> Person:
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    return person


def log_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def signup_form(email, password=NEW_PASSWORD):
    return {"email": email, "name": "Sam Signup", "password1": password, "password2": password}


def link_in(message) -> str:
    """The path of the (only) link in a mail allauth sent to the test client's host."""
    [url] = re.findall(r"http://testserver(/\S+)", message.body)
    return url


def templates_of(response) -> list[str]:
    return [t.name for t in response.templates]


# Signup without an invitation


def test_signup_is_closed_without_an_invitation_or_allowed_domains(client, db, settings):
    settings.SIGNUP_EMAIL_DOMAINS = []
    assert "account/signup_closed.html" in templates_of(client.get(reverse("account_signup")))

    response = client.post(reverse("account_signup"), signup_form("x@example.org"))
    assert "account/signup_closed.html" in templates_of(response)
    assert not Person.objects.exists()


def test_signup_from_an_allowed_domain_needs_email_verification(client, db, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]

    response = client.post(reverse("account_signup"), signup_form("X@Example.org"))

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    person = Person.objects.get(email="x@example.org")
    assert (person.team, person.role, person.name) == (None, Person.Role.MEMBER, "Sam Signup")
    assert not is_logged_in(client)
    [message] = mail.outbox
    assert message.to == ["x@example.org"]

    client.post(link_in(message))
    assert EmailAddress.objects.get(email="x@example.org").verified
    assert log_in(client, "x@example.org", NEW_PASSWORD).url == reverse("people:home")


def test_signup_from_another_domain_is_a_form_error(client, db, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]

    response = client.post(reverse("account_signup"), signup_form("x@evil.com"))

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Sign-up is by invitation. Ask your team lead to invite you."]
    assert not Person.objects.exists()
    assert mail.outbox == []


def test_a_lookalike_domain_is_not_allowed(client, db, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]
    response = client.post(reverse("account_signup"), signup_form("x@evil-example.org"))
    assert "email" in response.context["form"].errors


# Login rate limit


def failed_login_limit() -> int:
    """The number of failed logins allowed per account, from ``ACCOUNT_RATE_LIMITS``."""
    [per_key] = [rate for rate in settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",") if rate.endswith("/key")]
    return int(per_key.split("/")[0])


def fail_logins(client, email, times):
    for _ in range(times):
        response = log_in(client, email, "wrong password")
        assert response.status_code == 200
        assert TOO_MANY_ATTEMPTS not in response.content.decode()


@contextmanager
def another_worker_cache():
    """Serve requests with a new instance of the default cache, as another worker process has."""
    first = caches["default"]
    caches["default"] = caches.create_connection("default")
    try:
        assert caches["default"] is not first
        yield caches["default"]
    finally:
        caches["default"].close()
        caches["default"] = first


def test_failed_login_limit_is_five_per_account():
    assert failed_login_limit() == 5


def test_the_right_password_is_refused_after_too_many_failed_logins(client, member):
    verified(member)
    fail_logins(client, member.email, failed_login_limit())

    response = log_in(client, member.email)

    assert response.status_code == 200
    assert TOO_MANY_ATTEMPTS in response.content.decode()
    assert not is_logged_in(client)


def test_fewer_failed_logins_than_the_limit_do_not_lock_the_account(client, member):
    verified(member)
    fail_logins(client, member.email, failed_login_limit() - 1)
    assert log_in(client, member.email).url == reverse("people:home")


def test_the_login_rate_limit_is_per_account(client, member, lead):
    verified(lead)
    fail_logins(client, member.email, failed_login_limit())
    assert log_in(client, lead.email).url == reverse("people:home")


def test_rate_limits_are_kept_in_a_cache_shared_by_worker_processes():
    # Per-process memory (LocMemCache) would give each gunicorn worker its own count.
    assert settings.CACHES["default"]["BACKEND"] in SHARED_CACHE_BACKENDS


def test_failed_logins_counted_by_one_worker_lock_the_account_for_another(client, member, lead):
    verified(member)
    verified(lead)
    fail_logins(client, member.email, failed_login_limit())

    with another_worker_cache():
        response = log_in(client, member.email)
        assert TOO_MANY_ATTEMPTS in response.content.decode()
        assert log_in(client, lead.email).url == reverse("people:home")


@override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "ops_skills_cache"}}
)
def test_without_redis_failed_logins_are_counted_in_the_database(client, member):
    fail_logins(client, member.email, failed_login_limit())

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM ops_skills_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any(":login_failed:" in key and "/key:" in key for key in keys)
    with another_worker_cache():
        assert TOO_MANY_ATTEMPTS in log_in(client, member.email).content.decode()


@pytest.fixture
def redis_cache():
    """The default cache in the Redis on 127.0.0.1:6379 (which CI starts), under a prefix of its own.

    No skip when Redis is down: the settings promise shared rate limits, so the test fails."""
    prefix = f"test-{uuid.uuid4().hex}"
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": prefix,
            }
        }
    ):
        yield caches["default"]
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def test_with_redis_failed_logins_counted_by_one_worker_lock_the_account_for_another(client, member, lead, redis_cache):
    verified(member)
    verified(lead)
    redis_cache.set("ping", "pong")  # fails here when Redis is not running
    fail_logins(client, member.email, failed_login_limit())
    server = redis.Redis.from_url(REDIS_URL)
    assert any(b":login_failed:" in key for key in server.scan_iter(f"{redis_cache.key_prefix}:*"))
    server.close()

    with another_worker_cache() as second:
        assert second is not redis_cache
        assert TOO_MANY_ATTEMPTS in log_in(client, member.email).content.decode()
        assert not is_logged_in(client)
        assert log_in(client, lead.email).url == reverse("people:home")


# Password reset


def test_password_reset_mails_a_link_that_sets_a_new_password(client, member):
    verified(member)
    response = client.post(reverse("account_reset_password"), {"email": "Member@example.com"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["member@example.com"]

    set_password_page = client.get(link_in(message))
    assert set_password_page.status_code == 302
    response = client.post(set_password_page.url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_from_key_done")

    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert log_in(client, member.email, NEW_PASSWORD).url == reverse("people:home")


def test_password_reset_works_for_an_address_outside_the_signup_domains(client, member, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]
    response = client.post(reverse("account_reset_password"), {"email": member.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_a_password_reset_link_works_once(client, member):
    client.post(reverse("account_reset_password"), {"email": member.email})
    link = link_in(mail.outbox[0])
    set_password_page = client.get(link)
    client.post(set_password_page.url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    response = client.get(link, follow=True)
    assert response.context["token_fail"]


def test_a_person_adds_an_address_outside_the_signup_domains(client_for, member):
    c = client_for(verified(member))
    response = c.post(reverse("account_email"), {"action_add": "", "email": "max@home.example"})
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=member, email="max@home.example", verified=False).exists()
    assert mail.outbox[0].to == ["max@home.example"]


# Two-factor authentication


@pytest.fixture
def fixed_clock(monkeypatch):
    """Freeze allauth's TOTP clock, so a code computed here cannot roll over before it is checked."""
    now = 1_800_000_015.0
    monkeypatch.setattr(totp_auth, "time", SimpleNamespace(time=lambda: now))
    return now


def totp_code(secret: str, now: float) -> str:
    return totp_auth.format_hotp_value(totp_auth.hotp_value(secret, int(now) // 30))


def test_two_factor_pages_render_for_a_logged_in_person(client_for, member):
    c = client_for(verified(member))
    assert c.get(reverse("mfa_index")).status_code == 200

    # Adding an authenticator asks for the password again first.
    response = c.get(reverse("mfa_activate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))
    response = c.post(response.url, {"password": PASSWORD})
    assert response.url == reverse("mfa_activate_totp")

    response = c.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert response.context["totp_svg_data_uri"].startswith("data:image/svg+xml;base64,")


def test_two_factor_pages_need_login(client, db):
    for name in ["mfa_index", "mfa_activate_totp"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_a_person_with_totp_is_asked_for_a_code_after_the_password(client, member, fixed_clock):
    verified(member)
    secret = totp_auth.generate_totp_secret()
    totp_auth.TOTP.activate(member, secret)
    assert Authenticator.objects.get(user=member).type == Authenticator.Type.TOTP

    response = log_in(client, member.email)
    assert response.url == reverse("mfa_authenticate")
    assert not is_logged_in(client)

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert not is_logged_in(client)

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, fixed_clock)})
    assert response.url == reverse("people:home")
    assert is_logged_in(client)


# Single sign-on


@override_settings(SOCIALACCOUNT_PROVIDERS={"github": {"APPS": [{"client_id": "x", "secret": "y"}]}})
def test_login_page_offers_github_when_it_is_configured(client, db):
    html = client.get(reverse("account_login")).content.decode()
    assert reverse("github_login") in html
    assert "GitHub" in html


@override_settings(SOCIALACCOUNT_PROVIDERS={})
def test_login_page_offers_no_sso_when_none_is_configured(client, db):
    html = client.get(reverse("account_login")).content.decode()
    assert reverse("github_login") not in html
    assert "GitHub" not in html


@pytest.fixture
def sso_request(db):
    request = RequestFactory().get("/accounts/github/login/callback/")
    request.session = SessionStore()
    with context.request_context(request):
        yield request


def social_login(email):
    return SimpleNamespace(user=SimpleNamespace(email=email))


@pytest.mark.parametrize("email", ["someone@evil.com", "", None])
def test_sso_signup_is_refused_without_invitation_or_allowed_domain(sso_request, settings, email):
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]
    assert not SocialAccountAdapter().is_open_for_signup(sso_request, social_login(email))


def test_sso_signup_is_open_for_an_allowed_domain(sso_request, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]
    assert SocialAccountAdapter().is_open_for_signup(sso_request, social_login("Someone@Example.org"))


def test_sso_signup_is_open_only_for_the_invited_email(sso_request, settings, team, lead):
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]
    invitation = Invitation.objects.create(email="invited@example.net", team=team, invited_by=lead)
    sso_request.session[INVITATION_SESSION_KEY] = invitation.key

    adapter = SocialAccountAdapter()
    assert adapter.is_open_for_signup(sso_request, social_login("INVITED@example.net"))
    assert not adapter.is_open_for_signup(sso_request, social_login("someone@example.org"))
    assert not adapter.is_open_for_signup(sso_request, social_login("someone@evil.com"))


def test_sso_signup_with_an_invitation_joins_its_team(sso_request, team, lead):
    invitation = Invitation.objects.create(
        email="invited@example.net", name="Ivo Invited", team=team, role=Person.Role.LEAD, invited_by=lead
    )
    sso_request.session[INVITATION_SESSION_KEY] = invitation.key
    sociallogin = SocialLogin(
        user=Person(email="invited@example.net"),
        account=SocialAccount(provider="github", uid="4242"),
        email_addresses=[EmailAddress(email="invited@example.net", verified=True, primary=True)],
    )

    person = SocialAccountAdapter().save_user(sso_request, sociallogin)

    assert (person.team, person.role, person.name) == (team, Person.Role.LEAD, "Ivo Invited")
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == ("accepted", person)
    assert INVITATION_SESSION_KEY not in sso_request.session


def test_provider_emails_outside_the_signup_domains_are_kept(sso_request, settings, member):
    # allauth cleans every address a provider sends with the account adapter's clean_email; the
    # signup rule there would drop them, and an existing person could not sign in with SSO.
    settings.SIGNUP_EMAIL_DOMAINS = []
    assert valid_email_or_none("Member@example.com") == "member@example.com"
