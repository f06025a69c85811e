import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parliaments import selectors
from parliaments.models import Action, Submission

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_covers_every_state_and_cycle():
    call_command("seed_demo", "--allow-without-debug", stdout=io.StringIO())
    counts = (Action.objects.count(), Submission.objects.count())
    out = io.StringIO()
    call_command("seed_demo", "--allow-without-debug", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert (Action.objects.count(), Submission.objects.count()) == counts

    states = set(Submission.objects.values_list("status", flat=True))
    assert states == {"draft", "submitted", "returned", "accepted"}
    cycles = set(Submission.objects.values_list("cycle__code", flat=True))
    assert cycles == {"2019-plan", "2021-progress", "2022-imrf", "2026-imrf"}
    regions = set(Submission.objects.values_list("parliament__region", flat=True))
    assert regions == {"africa", "americas", "asia", "europe", "oceania"}


def test_morocco_staff_see_more_than_the_public():
    from django.contrib.auth import get_user_model

    call_command("seed_demo", "--allow-without-debug", stdout=io.StringIO())
    editor = get_user_model().objects.get(username="editor.ma")
    staff = selectors.action_visible_to(editor).filter(parliament__iso2="MA").count()
    public = selectors.action_visible_to(None).filter(parliament__iso2="MA").count()
    assert 0 < public < staff


def test_seed_demo_refuses_without_debug():
    with pytest.raises(CommandError, match="runs only with DEBUG=1") as error:
        call_command("seed_demo")
    assert error.value.returncode == 2
