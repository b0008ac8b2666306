import factory

from agents.models import Agent, Skill
from tickets.tests.factories import UserFactory


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Skill {n}")
    slug = factory.Sequence(lambda n: f"skill-{n}")


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent

    user = factory.SubFactory(
        UserFactory, username=factory.Sequence(lambda n: f"agent{n}@example.com")
    )
    languages = ["en"]
    timezone = "UTC"
    working_hours = factory.LazyFunction(lambda: {str(d): [["00:00", "24:00"]] for d in range(7)})
    max_tickets = 10
    is_available = True
    all_queues = True
