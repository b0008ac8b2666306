"""Reference data of the demo help desk: queues, categories, skills, agents, SLA, rules."""

from typing import Any

QUEUES: list[dict[str, Any]] = [
    {
        "slug": "billing",
        "name": "Billing",
        "default_priority": "normal",
        "skill": "billing",
        "description": "Invoices, charges, refunds, failed payments, subscription plans and VAT "
        "questions for customers on app version 3.0 and later.",
    },
    {
        "slug": "legacy-billing",
        "name": "Legacy billing",
        "default_priority": "normal",
        "skill": "legacy-billing",
        "description": "Billing for customers still on app versions before 3.0, whose payments "
        "run through the old payment provider (refunds need a manual ledger entry).",
    },
    {
        "slug": "technical",
        "name": "Technical support",
        "default_priority": "normal",
        "skill": "technical",
        "description": "Errors, outages, slow pages, API and integration problems, data exports, "
        "web dashboard bugs.",
    },
    {
        "slug": "account-access",
        "name": "Account access",
        "default_priority": "high",
        "skill": "account-security",
        "description": "Sign-in problems, password resets, two-factor authentication, locked or "
        "compromised accounts, e-mail address changes.",
    },
    {
        "slug": "mobile-app",
        "name": "Mobile app",
        "default_priority": "normal",
        "skill": "mobile",
        "description": "The iOS and Android apps: crashes, push notifications, sync, app store "
        "purchases, login inside the app.",
    },
    {
        "slug": "shipping",
        "name": "Shipping",
        "default_priority": "normal",
        "skill": "logistics",
        "description": "Deliveries, tracking numbers, delays, damaged or missing parcels, returns "
        "and address changes for physical orders.",
    },
    {
        "slug": "triage",
        "name": "Triage",
        "default_priority": "normal",
        "skill": None,
        "is_triage": True,
        "description": "Tickets routing could not place with enough confidence; a person sorts "
        "them into the right queue.",
    },
]

# Top-level category per queue, with its sub-categories.
CATEGORIES: dict[str, tuple[str, str, list[tuple[str, str]]] | None] = {
    "billing": (
        "Billing",
        "billing",
        [("Refund", "refund"), ("Invoice", "invoice"), ("Payment failed", "payment-failed")],
    ),
    "legacy-billing": None,  # uses the billing categories
    "technical": (
        "Technical",
        "technical",
        [
            ("API error", "api-error"),
            ("Performance", "performance"),
            ("Data export", "data-export"),
        ],
    ),
    "account-access": (
        "Account",
        "account",
        [
            ("Password reset", "password-reset"),
            ("Two-factor", "two-factor"),
            ("Locked account", "locked-account"),
        ],
    ),
    "mobile-app": (
        "Mobile",
        "mobile",
        [("App crash", "app-crash"), ("Notifications", "notifications"), ("Sync", "sync")],
    ),
    "shipping": (
        "Shipping",
        "shipping",
        [
            ("Delivery delay", "delivery-delay"),
            ("Damaged item", "damaged-item"),
            ("Returns", "returns"),
        ],
    ),
}

SKILLS = [
    ("billing", "Billing", "Payments, invoices, refunds."),
    ("legacy-billing", "Legacy billing", "The old payment provider and its manual ledger."),
    ("technical", "Technical", "Debugging, APIs, integrations."),
    ("account-security", "Account security", "Identity checks, 2FA, compromised accounts."),
    ("mobile", "Mobile", "iOS and Android apps."),
    ("logistics", "Logistics", "Carriers, tracking, returns."),
    ("german", "German", "Writes support replies in German."),
    ("enterprise", "Enterprise", "Large accounts with contracts."),
]

_EU_HOURS = {str(d): [["08:00", "16:30"]] for d in range(5)}
_US_HOURS = {str(d): [["09:00", "17:30"]] for d in range(5)}
_LATE_HOURS = {str(d): [["12:00", "20:00"]] for d in range(6)}

# (email, first, last, languages, timezone, hours, max_tickets, skills, queues)
AGENTS = [
    (
        "anna.schmidt@example.com",
        "Anna",
        "Schmidt",
        ["de", "en"],
        "Europe/Berlin",
        _EU_HOURS,
        12,
        ["billing", "legacy-billing", "german"],
        ["billing", "legacy-billing", "triage"],
    ),
    (
        "lukas.weber@example.com",
        "Lukas",
        "Weber",
        ["de", "en"],
        "Europe/Berlin",
        _EU_HOURS,
        10,
        ["technical", "german"],
        ["technical", "mobile-app"],
    ),
    (
        "sophie.mueller@example.com",
        "Sophie",
        "Müller",
        ["de"],
        "Europe/Berlin",
        _LATE_HOURS,
        8,
        ["account-security", "german"],
        ["account-access", "triage"],
    ),
    (
        "jonas.becker@example.com",
        "Jonas",
        "Becker",
        ["de", "en"],
        "Europe/Vienna",
        _EU_HOURS,
        10,
        ["logistics", "german"],
        ["shipping"],
    ),
    (
        "lea.fischer@example.com",
        "Lea",
        "Fischer",
        ["de", "en"],
        "Europe/Berlin",
        _EU_HOURS,
        6,
        ["mobile", "german"],
        ["mobile-app"],
    ),
    (
        "emily.johnson@example.com",
        "Emily",
        "Johnson",
        ["en"],
        "America/New_York",
        _US_HOURS,
        12,
        ["billing", "enterprise"],
        ["billing"],
    ),
    (
        "michael.brown@example.com",
        "Michael",
        "Brown",
        ["en"],
        "America/New_York",
        _US_HOURS,
        10,
        ["technical", "enterprise"],
        ["technical"],
    ),
    (
        "olivia.davis@example.com",
        "Olivia",
        "Davis",
        ["en"],
        "America/Chicago",
        _US_HOURS,
        10,
        ["account-security"],
        ["account-access"],
    ),
    (
        "james.wilson@example.com",
        "James",
        "Wilson",
        ["en"],
        "Europe/London",
        _EU_HOURS,
        10,
        ["logistics"],
        ["shipping", "triage"],
    ),
    (
        "grace.lee@example.com",
        "Grace",
        "Lee",
        ["en"],
        "America/Los_Angeles",
        _LATE_HOURS,
        8,
        ["mobile", "technical"],
        ["mobile-app", "technical"],
    ),
    (
        "daniel.martin@example.com",
        "Daniel",
        "Martin",
        ["en", "de"],
        "Europe/London",
        _EU_HOURS,
        15,
        ["billing", "legacy-billing", "technical"],
        ["billing", "legacy-billing", "technical"],
    ),
    (
        "priya.patel@example.com",
        "Priya",
        "Patel",
        ["en"],
        "UTC",
        _LATE_HOURS,
        10,
        ["account-security", "mobile"],
        ["account-access", "mobile-app", "triage"],
    ),
]

# Minutes: (first response, resolution, at risk before the deadline)
SLA = {
    "urgent": (30, 240, 15),
    "high": (120, 8 * 60, 30),
    "normal": (8 * 60, 3 * 24 * 60, 60),
    "low": (24 * 60, 7 * 24 * 60, 120),
}

CALENDAR: dict[str, Any] = {
    "name": "Support hours (Berlin)",
    "timezone": "Europe/Berlin",
    "hours": {str(d): [["08:00", "18:00"]] for d in range(5)},
    "holidays": [
        ("2026-12-24", "Christmas Eve"),
        ("2026-12-25", "Christmas Day"),
        ("2026-12-26", "Boxing Day"),
        ("2026-12-31", "New Year's Eve"),
        ("2027-01-01", "New Year's Day"),
    ],
}

# (order, name, conditions, set_queue, set_category, set_priority, add_tags, require_skill, stop)
ROUTING_RULES = [
    (
        10,
        "Old apps bill through the legacy provider",
        "app_version < 3.0 and category = billing",
        "legacy-billing",
        None,
        "",
        ["legacy-app"],
        "legacy-billing",
        True,
    ),
    (
        20,
        "Chargebacks are urgent",
        "subject contains chargeback",
        "billing",
        "billing",
        "urgent",
        ["chargeback"],
        None,
        False,
    ),
    (
        30,
        "Crashes on the checkout screen",
        "last_screen = checkout and platform = ios",
        "mobile-app",
        "mobile",
        "high",
        ["checkout-crash"],
        "mobile",
        False,
    ),
    (
        40,
        "German account lockouts",
        "locale = de_DE and category = account",
        "account-access",
        "account",
        "",
        ["de"],
        "german",
        False,
    ),
]

URGENCY_PHRASES = [
    "system down",
    "data loss",
    "security breach",
    "cannot log in at all",
    "charged twice",
    "account hacked",
    "alle Daten weg",
    "doppelt abgebucht",
    "geht gar nichts mehr",
]
