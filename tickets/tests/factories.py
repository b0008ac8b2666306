import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from tickets.models import Category, Channel, Comment, Queue, Ticket


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}@example.com")
    email = factory.LazyAttribute(lambda o: o.username)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("pass12345")


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Queue
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Queue {n}")
    slug = factory.Sequence(lambda n: f"queue-{n}")
    description = "Questions about this area."


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class TicketFactory(factory.django.DjangoModelFactory):
    """A stored ticket without running the intake pipeline; use services for behaviour tests."""

    class Meta:
        model = Ticket

    subject = factory.Faker("sentence", nb_words=6)
    body = factory.Faker("paragraph")
    channel = Channel.API
    customer = factory.SubFactory(UserFactory)
    customer_email = factory.LazyAttribute(lambda o: o.customer.email if o.customer else "")
    created_at = factory.LazyFunction(timezone.now)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    ticket = factory.SubFactory(TicketFactory)
    author_kind = "agent"
    body = factory.Faker("sentence")
