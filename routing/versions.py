"""Version strings compared the way people read them: `2.10.0 > 2.9.1`, `3.0 == 3.0.0`."""

import re

_VERSION = re.compile(r"^\s*v?(\d+(?:\.\d+)*)(?:[-+_ ~].*)?\s*$", re.IGNORECASE)


def parse_version(value) -> tuple[int, ...] | None:
    """`"2.9.1"` → `(2, 9, 1)`, trailing zeros dropped so `3.0` equals `3`; None when it does not
    parse. A suffix after `-`, `+`, `_`, `~` or a space (`2.9.1-beta`, `17.2 (21C62)`) is ignored."""
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):  # read as its text, so -1 is no version, as "-1" is not
        value = str(value)
    match = _VERSION.match(str(value))
    if not match:
        return None
    parts = [int(part) for part in match.group(1).split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)
