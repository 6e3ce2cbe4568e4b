"""Build a believable demo organisation, so a newcomer can log in and look around at once.

Idempotent: people, teams, systems and skills are matched by email and slug, and assessments are
only added for a (person, skill) that has none, so running it twice changes nothing. The demo's
git repository is the exception: each run rebuilds it as of today (``ops_skills/repos/demo.py``).
"""

import random
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ops_skills.evidence import demo as evidence_demo
from ops_skills.evidence.models import PairingSession
from ops_skills.levels import store
from ops_skills.levels.selectors import stored_levels
from ops_skills.onboarding import demo as onboarding_demo
from ops_skills.people.models import Notice, Person, Team
from ops_skills.planner import demo as planner_demo
from ops_skills.reports import demo as reports_demo
from ops_skills.repos import demo as repos_demo
from ops_skills.skills.models import Assessment, Skill, System

DEMO_PASSWORD = "ops-skills-demo"
# The other apps' demo data, in this order, once people, systems, skills and pairing sessions
# exist: runbooks and their executions first (the first seeder), then what is built on levels.
DEMO_SEEDERS = [evidence_demo.seed, reports_demo.seed, planner_demo.seed, onboarding_demo.seed]
DEMO_LEAD = "priya@example.com"

TEAMS = [
    ("platform", "Platform", "Runs the shared infrastructure: clusters, networks, databases, CI and monitoring."),
    ("payments", "Payments Ops", "Keeps payments, settlement batches and the merchant dashboard running."),
]

# email, name, team, role, title, started (days ago), departed (days ago or None)
PEOPLE = [
    ("priya@example.com", "Priya Raman", "platform", "lead", "Platform lead", 1400, None),
    ("marco@example.com", "Marco Bianchi", "platform", "member", "Senior SRE", 1100, None),
    ("jonas@example.com", "Jonas Weber", "platform", "member", "SRE", 700, None),
    ("aisha@example.com", "Aisha Khan", "platform", "member", "Cloud engineer", 420, None),
    ("ravi@example.com", "Ravi Patel", "platform", "member", "SRE (new hire)", 12, None),
    ("tom@example.com", "Tom Hughes", "platform", "member", "Network engineer", 1600, 60),
    ("dana@example.com", "Dana Okafor", "payments", "lead", "Payments Ops lead", 1200, None),
    ("alice@example.com", "Alice Moreau", "payments", "member", "Senior SRE", 1500, None),
    ("bob@example.com", "Bob Lindqvist", "payments", "member", "SRE", 600, None),
    ("chen@example.com", "Chen Wei", "payments", "member", "Backend engineer", 380, None),
    ("lena@example.com", "Lena Novak", "payments", "member", "SRE", 250, None),
    ("admin@example.com", "Sam Admin", None, "admin", "Engineering manager", 2000, None),
]

# slug, team, tier, description, [skills]
SYSTEMS = [
    (
        "payments-api",
        "payments",
        1,
        "The card and bank-transfer API merchants call; Django on ECS behind the ALB.",
        [
            "Deploy a release",
            "Roll back a release",
            "Rotate the PSP API keys",
            "Scale out for peak traffic",
            "Debug failed payment webhooks",
            "Replay stuck payment events",
        ],
    ),
    (
        "payments-web",
        "payments",
        2,
        "The merchant dashboard (React, served from S3 and CloudFront).",
        [
            "Deploy a release",
            "Roll back a release",
            "Invalidate the CDN cache",
            "Rotate the session secret",
            "Debug login failures",
        ],
    ),
    (
        "batch-jobs",
        "payments",
        1,
        "Nightly settlement and reconciliation batches on Airflow.",
        [
            "Re-run a failed settlement",
            "Payment-batch failover to the secondary region",
            "Backfill reconciliation",
            "Pause and resume the scheduler",
            "Upgrade Airflow",
        ],
    ),
    (
        "status-page",
        "payments",
        3,
        "Public status page and incident notices.",
        ["Post an incident update", "Add a component", "Schedule maintenance"],
    ),
    (
        "postgres-main",
        "platform",
        1,
        "The main managed PostgreSQL (RDS) cluster with read replicas.",
        [
            "Restore database from snapshot",
            "Point-in-time recovery",
            "Fail over to the replica",
            "Upgrade the major version",
            "Rotate database credentials",
            "Tune slow queries",
            "Resize the instance",
        ],
    ),
    (
        "ecs-cluster",
        "platform",
        1,
        "The ECS on EC2 cluster that runs every service.",
        [
            "Drain and replace a node",
            "Upgrade the AMI",
            "Debug a task that won't start",
            "Scale the capacity provider",
            "Rotate the cluster's IAM roles",
            "Recover from a failed deployment",
        ],
    ),
    (
        "terraform-network",
        "platform",
        2,
        "VPCs, subnets, transit gateway and the site-to-site VPN, in Terraform.",
        [
            "Plan and apply a network change",
            "Rotate the VPN pre-shared keys",
            "Add a peering connection",
            "Debug routing between VPCs",
            "Import drifted resources",
        ],
    ),
    (
        "terraform-modules",
        "platform",
        2,
        "The shared Terraform modules every team builds on.",
        [
            "Release a module version",
            "Upgrade the AWS provider",
            "Write a module test",
            "Migrate state between backends",
        ],
    ),
    (
        "ci-pipelines",
        "platform",
        2,
        "GitHub Actions runners and the deploy pipelines.",
        [
            "Fix a broken pipeline",
            "Rotate deploy credentials",
            "Upgrade self-hosted runners",
            "Add a new service pipeline",
            "Debug flaky caches",
        ],
    ),
    (
        "monitoring",
        "platform",
        2,
        "Prometheus, Alertmanager, Grafana and the on-call paging rules.",
        [
            "Add an alert",
            "Silence and route alerts",
            "Build a dashboard",
            "Upgrade Prometheus",
            "Debug missing metrics",
            "Tune alert thresholds",
        ],
    ),
    (
        "secrets-vault",
        "platform",
        1,
        "HashiCorp Vault holding every service's secrets.",
        [
            "Unseal Vault",
            "Rotate the root token",
            "Add a secrets engine",
            "Restore Vault from backup",
            "Renew the TLS certificate",
        ],
    ),
    (
        "edge-cdn",
        "platform",
        3,
        "CloudFront distributions and the WAF rules in front of them.",
        ["Renew the TLS certificate", "Change a WAF rule", "Add a distribution", "Purge a distribution"],
    ),
]

# Who is strong where: person -> {system slug: typical level}. Levels vary a little per skill.
STRENGTHS = {
    "priya@example.com": {
        "ecs-cluster": 4,
        "terraform-modules": 3,
        "monitoring": 3,
        "ci-pipelines": 2,
        "secrets-vault": 3,
    },
    "marco@example.com": {"postgres-main": 4, "secrets-vault": 3, "ecs-cluster": 3, "monitoring": 2},
    "jonas@example.com": {"ci-pipelines": 4, "monitoring": 4, "ecs-cluster": 3, "terraform-modules": 2, "edge-cdn": 3},
    "aisha@example.com": {
        "terraform-modules": 3,
        "terraform-network": 2,
        "edge-cdn": 3,
        "postgres-main": 2,
        "ci-pipelines": 2,
    },
    "ravi@example.com": {"monitoring": 1, "ecs-cluster": 1, "ci-pipelines": 1},
    "tom@example.com": {"terraform-network": 4, "edge-cdn": 3, "secrets-vault": 2},
    "dana@example.com": {"payments-api": 3, "batch-jobs": 2, "status-page": 4, "payments-web": 2},
    "alice@example.com": {"batch-jobs": 4, "payments-api": 4, "postgres-main": 3, "status-page": 3},
    "bob@example.com": {"payments-api": 3, "payments-web": 3, "status-page": 3, "batch-jobs": 2},
    "chen@example.com": {"payments-web": 4, "payments-api": 2},
    "lena@example.com": {"payments-api": 2, "batch-jobs": 2, "monitoring": 2, "payments-web": 2},
}

# The single points of knowledge the demo is meant to show: only this person covers the skill.
SOLE_HOLDERS = {
    ("batch-jobs", "payment-batch-failover-to-the-secondary-region"): "alice@example.com",
    ("postgres-main", "point-in-time-recovery"): "marco@example.com",
    ("secrets-vault", "unseal-vault"): "marco@example.com",
    ("ci-pipelines", "upgrade-self-hosted-runners"): "jonas@example.com",
    ("payments-api", "rotate-the-psp-api-keys"): "alice@example.com",
}


class Command(BaseCommand):
    help = "Create (or complete) the demo organisation: teams, people, systems, skills and levels."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would be created, write nothing.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off. The demo's accounts share a public password: never on a live site.",
        )

    def handle(self, *args, dry_run=False, force=False, **options):
        if not (settings.DEBUG or force or dry_run):
            raise CommandError(
                "DEBUG is off, so this looks like a live site: the demo would create admin@example.com and "
                f"others with the public password {DEMO_PASSWORD!r}. Run it with DEBUG=true, or pass --force."
            )
        # A dry run builds the demo's git repository in a temporary directory, gone afterwards.
        with tempfile.TemporaryDirectory() as scratch, transaction.atomic():
            counts = seed(today=timezone.localdate(), repos_dir=Path(scratch) if dry_run else None)
            if dry_run:
                transaction.set_rollback(True)
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        self.stdout.write(f"{'Would create' if dry_run else 'Created'}: {summary}.")
        self.stdout.write(
            self.style.SUCCESS(f"Demo lead: {DEMO_LEAD} / {DEMO_PASSWORD}   (admin: admin@example.com, same password)")
        )


def seed(*, today: date, repos_dir: Path | None = None) -> dict[str, int]:
    """Seed the demo as of ``today``; its git repository goes in ``repos_dir`` (DEMO_REPOS_DIR
    when not given)."""
    rng = random.Random(20261128)
    counts = {"teams": 0, "people": 0, "systems": 0, "skills": 0, "assessments": 0}
    teams = {}
    for slug, name, description in TEAMS:
        teams[slug], created = Team.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        counts["teams"] += created

    people = {}
    for email, name, team, role, title, started_days, departed_days in PEOPLE:
        person = Person.objects.filter(email=email).first()
        if person is None:
            person = Person.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                name=name,
                team=teams.get(team),
                role=role,
                title=title,
                started_on=today - timedelta(days=started_days),
                departed_on=today - timedelta(days=departed_days) if departed_days else None,
                is_active=departed_days is None,
                is_staff=role == "admin",
                is_superuser=role == "admin",
            )
            counts["people"] += 1
        EmailAddress.objects.get_or_create(user=person, email=email, defaults={"verified": True, "primary": True})
        people[email] = person

    skills_by_system: dict[str, list[Skill]] = {}
    for slug, team, tier, description, skill_names in SYSTEMS:
        system, created = System.objects.get_or_create(
            slug=slug, defaults={"name": slug, "team": teams[team], "tier": tier, "description": description}
        )
        counts["systems"] += created
        skills_by_system[slug] = []
        for skill_name in skill_names:
            skill, created = Skill.objects.get_or_create(
                system=system, slug=slugify(skill_name)[:100], defaults={"name": skill_name}
            )
            counts["skills"] += created
            skills_by_system[slug].append(skill)

    already = set(Assessment.objects.values_list("person_id", "skill_id"))
    admin = people["admin@example.com"]
    lead_of = {p.team_id: p for p in people.values() if p.is_lead}
    new = []
    for email, strengths in STRENGTHS.items():
        person = people[email]
        lead = lead_of.get(person.team_id)
        # A lead's own levels are stated by the admin; everyone else's by their lead.
        assessor = admin if lead is None or lead.pk == person.pk else lead
        for system_slug, typical in strengths.items():
            for skill in skills_by_system[system_slug]:
                # Draw every random number before deciding anything, so that a second run draws
                # the same sequence and finds everything already there.
                level = max(0, min(4, typical + rng.choice([-1, 0, 0, 0, 1])))
                when = timezone.make_aware(
                    datetime.combine(today - timedelta(days=rng.randint(5, 330)), time(9 + rng.randint(0, 8), 30))
                )
                draw = rng.random()
                sole = SOLE_HOLDERS.get((system_slug, skill.slug))
                if sole is not None:
                    level = max(level, 3) if sole == email else min(level, 2)
                if level == 0 or (person.pk, skill.pk) in already:
                    continue
                if draw < 0.2 and sole != email and assessor is lead:
                    # Only the person's own word so far: shows as self-assessed, counts at most 2.
                    new.append(_assessment(person, skill, level, "self", person, when))
                    continue
                if draw < 0.5 and assessor is lead:
                    new.append(_assessment(person, skill, min(level, 2), "self", person, when - timedelta(days=30)))
                new.append(_assessment(person, skill, level, "lead", assessor, when))
    Assessment.objects.bulk_create(new)
    # Written straight to the table: store the levels it changed.
    store.refresh({a.person_id for a in new}, {a.skill_id for a in new})
    counts["assessments"] = len(new)
    counts["pairing sessions"] = _seed_sessions(rng, people, skills_by_system, today)
    evidence_seeder, *seeders_on_levels = DEMO_SEEDERS
    counts.update(evidence_seeder(today=today))
    # The sessions and executions are written confirmed, straight to the tables, as a history
    # would have left them: the stored levels are recomputed once, from all of it, before the
    # reports, the plan and the onboarding read them.
    store.recompute_all()
    for seeder in seeders_on_levels:
        counts.update(seeder(today=today))
    # Last: its suggestions are about who has no level yet, once every level is there.
    counts.update(repos_demo.seed(today=today, root=repos_dir or settings.DEMO_REPOS_DIR))
    return counts


def _seed_sessions(rng: random.Random, people: dict, skills_by_system: dict, today: date) -> int:
    """Pairing sessions: most covers were practised lately (fresh), some long ago (stale), and the
    new hire has one waiting for confirmation. Only on a first run, so reruns add nothing."""
    if PairingSession.objects.exists():
        return 0
    levels = stored_levels(None, None)
    active = [p for p in people.values() if p.departed_on is None and p.team_id]
    created = 0
    for skill in [s for skills in skills_by_system.values() for s in skills]:
        holders = [p for p in active if (lv := levels.get((p.pk, skill.pk))) and lv.covers]
        learners = [p for p in active if not ((lv := levels.get((p.pk, skill.pk))) and lv.covers)]
        for mentor in holders:
            draw, days = rng.random(), rng.randint(3, 150)
            candidates = [p for p in learners if p.team_id == mentor.team_id]
            if draw > 0.6 or not candidates:
                continue
            learner = candidates[rng.randrange(len(candidates))]
            when = timezone.make_aware(datetime.combine(today - timedelta(days=days), time(14, 0)))
            session = PairingSession.objects.create(
                mentor=mentor,
                duration_minutes=rng.choice([30, 45, 60, 90]),
                occurred_at=when,
                notes=f"Walked through **{skill.name.lower()}** on {skill.system.name} together.",
                logged_by=mentor,
                status=PairingSession.Status.CONFIRMED,
                decided_by=learner,
                decided_at=when + timedelta(hours=3),
            )
            session.learners.set([learner])
            session.skills.set([skill])
            created += 1
    # The new hire has a session waiting for their confirmation.
    ravi, marco = people["ravi@example.com"], people["marco@example.com"]
    skill = next(s for s in skills_by_system["postgres-main"] if s.slug == "restore-database-from-snapshot")
    pending = PairingSession.objects.create(
        mentor=marco,
        duration_minutes=60,
        occurred_at=timezone.make_aware(datetime.combine(today - timedelta(days=1), time(10, 0))),
        notes="Restored the staging database from last night's snapshot.",
        logged_by=marco,
    )
    pending.learners.set([ravi])
    pending.skills.set([skill])
    Notice.objects.create(
        person=ravi, text=f"{marco} logged a pairing session with you on {skill.name}", url=pending.get_absolute_url()
    )
    return created + 1


def _assessment(person, skill, level, source, author, when) -> Assessment:
    note = "self assessment" if source == "self" else "confirmed in 1:1"
    return Assessment(
        person=person, skill=skill, level=level, source=source, author=author, assessed_at=when, note=note
    )
