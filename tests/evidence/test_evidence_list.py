"""The evidence list: a person's own records ("mine", "to confirm") read whole by their keys,
newest first across both kinds and across pages, in a fixed number of queries."""

import pytest
from django.urls import reverse

from ops_skills.evidence.views import PAGE_SIZE
from tests.factories import make_execution, make_person, make_runbook, make_session, make_skill, make_system


@pytest.fixture
def skill(team):
    return make_skill(make_system(team, slug="queue"), slug="drain")


@pytest.fixture
def runbook(skill):
    return make_runbook(skill.system, [skill], title="Drain the queue")


def _shown(client, **query):
    page = client.get(reverse("evidence:list"), query).context["page"]
    return page, [(type(e).__name__, e.pk) for e in page.object_list]


def test_mine_is_newest_first_across_kinds_and_pages(client_for, member, new_hire, lead, skill, runbook):
    mine = []
    for day in range(1, PAGE_SIZE + 6):  # one and a bit pages, the two kinds interleaved
        if day % 2:
            record = make_session(member, [new_hire], [skill], days_ago=day)
        else:
            record = make_execution(runbook, new_hire, participants=[member], days_ago=day)
        mine.append((type(record).__name__, record.pk))
    make_session(lead, [new_hire], [skill], days_ago=0)  # not theirs: never listed
    client = client_for(member)
    first, shown_first = _shown(client)
    second, shown_second = _shown(client, page=2)
    assert first.paginator.count == len(mine)
    assert shown_first + shown_second == mine


def test_to_confirm_lists_what_waits_on_them(client_for, member, new_hire, lead, skill, runbook):
    waiting = make_session(new_hire, [member], [skill], status="pending", logged_by=new_hire)
    make_session(member, [new_hire], [skill], status="pending", logged_by=member)  # they logged it
    make_session(member, [new_hire], [skill], status="confirmed")
    execution = make_execution(runbook, new_hire, participants=[member], status="pending", logged_by=new_hire)
    page, shown = _shown(client_for(member), show="to-confirm")
    assert page.paginator.count == 2
    assert sorted(shown) == sorted([("PairingSession", waiting.pk), ("RunbookExecution", execution.pk)])


@pytest.mark.parametrize("n", [1, 40])
@pytest.mark.parametrize("show", ["mine", "to-confirm"])
def test_own_lists_run_a_fixed_number_of_queries(
    client_for, member, team, skill, runbook, django_assert_max_num_queries, n, show
):
    others = [make_person(team, email=f"peer{i}@example.com") for i in range(3)]
    for i in range(n):
        peer = others[i % 3]
        make_session(peer, [member, others[(i + 1) % 3]], [skill], status="pending", logged_by=peer)
        make_execution(runbook, peer, participants=[member], status="pending", logged_by=peer)
    # session, user; their records' ids (mentor, learner, performer, participant); the keys of
    # each kind, read whole, which count them too; the page's records of each kind; learners,
    # skills with their systems, participants; unread notices
    client = client_for(member)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("evidence:list"), {"show": show})
    assert response.context["page"].paginator.count == 2 * n
