"""The hand-built dataset of the dashboards and reports tests."""

import datetime

import pytest
from django.test import Client

from commitments.models import Cycle
from parliaments import services
from parliaments.models import Parliament, Submission
from tests.factories import ActionFactory, PlanFactory, ProgressUpdateFactory, make_user

UTC = datetime.UTC


def _submitted(parliament, cycle_code, when, status, reviewer, focal):
    cycle = Cycle.objects.get(code=cycle_code)
    submission = services.submission_for(parliament, cycle)
    services.submission_submit(actor=focal, submission=submission)
    if status == "accepted":
        services.submission_accept(actor=reviewer, submission=submission)
    elif status == "returned":
        services.submission_return(actor=reviewer, submission=submission, comment="Add dates.")
    Submission.objects.filter(pk=submission.pk).update(first_submitted_at=when, submitted_at=when)
    return submission


@pytest.fixture
def known(db):
    """MA: plan adopted on time, 2021 report on time and accepted, one complete and one
    withdrawn action. MX: plan adopted late, 2021 report late and returned, one limited
    action. SN: a plan still in drafting, nothing submitted. KE: nothing at all."""
    reviewer = make_user("secretariat.reviewer", "secretariat")
    focal_ma = make_user("focal.ma", "focal_point", "MA")
    focal_mx = make_user("focal.mx", "focal_point", "MX")
    ma, mx, sn = (Parliament.objects.get(iso2=c) for c in ("MA", "MX", "SN"))
    plan_ma = PlanFactory(parliament=ma, adopted_on=datetime.date(2019, 11, 20))
    # Each completion is backed by a 2021 progress update: what gets published.
    for title, completion in (("MA complete", "complete"), ("MA withdrawn", "withdrawn")):
        ProgressUpdateFactory(
            action=ActionFactory(plan=plan_ma, completion=completion, title=title),
            completion=completion,
        )
    plan_mx = PlanFactory(parliament=mx, adopted_on=datetime.date(2020, 3, 12))
    ProgressUpdateFactory(
        action=ActionFactory(plan=plan_mx, completion="limited", title="MX limited", links="R7b.2"),
        completion="limited",
    )
    PlanFactory(parliament=sn, status="drafting", adopted_on=None)
    _submitted(
        ma,
        "2021-progress",
        datetime.datetime(2021, 12, 15, tzinfo=UTC),
        "accepted",
        reviewer,
        focal_ma,
    )
    _submitted(
        mx,
        "2021-progress",
        datetime.datetime(2022, 1, 10, tzinfo=UTC),
        "returned",
        reviewer,
        focal_mx,
    )
    client = Client()
    client.force_login(reviewer)
    return {"reviewer": reviewer, "client": client}
