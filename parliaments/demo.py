"""Demo data for the embedded set-up: about a dozen parliaments across every region and
all four cycles, in every state. Everything goes through the services, so the demo data
obeys the same rules (publication, history, versions) as real data. Fictional content."""

import datetime
import functools
import random

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from commitments.models import Commitment, Cycle, Instrument, Objective
from parliaments import services
from parliaments.following import services as following
from parliaments.models import Parliament, Profile, Role, Submission, SubmissionEvent

DEMO_PASSWORD = "rabat-2018-demo"  # noqa: S105 - the documented password of the embedded demo

ACCOUNTS = [
    ("editor.ma", "Amina", "Benali", Role.EDITOR, "MA"),
    ("focal.ma", "Youssef", "El Idrissi", Role.FOCAL_POINT, "MA"),
    ("editor.mx", "Lucía", "Hernández", Role.EDITOR, "MX"),
    ("focal.mx", "Diego", "Ramírez", Role.FOCAL_POINT, "MX"),
    ("secretariat", "Claire", "Martin", Role.SECRETARIAT, None),
    ("partner", "Samuel", "Okafor", Role.PARTNER, None),
]

# (title, type, commitment codes, objective numbers, instrument code)
ACTION_TEMPLATES = [
    ("Bill on the rights of migrant workers", "legislation", ["R7a.1"], [6, 7], None),
    (
        "Ratification of the Migrant Workers Convention (ICRMW)",
        "ratification",
        ["R7a.1"],
        [6, 7],
        "ICRMW",
    ),
    ("Committee inquiry into immigration detention", "oversight", ["R7a.2"], [7, 13], None),
    ("Hearing on disaggregated migration data", "oversight", ["R7b.2"], [1], None),
    ("Budget line for municipal integration services", "budget", ["R7b.1"], [15, 16], None),
    ("Anti-discrimination bill covering migrants", "legislation", ["R7b.3"], [16, 17], None),
    ("Consultation with migrant and diaspora associations", "outreach", ["R6.3"], [16, 19], None),
    ("Twinning with a neighbouring parliament on migration", "cooperation", ["R5.1"], [23], None),
    ("Training for members and staff on the Global Compact", "capacity", ["R6.2"], [23], None),
    ("Ratification of the Smuggling of Migrants Protocol", "ratification", ["R7c.2"], [9], "SOM"),
    ("Oversight of the national anti-trafficking plan", "oversight", ["R7c.2"], [10], None),
    ("Bill widening labour-migration pathways", "legislation", ["R7c.3"], [5, 6], None),
    ("Parliamentary contribution to the IMRF", "cooperation", ["R8.3"], [23], None),
    ("Questions to the government on remittance costs", "oversight", ["R8.4"], [20], None),
    (
        "Ratification of the Domestic Workers Convention (C189)",
        "ratification",
        ["R7a.1"],
        [6],
        "C189",
    ),
    ("Climate-displacement study by the development committee", "oversight", ["R7c.1"], [2], None),
]

# The French that two francophone parliaments of the demo (Morocco, Senegal) give beside
# their English titles, so that a French reader sees translated content and the others
# the text as written, marked with its language.
FRENCH_TITLES = {
    "Bill on the rights of migrant workers": (
        "Projet de loi sur les droits des travailleurs migrants"
    ),
    "Ratification of the Migrant Workers Convention (ICRMW)": (
        "Ratification de la Convention sur les travailleurs migrants (ICRMW)"
    ),
    "Committee inquiry into immigration detention": (
        "Enquête de la commission sur la rétention des migrants"
    ),
    "Hearing on disaggregated migration data": "Audition sur les données migratoires ventilées",
    "Budget line for municipal integration services": (
        "Ligne budgétaire pour les services municipaux d'intégration"
    ),
    "Anti-discrimination bill covering migrants": (
        "Projet de loi contre les discriminations visant aussi les migrants"
    ),
    "Consultation with migrant and diaspora associations": (
        "Consultation des associations de migrants et de la diaspora"
    ),
    "Twinning with a neighbouring parliament on migration": (
        "Jumelage avec un parlement voisin sur les migrations"
    ),
    "Training for members and staff on the Global Compact": (
        "Formation des parlementaires et du personnel au Pacte mondial"
    ),
    "Ratification of the Smuggling of Migrants Protocol": (
        "Ratification du Protocole contre le trafic illicite de migrants"
    ),
    "Oversight of the national anti-trafficking plan": (
        "Contrôle du plan national de lutte contre la traite"
    ),
    "Bill widening labour-migration pathways": (
        "Projet de loi élargissant les voies de migration de travail"
    ),
    "Parliamentary contribution to the IMRF": "Contribution parlementaire au FEMI",
    "Questions to the government on remittance costs": (
        "Questions au gouvernement sur le coût des envois de fonds"
    ),
    "Ratification of the Domestic Workers Convention (C189)": (
        "Ratification de la Convention sur les travailleuses et travailleurs domestiques (C189)"
    ),
    "Climate-displacement study by the development committee": (
        "Étude de la commission du développement sur les déplacements climatiques"
    ),
}
FRENCH_DESCRIPTION = (
    "Conduite par la commission chargée des migrations, avec le ministère concerné et les "
    "organisations de la société civile."
)
TRANSLATED_INTO_FRENCH = {"MA", "SN"}

ACC, SUB, RET, DRAFT = "accepted", "submitted", "returned", "draft"
# The four cycles of the reference data, in order (also used by parliaments.scale).
CYCLE_CODES = ("2019-plan", "2021-progress", "2022-imrf", "2026-imrf")
COMMITTEES = (
    "Committee on Foreign Affairs",
    "Committee on Human Rights",
    "Budget Committee",
    "Committee on Labour and Social Affairs",
    "Committee on Home Affairs",
    "Bureau",
)


def _reports(plan=None, progress=None, imrf22=None, imrf26=None):
    states = (plan, progress, imrf22, imrf26)
    return {code: state for code, state in zip(CYCLE_CODES, states, strict=True) if state}


# iso2: (plan status, adopted on, {cycle code: final submission status})
PARLIAMENTS = {
    "MA": ("adopted", datetime.date(2019, 11, 20), _reports(ACC, RET)),
    "MX": ("adopted", datetime.date(2020, 3, 12), _reports(ACC, SUB)),
    "SN": ("adopted", datetime.date(2019, 12, 10), _reports(SUB)),
    "KE": ("drafting", None, _reports()),
    "EC": ("adopted", datetime.date(2019, 10, 2), _reports(ACC, ACC, ACC)),
    "CA": ("adopted", datetime.date(2019, 6, 18), _reports(ACC, ACC, RET)),
    "PH": ("under_revision", datetime.date(2019, 9, 25), _reports(ACC, ACC, SUB)),
    "BD": ("not_started", None, _reports()),
    "JO": ("drafting", None, _reports(RET)),
    "IT": ("adopted", datetime.date(2019, 12, 17), _reports(ACC, ACC, ACC, DRAFT)),
    "SE": ("adopted", datetime.date(2019, 5, 29), _reports(ACC, ACC, ACC, SUB)),
    "FJ": ("adopted", datetime.date(2020, 8, 4), _reports(ACC)),
}

PROGRESS_TEXT = {
    "limited": "First reading held; the committee heard the ministry and civil society.",
    "substantial": "Adopted in committee; plenary vote scheduled; regulations drafted.",
    "complete": "Adopted and published in the official gazette; the committee follows it up.",
    "not_started": "Scheduled for the next session; rapporteur appointed.",
}


PROGRESS_TEXT_FR = {
    "limited": "Première lecture tenue\u00a0; la commission a entendu le ministère et la société "
    "civile.",
    "substantial": "Adopté en commission\u00a0; vote en plénière programmé\u00a0; décrets rédigés.",
    "complete": "Adopté et publié au journal officiel\u00a0; la commission en assure le suivi.",
    "not_started": "Inscrit à la prochaine session\u00a0; rapporteur désigné.",
}


def demo_seeded():
    return get_user_model().objects.filter(username="editor.ma").exists()


def seed_demo():
    """Create the demo accounts and data once; a second run changes nothing. The
    demo sends nothing: its submissions queue no email and no task (outbox suppressed)."""
    if demo_seeded():
        return False
    with services.outbox_suppressed():
        _seed()
    return True


@transaction.atomic
def _seed():
    rng = random.Random(2018)  # noqa: S311 - deterministic demo data, not security
    users = _accounts()
    reviewer = users["secretariat"]
    commitments = Commitment.objects.in_bulk(field_name="code")
    objectives = Objective.objects.in_bulk(field_name="number")
    instruments = Instrument.objects.in_bulk(field_name="code")
    cycles = {cycle.code: cycle for cycle in Cycle.objects.all()}

    for iso2, (status, adopted_on, reports) in PARLIAMENTS.items():
        parliament = Parliament.objects.get(iso2=iso2)
        staff = users.get(f"editor.{iso2.lower()}") or reviewer
        focal = users.get(f"focal.{iso2.lower()}") or _focal_for(parliament)
        plan = services.plan_create(
            actor=staff,
            parliament=parliament,
            title=f"Parliamentary plan of action on migration of {parliament.name}",
            summary=(
                "Sets out how the parliament uses its legislative, budgetary and oversight "
                "powers to implement the Global Compact, following the Rabat outcome document."
            ),
            status=status,
            adopted_on=adopted_on,
            adopting_body="plenary" if adopted_on else "",
            period_start=datetime.date(2020, 1, 1) if adopted_on else None,
            period_end=datetime.date(2023, 12, 31) if adopted_on else None,
            **_french_plan(parliament),
        )
        templates = (
            rng.sample(ACTION_TEMPLATES[:-2], rng.randint(4, 8)) if status != "not_started" else []
        )
        actions = [
            _action(staff, plan, template, commitments, objectives, instruments, rng)
            for template in templates
        ]
        for code in CYCLE_CODES:
            if code not in reports:
                continue
            cycle = cycles[code]
            for action in actions:
                if rng.random() < 0.7:
                    _progress(staff, action, cycle, rng)
            _submit(focal, reviewer, parliament, cycle, reports[code])
        if iso2 == "MA":
            # Added after the accepted 2019 report: visible to Morocco's staff, not the public.
            for template in ACTION_TEMPLATES[-2:]:
                _action(staff, plan, template, commitments, objectives, instruments, rng)
    # The partner follows Morocco and objective 7: their notifications show what that is.
    following.follow(users["partner"], parliament=Parliament.objects.get(iso2="MA"))
    following.follow(users["partner"], objective=objectives[7])
    following.notify(limit=10**6)


def _accounts():
    users = {}
    User = get_user_model()
    for username, first, last, role, iso2 in ACCOUNTS:
        user = User.objects.create_user(
            username=username,
            email=f"{username}@demo.compact-tracker.invalid",
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            is_staff=role == Role.SECRETARIAT,
            is_superuser=role == Role.SECRETARIAT,
        )
        parliament = Parliament.objects.get(iso2=iso2) if iso2 else None
        Profile.objects.create(user=user, role=role, parliament=parliament)
        users[username] = user
    return users


def _focal_for(parliament):
    """A focal point for the other demo parliaments (no password: they cannot sign in)."""
    User = get_user_model()
    user = User(
        username=f"focal.{parliament.iso2.lower()}",
        email=f"focal.{parliament.iso2.lower()}@demo.compact-tracker.invalid",
        first_name="Focal point",
        last_name=parliament.name,
    )
    user.set_unusable_password()
    user.save()
    Profile.objects.create(user=user, role=Role.FOCAL_POINT, parliament=parliament)
    return user


def _action(actor, plan, template, commitments, objectives, instruments, rng):
    title, action_type, codes, numbers, instrument = template
    start = datetime.date(2020, rng.randint(1, 12), 1)
    french = {}
    if plan.parliament.iso2 in TRANSLATED_INTO_FRENCH:
        french = {"title_in_fr": FRENCH_TITLES[title], "description_in_fr": FRENCH_DESCRIPTION}
    return services.action_create(
        actor=actor,
        plan=plan,
        commitments=[commitments[code] for code in codes],
        objectives=[objectives[number] for number in numbers],
        title=title,
        description="Led by the committee responsible for migration, with the ministry "
        "concerned and civil-society organisations.",
        action_type=action_type,
        instrument=instruments.get(instrument),
        responsible_body=rng.choice(COMMITTEES),
        start_date=start,
        target_date=start.replace(year=start.year + rng.randint(1, 3)),
        completion="not_started",
        **french,
    )


def _french_plan(parliament):
    if parliament.iso2 not in TRANSLATED_INTO_FRENCH:
        return {}
    return {
        "title_in_fr": "Plan d'action parlementaire sur les migrations",
        "summary_in_fr": (
            "Expose comment le parlement use de ses pouvoirs législatif, budgétaire et de "
            "contrôle pour mettre en œuvre le Pacte mondial, dans le suivi du document "
            "final de Rabat."
        ),
    }


LEVELS = ["not_started", "limited", "substantial", "complete"]


def _progress(actor, action, cycle, rng):
    """Progress only moves forward in the demo: each update reaches the same or a higher
    completion level than the action had."""
    action.refresh_from_db(fields=["completion", "version"])
    completion = rng.choice(LEVELS[LEVELS.index(action.completion) :])
    date = min(cycle.due_date - datetime.timedelta(days=rng.randint(20, 200)), timezone.localdate())
    # A completed action comes with its official record, public for about half of them
    # (the others show their title only, once published).
    files = (
        [SimpleUploadedFile("gazette-notice.pdf", _demo_pdf(), content_type="application/pdf")]
        if completion == "complete"
        else []
    )
    services.progress_update_create(
        actor=actor,
        action=action,
        date=date,
        cycle=cycle,
        completion=completion,
        narrative=PROGRESS_TEXT[completion],
        **(
            {"narrative_in_fr": PROGRESS_TEXT_FR[completion]}
            if action.parliament.iso2 in TRANSLATED_INTO_FRENCH
            else {}
        ),
        files=files,
        files_public=rng.random() < 0.5,
        links=[("Committee report", "https://example.org/committee-report")]
        if rng.random() < 0.3
        else [],
    )


@functools.cache
def _demo_pdf():
    """A one-page PDF standing for an official record in the demo."""
    from weasyprint import HTML

    return HTML(
        string="<h1>Official gazette notice</h1><p>Demonstration document: Compact Tracker "
        "sample data, not a real publication.</p>"
    ).write_pdf()


def _submit(focal, reviewer, parliament, cycle, final_status):
    submission = services.submission_for(parliament, cycle)
    if final_status == Submission.Status.DRAFT:
        return
    services.submission_submit(actor=focal, submission=submission)
    if final_status == Submission.Status.ACCEPTED:
        services.submission_accept(actor=reviewer, submission=submission)
    elif final_status == Submission.Status.RETURNED:
        services.submission_return(
            actor=reviewer,
            submission=submission,
            comment="Please add the adoption dates and evidence for the completed actions.",
            item_comments=[
                (
                    submission.parliament.plans.filter(
                        is_current=True, is_published_copy=False
                    ).first(),
                    "Add the period the plan covers.",
                )
            ],
        )
    # Demo timestamps: reports arrive around each cycle's due date, some late.
    when = datetime.datetime.combine(cycle.due_date, datetime.time(10), tzinfo=datetime.UTC)
    when -= datetime.timedelta(days=sum(map(ord, parliament.iso2)) % 60 - 15)
    Submission.objects.filter(pk=submission.pk).update(
        first_submitted_at=when,
        submitted_at=when,
        reviewed_at=when + datetime.timedelta(days=12)
        if final_status in ("accepted", "returned")
        else None,
    )
    submission.events.filter(kind=SubmissionEvent.Kind.SUBMITTED).update(at=when)
    submission.events.exclude(kind=SubmissionEvent.Kind.SUBMITTED).update(
        at=when + datetime.timedelta(days=12)
    )
