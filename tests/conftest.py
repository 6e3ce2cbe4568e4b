"""The cast every test can use: two teams, a lead and a member and a new hire on the first,
a lead of the second, and an admin."""

import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

from ops_skills.people.models import Person
from tests.factories import make_person, make_team


@pytest.fixture
def team(db):
    return make_team("Platform", slug="platform")


@pytest.fixture
def other_team(db):
    return make_team("Payments Ops", slug="payments")


@pytest.fixture
def lead(team):
    return make_person(team, Person.Role.LEAD, email="lead@example.com", name="Lena Lead")


@pytest.fixture
def member(team):
    return make_person(team, email="member@example.com", name="Max Member")


@pytest.fixture
def new_hire(team):
    return make_person(team, email="newhire@example.com", name="Nia Newhire")


@pytest.fixture
def other_lead(other_team):
    return make_person(other_team, Person.Role.LEAD, email="otherlead@example.com", name="Olu Otherlead")


@pytest.fixture
def admin_user(db):
    return make_person(
        None, Person.Role.ADMIN, email="admin@example.com", name="Ada Admin", is_staff=True, is_superuser=True
    )


@pytest.fixture
def cast(lead, member, new_hire, other_lead, admin_user):
    return {"lead": lead, "member": member, "new_hire": new_hire, "other_lead": other_lead, "admin": admin_user}


@pytest.fixture
def client_for(client):
    """``client_for(person)`` gives the test client logged in as that person (``None``: anonymous)."""

    def login(person):
        client.logout()
        if person is not None:
            client.force_login(person)
        return client

    return login


@pytest.fixture(autouse=True)
def stored_levels_stay_right(request):
    """After every test that used the database, the stored current levels are exactly what
    recomputing them gives: each test doubles as a scenario for the services and flows that
    refresh ``levels.store``. (A test that writes around them must refresh, as the code does.)"""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    transactional = {"transactional_db", "live_server"} & names or (marker and marker.kwargs.get("transaction"))
    if transactional or not ("db" in names or marker):
        yield  # a flushed database by the time this could look; their writes use the same services
        return
    # Set up the database first, so that it is torn down after this check rather than before.
    request.getfixturevalue("db")
    yield
    from ops_skills.levels import store

    found = store.differences()
    assert not found, f"stored levels differ from the recomputed ones: {dict(list(found.items())[:5])}"


class _OneRequestAtATime(ThreadedWSGIServer):
    """The live server of the browser tests, answering one request at a time. Its threads share
    the test database's one SQLite connection (in memory), which two requests at once (a page's
    htmx panels load in parallel) break with "bad parameter or other API misuse". Connections
    are still accepted in parallel, so keep-alive does not block; only the app is serialised."""

    _lock = threading.Lock()

    def set_app(self, application):
        def serialised(environ, start_response):
            with self._lock:
                response = application(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        super().set_app(serialised)


LiveServerThread.server_class = _OneRequestAtATime
