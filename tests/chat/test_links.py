"""Links in Slack messages are built as every link outside a page is (``people.links``): on the
host Slack's request came to while answering one, on SITE_URL when nobody asked (a digest)."""

import json

from ops_skills.chat import blocks, digest
from ops_skills.chat import slack as chat_slack
from ops_skills.chat.models import TeamChat
from ops_skills.evidence.models import PairingSession
from tests.factories import make_assessment, make_person, make_skill, make_system


def test_outside_a_request_a_link_is_on_site_url(settings):
    settings.SITE_URL = "https://skills.example.org/"
    assert blocks.link("/plan/", "The <planner>") == "<https://skills.example.org/plan/|The &lt;planner&gt;>"


def test_a_message_sent_while_answering_slack_links_to_the_host_slack_called(slash, slack, team, member):
    """The slack fixture's SITE_URL is http://ops-skills.example; the command came to testserver."""
    learner = make_person(team, email="learner@example.com")
    skill = make_skill(make_system(team, slug="pg"), slug="restore")
    slack.users.update({"UMEM": member.email, "ULRN": learner.email})
    slash("UMEM", f"pair <@UMEM> <@ULRN> {skill.column}", status=200)
    session = PairingSession.objects.get()
    [dm] = slack.called("chat.postMessage")
    assert f"<http://testserver{session.get_absolute_url()}|Open it>" in json.dumps(dm["blocks"])
    assert "ops-skills.example" not in json.dumps(dm)


def test_the_weekly_digest_links_to_site_url(slack, team, lead):
    make_assessment(lead, make_skill(make_system(team, slug="pg"), slug="restore"), level=3)
    TeamChat.objects.create(team=team, slack_channel="C0TEAM")
    digest.send(team, client=chat_slack.client())
    [posted] = slack.called("chat.postMessage")
    assert f"<http://ops-skills.example/reports/?team={team.slug}|The team's report>" in json.dumps(posted["blocks"])
