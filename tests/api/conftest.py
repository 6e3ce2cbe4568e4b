"""Calling the JSON API as someone: ``api(person).post(path, data)`` sends their token.

``AUTH_CASES`` are the eight callers of every permission matrix: no token, an unknown token, a
revoked token, the token of someone who has left, and the cast's member, lead, lead of another
team and admin (each with a token of their own).
"""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ops_skills.api import services
from tests.factories import make_person, make_runbook, make_skill, make_system

AUTH_CASES = ["none", "bad", "revoked", "departed", "member", "lead", "other_lead", "admin"]
FAILED_AUTH = ["none", "bad", "revoked", "departed"]


class ApiClient:
    def __init__(self, key: str | None):
        # CSRF checks on, as in production: the API must work without a CSRF token.
        self.client = Client(enforce_csrf_checks=True)
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def get(self, path, params=None):
        return self.client.get(path, params or {}, headers=self.headers)

    def post(self, path, data=None, *, raw: bytes | str | None = None):
        body = raw if raw is not None else ("" if data is None else json.dumps(data))
        return self.client.post(path, body, content_type="application/json", headers=self.headers)

    def call(self, method, path):
        return self.client.generic(method, path, headers=self.headers)


@pytest.fixture
def key_for(db):
    """``key_for(person)``: a new API token of that person, its key."""

    def create(person, name="script"):
        return services.token_create(person=person, name=name)[1]

    return create


@pytest.fixture
def departed(team):
    return make_person(team, email="gone@example.com", name="Gail Gone")


@pytest.fixture
def api(cast, departed, key_for):
    """``api(case)``: a client calling as one of ``AUTH_CASES`` (or ``api(person)``)."""

    def make(who):
        if not isinstance(who, str):
            return ApiClient(key_for(who))
        if who == "none":
            return ApiClient(None)
        if who == "bad":
            return ApiClient("osk_" + "x" * 43)
        if who == "revoked":
            token, key = services.token_create(person=cast["member"], name="old")
            services.token_revoke(token=token)
            return ApiClient(key)
        if who == "departed":
            key = key_for(departed)
            departed.departed_on = timezone.localdate() - timedelta(days=1)
            departed.save()
            return ApiClient(key)
        return ApiClient(key_for(cast[who]))

    return make


# Evidence logged through the API: a system with a skill and a runbook, and request bodies.


@pytest.fixture
def system(team):
    return make_system(team, slug="postgres-main", tier=1)


@pytest.fixture
def skill(system):
    return make_skill(system, slug="restore", name="Restore from snapshot")


@pytest.fixture
def runbook(system, skill):
    return make_runbook(system, [skill], title="Restore the main database")


def session_data(mentor, learners, **extra):
    data = {
        "mentor": mentor.email,
        "learners": [p.email for p in learners],
        "skills": ["postgres-main/restore"],
        "duration_minutes": 60,
        "notes": "Did a **restore** together.",
    }
    return data | extra


def execution_data(runbook, performer, participants=(), **extra):
    data = {
        "runbook": runbook.pk,
        "performer": performer.email,
        "participants": [p.email for p in participants],
        "environment": "staging",
        "outcome": "success",
        "notes": "Went fine.",
        "link": "https://tickets.example.com/OPS-1",
    }
    return data | extra
