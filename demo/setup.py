"""Reference data and users of the demo; every function is idempotent (update_or_create)."""

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from agents.accounts import user_role_ensure
from agents.models import Agent, Skill
from routing.models import RoutingRule, UrgencyPhrase
from sla.models import BusinessCalendar, Holiday, SLAPolicy
from tickets.models import Category, Queue

from . import reference

DEMO_PASSWORD = "demo12345"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin12345"
MANAGER_EMAIL = "manager@example.com"
CUSTOMER_EMAIL = "customer@example.com"

CUSTOMERS = [
    ("customer@example.com", "Casey", "Customer", "en"),
    ("max.mustermann@example.de", "Max", "Mustermann", "de"),
    ("erika.musterfrau@example.de", "Erika", "Musterfrau", "de"),
    ("tom.baker@example.com", "Tom", "Baker", "en"),
    ("nina.kraus@example.de", "Nina", "Kraus", "de"),
    ("liam.smith@example.com", "Liam", "Smith", "en"),
    ("mia.hoffmann@example.de", "Mia", "Hoffmann", "de"),
    ("noah.clark@example.com", "Noah", "Clark", "en"),
    ("ava.turner@example.com", "Ava", "Turner", "en"),
    ("felix.wagner@example.de", "Felix", "Wagner", "de"),
    ("zoe.walker@example.com", "Zoe", "Walker", "en"),
    ("paul.schulz@example.de", "Paul", "Schulz", "de"),
    ("ella.young@example.com", "Ella", "Young", "en"),
    ("ben.richter@example.de", "Ben", "Richter", "de"),
    ("ops@acme-enterprise.example.com", "Acme", "Operations", "en"),
    ("it@globex.example.com", "Globex", "IT", "en"),
]


@transaction.atomic
def demo_reference_seed() -> dict[str, Queue]:
    skills = {
        slug: Skill.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )[0]
        for slug, name, description in reference.SKILLS
    }
    cal = reference.CALENDAR
    calendar, _ = BusinessCalendar.objects.update_or_create(
        name=cal["name"], defaults={"timezone": cal["timezone"], "hours": cal["hours"]}
    )
    for day, name in cal["holidays"]:
        Holiday.objects.update_or_create(
            calendar=calendar, date=date.fromisoformat(day), defaults={"name": name}
        )
    queues: dict[str, Queue] = {}
    for spec in reference.QUEUES:
        queues[spec["slug"]] = Queue.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "description": spec["description"],
                "default_priority": spec["default_priority"],
                "required_skill": skills.get(spec["skill"]) if spec["skill"] else None,
                "is_triage": spec.get("is_triage", False),
                "calendar": calendar,
                "is_active": True,
            },
        )[0]
    for queue_slug, category in reference.CATEGORIES.items():
        if category is None:
            continue
        name, slug, children = category
        parent = Category.objects.update_or_create(
            slug=slug, defaults={"name": name, "queue": queues[queue_slug], "parent": None}
        )[0]
        for child_name, child_slug in children:
            Category.objects.update_or_create(
                slug=child_slug,
                defaults={"name": child_name, "parent": parent, "queue": queues[queue_slug]},
            )
    for priority, (first, resolution, at_risk) in reference.SLA.items():
        SLAPolicy.objects.update_or_create(
            priority=priority,
            queue=None,
            defaults={
                "name": f"Default {priority}",
                "first_response_minutes": first,
                "resolution_minutes": resolution,
                "at_risk_minutes": at_risk,
            },
        )
    for order, name, conditions, q, cat, prio, tags, skill, stop in reference.ROUTING_RULES:
        RoutingRule.objects.update_or_create(
            name=name,
            defaults={
                "order": order,
                "conditions": conditions,
                "enabled": True,
                "set_queue": queues.get(q) if q else None,
                "set_category": Category.objects.filter(slug=cat).first() if cat else None,
                "set_priority": prio,
                "add_tags": tags,
                "require_skill": skills.get(skill) if skill else None,
                "stop": stop,
            },
        )
    for phrase in reference.URGENCY_PHRASES:
        UrgencyPhrase.objects.get_or_create(phrase=phrase)
    return queues


@transaction.atomic
def demo_users_seed(*, queues: dict[str, Queue]) -> dict:
    user_model = get_user_model()
    admin_user, created = user_model.objects.get_or_create(
        username=ADMIN_USERNAME, defaults={"email": "admin@example.com"}
    )
    if created or not admin_user.is_superuser:
        admin_user.is_superuser = admin_user.is_staff = True
        admin_user.set_password(ADMIN_PASSWORD)
        admin_user.save()
    manager = user_role_ensure(
        email=MANAGER_EMAIL,
        role="manager",
        password=DEMO_PASSWORD,
        first_name="Morgan",
        last_name="Manager",
    )
    skills = {s.slug: s for s in Skill.objects.all()}
    agents = []
    for email, first, last, langs, tz, hours, cap, skill_slugs, queue_slugs in reference.AGENTS:
        user = user_role_ensure(
            email=email,
            role="agent",
            queue_slugs=queue_slugs,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
        )
        agent = Agent.objects.get(user=user)
        agent.languages, agent.timezone, agent.working_hours = langs, tz, hours
        agent.max_tickets, agent.is_available = cap, True
        agent.save()
        agent.skills.set([skills[s] for s in skill_slugs])
        agents.append(agent)
    customers = [
        user_role_ensure(
            email=email, role="customer", password=DEMO_PASSWORD, first_name=first, last_name=last
        )
        for email, first, last, _lang in CUSTOMERS
    ]
    return {"admin": admin_user, "manager": manager, "agents": agents, "customers": customers}
