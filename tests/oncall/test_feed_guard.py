"""Feeds come from public addresses only (unless ONCALL_FEEDS_ALLOW_PRIVATE): a lead's feed
address must not make the server fetch from itself, its network or the cloud's metadata
service, whether written as an address, as a name resolving to one, or reached by a redirect.
Refused before any connection is made: the servers on loopback see no request."""

import socket
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer

from ops_skills.oncall import feeds, services
from ops_skills.oncall.models import Shift
from tests.oncall.conftest import calendar

NOW = datetime(2027, 3, 15, 12, tzinfo=UTC)
ONE_SHIFT = calendar("DTSTART:20270316T090000Z\nDTEND:20270317T090000Z\nATTENDEE:mailto:ana@example.com")


@pytest.fixture
def guarded(settings):
    settings.ONCALL_FEEDS_ALLOW_PRIVATE = False


@pytest.fixture
def connections(monkeypatch):
    """The addresses connected to, in order (every connection is still made)."""
    made = []
    connect = socket.create_connection

    def spy(address, *args, **kwargs):
        made.append(address[0])
        return connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", spy)
    return made


@pytest.fixture
def loopback_is_public(monkeypatch):
    """127.0.0.1 counts as a public address (the tests' stand-in for a rota tool on the
    internet); every other address is judged as in production."""
    judge = feeds.refused
    monkeypatch.setattr(feeds, "refused", lambda address: None if address == "127.0.0.1" else judge(address))


@pytest.fixture
def second_server():
    """Another server on loopback, at 127.0.0.2 (still refused with ``loopback_is_public``)."""
    server = HTTPServer(host="127.0.0.2", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 (an address refused, not one listened on)
        ("169.254.169.254", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("240.0.0.1", "private"),  # reserved, and in Python's list of private networks too
        ("100.64.0.1", "non-public"),  # shared address space (carrier-grade NAT)
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_which_addresses_are_refused(address, kind):
    assert feeds.refused(address) == kind


@pytest.mark.parametrize(
    ("host", "shown"),
    [
        ("127.0.0.1", "127.0.0.1 is at 127.0.0.1, a loopback address"),
        ("localhost", "localhost is at 127.0.0.1, a loopback address"),
    ],
)
def test_a_feed_on_loopback_is_refused_before_the_server_hears_of_it(
    guarded, httpserver, make_schedule, connections, host, shown
):
    httpserver.expect_request("/rota.ics").respond_with_data(ONE_SHIFT, content_type="text/calendar")
    schedule = make_schedule(f"http://{host}:{httpserver.port}/rota.ics")
    fetched = services.schedule_fetch(schedule=schedule, now=NOW)
    assert fetched.error.startswith(f"Refused: {shown}. A feed must be on the public internet")
    schedule.refresh_from_db()
    assert schedule.last_error == fetched.error and schedule.last_error_at == NOW
    assert httpserver.log == [] and connections == []
    assert not Shift.objects.filter(schedule=schedule).exists()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://[::1]:8080/rota.ics", "::1 is at ::1, a loopback address"),
        ("http://10.1.2.3/rota.ics", "10.1.2.3 is at 10.1.2.3, a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is at 169.254.169.254, a link-local address"),
        ("https://192.168.0.10/rota.ics", "192.168.0.10 is at 192.168.0.10, a private address"),
        ("webcal://172.17.0.1/rota.ics", "172.17.0.1 is at 172.17.0.1, a private address"),
    ],
)
def test_private_and_metadata_addresses_are_refused_without_connecting(guarded, make_schedule, connections, url, shown):
    schedule = make_schedule(url)
    fetched = services.schedule_fetch(schedule=schedule, now=NOW)
    assert fetched.error.startswith(f"Refused: {shown}.")
    assert connections == []


def test_a_name_resolving_to_a_private_address_among_public_ones_is_refused(
    guarded, make_schedule, connections, monkeypatch
):
    """Every address the name resolves to is checked, not only the first."""

    def resolve(host, port, *args, **kwargs):
        assert host == "rota.example"
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    fetched = services.schedule_fetch(schedule=make_schedule("http://rota.example/rota.ics"), now=NOW)
    assert fetched.error.startswith("Refused: rota.example is at 10.0.0.7, a private address.")
    assert connections == []


def test_a_public_feed_is_fetched_at_the_address_that_was_checked(
    guarded, loopback_is_public, httpserver, make_schedule, connections, monkeypatch
):
    """The name is resolved once: a second answer (a rebinding DNS server) is never asked for."""
    answers = iter(["127.0.0.1", "10.0.0.7"])

    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers) if host == "rota.example" else host, port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    httpserver.expect_request("/rota.ics").respond_with_data(ONE_SHIFT, content_type="text/calendar")
    fetched = services.schedule_fetch(
        schedule=make_schedule(f"http://rota.example:{httpserver.port}/rota.ics"), now=NOW
    )
    assert fetched.error == "" and fetched.shifts == 1
    assert connections == ["127.0.0.1"]
    assert httpserver.log[0][0].headers["Host"] == f"rota.example:{httpserver.port}"


def test_a_redirect_to_another_loopback_server_is_refused(
    guarded, loopback_is_public, httpserver, second_server, make_schedule, connections
):
    second_server.expect_request("/rota.ics").respond_with_data(ONE_SHIFT, content_type="text/calendar")
    httpserver.expect_request("/rota.ics").respond_with_data(
        "", status=302, headers={"Location": second_server.url_for("/rota.ics")}
    )
    schedule = make_schedule(httpserver.url_for("/rota.ics"))
    fetched = services.schedule_fetch(schedule=schedule, now=NOW)
    assert fetched.error.startswith("Refused: 127.0.0.2 is at 127.0.0.2, a loopback address.")
    assert len(httpserver.log) == 1 and second_server.log == []
    assert connections == ["127.0.0.1"]


def test_a_redirect_to_the_metadata_service_is_refused(
    guarded, loopback_is_public, httpserver, make_schedule, connections
):
    httpserver.expect_request("/rota.ics").respond_with_data(
        "", status=301, headers={"Location": "http://169.254.169.254/latest/meta-data/iam/"}
    )
    fetched = services.schedule_fetch(schedule=make_schedule(httpserver.url_for("/rota.ics")), now=NOW)
    assert fetched.error.startswith("Refused: 169.254.169.254 is at 169.254.169.254, a link-local address.")
    assert connections == ["127.0.0.1"]


def test_a_redirect_to_ftp_is_not_followed(httpserver, make_schedule, connections):
    """Only http and https are spoken, allowed private addresses or not."""
    httpserver.expect_request("/rota.ics").respond_with_data(
        "", status=302, headers={"Location": "ftp://127.0.0.1/rota.ics"}
    )
    fetched = services.schedule_fetch(schedule=make_schedule(httpserver.url_for("/rota.ics")), now=NOW)
    assert fetched.error.startswith("Could not reach the server: unknown url type: ftp")
    assert len(connections) == 1  # the feed's own server only


def test_with_private_addresses_allowed_a_feed_on_loopback_and_its_redirects_are_read(
    httpserver, second_server, make_schedule, settings
):
    assert settings.ONCALL_FEEDS_ALLOW_PRIVATE  # as in tests/settings.py
    second_server.expect_request("/rota.ics").respond_with_data(ONE_SHIFT, content_type="text/calendar")
    httpserver.expect_request("/old.ics").respond_with_data(
        "", status=302, headers={"Location": second_server.url_for("/rota.ics")}
    )
    fetched = services.schedule_fetch(schedule=make_schedule(httpserver.url_for("/old.ics")), now=NOW)
    assert fetched.error == "" and fetched.shifts == 1


def test_pagerduty_is_read_from_its_configured_address_even_on_loopback(guarded, httpserver, make_schedule, settings):
    """PAGERDUTY_API_URL is the admin's setting, not an address a lead types: not checked."""
    settings.PAGERDUTY_API_URL = httpserver.url_for("/")
    settings.PAGERDUTY_API_TOKEN = "token"
    httpserver.expect_request("/oncalls").respond_with_json({"oncalls": [], "more": False})
    schedule = make_schedule(kind="pagerduty", pagerduty_schedule_id="PI7DH85")
    fetched = services.schedule_fetch(schedule=schedule, now=NOW)
    assert fetched.error == "" and len(httpserver.log) == 1
