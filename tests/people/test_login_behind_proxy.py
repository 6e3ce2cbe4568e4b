"""Login rate limits behind the README's reverse proxy: counted per client, not per proxy, when
the proxy is trusted (``TRUSTED_PROXY_COUNT``), and never by a header nobody vouches for."""

import runpy
import uuid
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from tests.factories import make_person

TOO_MANY_ATTEMPTS = "Too many failed login attempts"
PROXY = "10.0.0.5"  # every request reaches the app from the proxy
MALLORY, ALICE = "203.0.113.7", "198.51.100.20"
SETTINGS_FILE = str(Path(settings.BASE_DIR) / "ops_skills" / "settings.py")


@pytest.fixture(autouse=True)
def own_cache():
    """A cache of this test's own, so the counts start at zero whichever cache the run uses."""
    location = f"h3-proxy-{uuid.uuid4()}"
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": location}}
    ):
        yield


def per_ip_limit() -> int:
    [per_ip] = [rate for rate in settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",") if rate.endswith("/ip")]
    return int(per_ip.split("/")[0])


def log_in(client, email, password, *, forwarded_for):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def fail_from(client, address, times):
    """Failed logins for as many different emails, so only the per-IP limit can stop them."""
    for n in range(times):
        response = log_in(client, f"nobody{n}@example.com", "wrong", forwarded_for=address)
        assert TOO_MANY_ATTEMPTS not in response.content.decode()


@pytest.fixture
def alice(team):
    person = make_person(team, email="alice@example.com")
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    return person


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_one_client_failing_does_not_block_another(client, alice):
    fail_from(client, MALLORY, per_ip_limit())

    refused = log_in(client, "nobody@example.com", "wrong", forwarded_for=MALLORY)
    assert TOO_MANY_ATTEMPTS in refused.content.decode()  # the limit still holds for Mallory
    # The proxy appends the address it saw; a client's own X-Forwarded-For comes before it.
    response = log_in(client, alice.email, "pw", forwarded_for=f"{MALLORY}, {ALICE}")
    assert response.status_code == 302 and response.url == reverse("people:home")


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_a_client_cannot_dodge_the_limit_by_sending_its_own_header(client, alice):
    for n in range(per_ip_limit()):
        log_in(client, f"nobody{n}@example.com", "wrong", forwarded_for=f"192.0.2.{n}, {MALLORY}")
    refused = log_in(client, "nobody@example.com", "wrong", forwarded_for=f"192.0.2.99, {MALLORY}")
    assert TOO_MANY_ATTEMPTS in refused.content.decode()


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=0)
def test_without_a_trusted_proxy_the_header_is_ignored(client, alice):
    # Nobody vouches for X-Forwarded-For: a different one each time still counts as one address.
    for n in range(per_ip_limit()):
        log_in(client, f"nobody{n}@example.com", "wrong", forwarded_for=f"192.0.2.{n}")
    response = log_in(client, alice.email, "pw", forwarded_for=ALICE)
    assert TOO_MANY_ATTEMPTS in response.content.decode()


def test_the_settings_default_to_no_trusted_proxy():
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    assert settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER is None


def test_the_proxy_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    monkeypatch.setenv("TRUSTED_CLIENT_IP_HEADER", "X-Real-IP")
    values = runpy.run_path(SETTINGS_FILE)
    assert values["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1
    assert values["ALLAUTH_TRUSTED_CLIENT_IP_HEADER"] == "X-Real-IP"


@pytest.mark.parametrize("value", ["-1", "one"])
def test_a_bad_proxy_count_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", value)
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT"):
        runpy.run_path(SETTINGS_FILE)


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2)
def test_a_header_shorter_than_the_trusted_count_is_not_a_500(client, alice):
    """allauth raises ImproperlyConfigured (a 500) when X-Forwarded-For names fewer addresses than
    there are trusted proxies; such a request bypassed a proxy, so it counts by its own address."""
    response = log_in(client, alice.email, "pw", forwarded_for=ALICE)
    assert response.status_code == 302 and response.url == reverse("people:home")


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2)
def test_a_short_header_counts_as_the_connecting_address(client, alice):
    # Every failure names another address, but they all came from the proxy itself.
    for n in range(per_ip_limit()):
        log_in(client, f"nobody{n}@example.com", "wrong", forwarded_for=f"192.0.2.{n}")
    response = log_in(client, alice.email, "pw", forwarded_for="192.0.2.99")
    assert TOO_MANY_ATTEMPTS in response.content.decode()


@pytest.mark.parametrize(
    "settings_, forwarded, expected",
    [
        ({"ALLAUTH_TRUSTED_PROXY_COUNT": 0}, MALLORY, PROXY),
        ({"ALLAUTH_TRUSTED_PROXY_COUNT": 1}, f"{MALLORY}, {ALICE}", ALICE),
        ({"ALLAUTH_TRUSTED_PROXY_COUNT": 2}, f"{MALLORY}, {ALICE}, 10.0.0.9", ALICE),
        ({"ALLAUTH_TRUSTED_PROXY_COUNT": 2}, ALICE, PROXY),
        ({"ALLAUTH_TRUSTED_PROXY_COUNT": 1}, "not-an-address", PROXY),
        ({"ALLAUTH_TRUSTED_PROXY_COUNT": 1}, "[2001:db8::1]:443", "2001:db8::1"),
        ({"ALLAUTH_TRUSTED_CLIENT_IP_HEADER": "X-Real-IP"}, None, ALICE),
    ],
)
def test_client_ip(rf, settings_, forwarded, expected):
    from ops_skills.people.client_ip import client_ip

    headers = {"REMOTE_ADDR": PROXY, "HTTP_X_REAL_IP": ALICE}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    with override_settings(**settings_):
        assert client_ip(rf.get("/", **headers)) == expected


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_the_audit_trail_records_the_client_not_the_proxy(client, alice, lead):
    from auditlog import get_logentry_model

    client.force_login(lead)
    response = client.post(
        reverse("people:person-leave", args=[alice.pk]),
        {"departed_on": "2026-11-30"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{MALLORY}, {ALICE}",
    )
    assert response.status_code in (200, 302)
    entries = get_logentry_model().objects.filter(actor_id=lead.pk)
    assert entries.exists()
    assert {e.remote_addr for e in entries} == {ALICE}
