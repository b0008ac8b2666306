"""A check on AI text before it leaves: details that look personal (e-mail addresses, links,
phone numbers, codes and numbers) must come from what this customer and this ticket already
have, or from the saved replies used. Anything else may be another customer's and is refused."""

import re

_PATTERNS = (
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail addresses
    re.compile(r"https?://\S+"),  # links (tokens, reset links)
    re.compile(r"\+?\d[\d ()/.-]{5,}\d"),  # phone numbers, long numbers
    re.compile(r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9-]{5,}\b"),  # codes
)
_TRAILING = ".,;:!?)]}'\""


def personal_details(text: str) -> set[str]:
    """The details of `text` that could identify someone or something of theirs."""
    found: set[str] = set()
    for pattern in _PATTERNS:
        found |= {match.group(0).rstrip(_TRAILING) for match in pattern.finditer(text)}
    return {detail for detail in found if detail}


def foreign_details(text: str, *, allowed: list[str]) -> list[str]:
    """The personal details of `text` found in none of the `allowed` texts, sorted."""
    known = "\n".join(allowed).casefold()
    normalised = re.sub(r"[\s()/.-]", "", known)
    foreign = []
    for detail in personal_details(text):
        folded = detail.casefold()
        if folded in known or re.sub(r"[\s()/.-]", "", folded) in normalised:
            continue
        foreign.append(detail)
    return sorted(foreign)
