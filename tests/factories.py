"""factory_boy factories. Reference data (objectives, commitments, cycles, parliaments) is
loaded once per test database; factories pick from it."""

import datetime

import factory
from django.contrib.auth import get_user_model

from commitments.models import Commitment, Cycle, Objective
from parliaments.models import Action, Parliament, PlanOfAction, Profile, ProgressUpdate

PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            Profile.objects.create(user=self, role=extracted, parliament=kwargs.get("parliament"))


def make_user(username, role, parliament_iso2=None):
    parliament = Parliament.objects.get(iso2=parliament_iso2) if parliament_iso2 else None
    return UserFactory(username=username, role=role, role__parliament=parliament)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanOfAction

    parliament = factory.LazyFunction(lambda: Parliament.objects.get(iso2="MA"))
    title = factory.Sequence(lambda n: f"Parliamentary plan of action on migration {n}")
    summary = "Hearings, a bill on migrant workers and ratification of the ICRMW."
    status = PlanOfAction.Status.ADOPTED
    adopted_on = datetime.date(2019, 11, 20)
    adopting_body = PlanOfAction.AdoptingBody.PLENARY
    is_current = True


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    plan = factory.SubFactory(PlanFactory)
    parliament = factory.SelfAttribute("plan.parliament")
    title = factory.Sequence(lambda n: f"Action {n}")
    description = "Committee hearing with migrant associations."
    action_type = "oversight"
    completion = "limited"

    @factory.post_generation
    def links(self, create, extracted, **kwargs):
        self.commitments.set([Commitment.objects.get(code=extracted or "R7a.2")])
        self.objectives.set(Objective.objects.filter(number__in=[7, 15]))


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    action = factory.SubFactory(ActionFactory)
    parliament = factory.SelfAttribute("action.parliament")
    date = datetime.date(2021, 6, 1)
    cycle = factory.LazyFunction(lambda: Cycle.objects.get(code="2021-progress"))
    completion = "substantial"
    narrative = "Two hearings held; the committee report was adopted."
