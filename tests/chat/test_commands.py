"""The slash command: pair, who, risk, link, help — same rules as the web, answers to the one who typed."""

import pytest

from ops_skills.chat.models import EvidenceMessage, SlackLink
from ops_skills.evidence.models import PairingSession
from ops_skills.people.models import Person
from ops_skills.reports import selectors
from ops_skills.reports.summary import summarise
from tests.factories import make_assessment, make_person, make_session, make_skill, make_system


@pytest.fixture
def crew(slack, team, lead, member, other_lead):
    learner = make_person(team, email="learner@example.com", name="Lena Learner")
    slack.users.update({"ULEAD": lead.email, "UMEM": member.email, "ULRN": learner.email, "UOTH": other_lead.email})
    pg = make_system(team, slug="pg", name="Postgres")
    skills = {slug: make_skill(pg, slug=slug, name=slug.title()) for slug in ("restore", "failover", "vacuum")}
    return {"lead": lead, "member": member, "learner": learner, "other_lead": other_lead, "pg": pg, **skills}


def text_of(answer) -> str:
    return answer["text"] + " " + " ".join(b.get("text", {}).get("text", "") for b in answer.get("blocks", []))


def test_help(slash, db):
    answer = slash("UANY", "help")
    assert "pair @mentor @learner" in answer["text"] and "who system/skill" in answer["text"]
    assert answer["response_type"] == "ephemeral"


def test_pair_logs_a_session_and_asks_the_learner_to_confirm(slash, slack, crew):
    answer = slash("UMEM", "pair <@UMEM|member> <@ULRN> pg/restore,pg/failover 45m went through the runbook")
    session = PairingSession.objects.get()
    assert session.mentor == crew["member"] and list(session.learners.all()) == [crew["learner"]]
    assert {s.slug for s in session.skills.all()} == {"restore", "failover"}
    assert session.duration_minutes == 45 and session.notes == "went through the runbook"
    assert session.logged_by == crew["member"] and session.status == PairingSession.Status.PENDING
    assert "Logged" in answer["text"]
    # The learner gets a direct message with the buttons; the one who logged it does not.
    [dm] = slack.called("chat.postMessage")
    assert dm["channel"] == "ULRN"
    actions = next(b for b in dm["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == ["evidence_confirm", "evidence_dispute"]
    assert {e["value"] for e in actions["elements"]} == {f"session:{session.pk}"}
    assert EvidenceMessage.objects.get().person == crew["learner"]


@pytest.mark.parametrize("duration, minutes", [("", 60), ("1h", 60), ("1h30m", 90), ("90m", 90), ("15min", 15)])
def test_pair_durations(slash, crew, duration, minutes):
    slash("UMEM", f"pair <@UMEM> <@ULRN> pg/restore {duration}".strip())
    assert PairingSession.objects.get().duration_minutes == minutes


@pytest.mark.parametrize(
    "text, says",
    [
        ("pair <@UMEM> pg/restore", "at least one learner"),
        ("pair <@UMEM> <@ULRN>", "Name the skill"),
        ("pair <@UMEM> <@ULRN> pg", "is not system/skill"),
        ("pair <@UMEM> <@ULRN> pg/nope", "No skill pg/nope"),
        ("pair <@UMEM> <@UNKNOWN> pg/restore", "not linked to anyone"),
        ("pair <@UMEM> <@UMEM> pg/restore", "cannot also be a learner"),
        ("pair <@UMEM> <@ULRN> pg/restore 0m", "between 1 minute and 24 hours"),
        ("pair <@UMEM> <@ULRN> pg/restore 99h", "between 1 minute and 24 hours"),
        ("dance", "I do not know “dance”"),
    ],
)
def test_pair_refusals_say_why_and_write_nothing(slash, slack, crew, text, says):
    answer = slash("UMEM", text)
    assert says in text_of(answer)
    assert not PairingSession.objects.exists()
    assert not slack.called("chat.postMessage")


def test_a_member_cannot_log_a_session_of_other_people(slash, crew):
    """The web's rule: only what you took part in, unless you lead the team."""
    answer = slash("UMEM", "pair <@ULEAD> <@ULRN> pg/restore")
    assert "only log evidence you took part in" in text_of(answer)
    assert not PairingSession.objects.exists()


def test_a_lead_may_log_for_their_team(slash, crew):
    slash("ULEAD", "pair <@UMEM> <@ULRN> pg/restore")
    assert PairingSession.objects.get().logged_by == crew["lead"]


def test_an_unknown_slack_user_is_told_how_to_link(slash, crew):
    answer = slash("USTRANGER", "who pg/restore")
    assert "I do not know who you are" in answer["text"]


def test_a_departed_person_is_not_recognised(slash, crew):
    Person.objects.filter(pk=crew["member"].pk).update(is_active=False)
    answer = slash("UMEM", "who pg/restore")
    assert "I do not know who you are" in answer["text"]


def test_the_link_is_kept_after_the_first_lookup(slash, slack, crew):
    slash("UMEM", "who pg/restore")
    slash("UMEM", "who pg/restore")
    assert len(slack.called("users.info")) == 1
    assert SlackLink.objects.get(person=crew["member"]).slack_user_id == "UMEM"


def test_who_names_fresh_and_stale_covers_and_learners(slash, crew):
    restore = crew["restore"]
    make_assessment(crew["lead"], restore, level=4)
    make_session(crew["lead"], [crew["learner"]], [restore], days_ago=3)  # practised: fresh
    stale = make_person(crew["pg"].team, email="stale@example.com", name="Sam Stale")
    make_assessment(stale, restore, level=3, days_ago=800)
    answer = text_of(slash("UMEM", "who pg/restore"))
    assert f"Covered, fresh: {crew['lead']} (4)" in answer
    assert "Covered, stale: Sam Stale (3)" in answer


def test_who_of_a_system(slash, crew):
    make_assessment(crew["lead"], crew["restore"], level=3)
    answer = text_of(slash("UMEM", "who pg"))
    assert "restore: 1 cover it" in answer and "failover: 0 cover it" in answer


def test_risk_counts_as_the_report_does(slash, crew, team):
    make_assessment(crew["lead"], crew["restore"], level=3)
    make_assessment(crew["member"], crew["failover"], level=3)
    make_assessment(crew["learner"], crew["failover"], level=3)
    answer = text_of(slash("UMEM", "risk"))
    facts, _ = selectors.report_facts(team=team, span=None, levels=False)
    report = summarise(facts)
    assert (
        f"Single points of knowledge in {team.name}: {report.single_points} (uncovered skills: {report.uncovered})"
        in answer.replace("*", "")
    )
    assert report.single_points == 1 and "pg/restore" in answer


def test_risk_of_an_unknown_team(slash, crew):
    assert "No team nope" in text_of(slash("UMEM", "risk nope"))


def test_user_text_cannot_ping_the_channel(slash, slack, crew):
    """Slack reads <!channel> as "notify everyone": names and notes are escaped."""
    Person.objects.filter(pk=crew["learner"].pk).update(name="<!channel> Lena")
    slash("UMEM", "pair <@UMEM> <@ULRN> pg/restore <!here> look")
    [dm] = slack.called("chat.postMessage")
    assert "<!channel>" not in str(dm) and "&lt;!channel&gt;" in str(dm)
