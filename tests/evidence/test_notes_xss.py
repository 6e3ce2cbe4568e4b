"""Notes of pairing sessions and runbook executions are sanitised Markdown."""

import re

import pytest

from tests.evidence.xss_payloads import PAYLOADS, assert_harmless
from tests.factories import make_execution, make_runbook, make_session, make_skill, make_system


def notes_region(html: str) -> str:
    match = re.search(r'<div class="markdown">(.*?)</div>\s*</section>', html, re.S)
    assert match, "the page shows no notes"
    return match.group(1)


@pytest.fixture
def skill(team):
    return make_skill(make_system(team), slug="deploy")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_session_notes_render_harmless(client_for, member, new_hire, skill, payload):
    session = make_session(member, [new_hire], [skill], notes=payload)
    html = client_for(member).get(session.get_absolute_url()).content.decode()
    assert_harmless(notes_region(html))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_execution_notes_render_harmless(client_for, member, skill, payload):
    execution = make_execution(make_runbook(skill.system, [skill]), member, notes=payload)
    html = client_for(member).get(execution.get_absolute_url()).content.decode()
    assert_harmless(notes_region(html))


def test_notes_markdown_still_renders(client_for, member, new_hire, skill):
    session = make_session(member, [new_hire], [skill], notes="Restored **staging**")
    html = notes_region(client_for(member).get(session.get_absolute_url()).content.decode())
    assert "staging" in html
