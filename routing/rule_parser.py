"""The rule language's grammar: text → a plain tree of `Cond` and `BoolOp` nodes.

    expr := and ("or" and)* ;  and := unary ("and" unary)* ;  unary := "not" unary | "(" expr ")"
          | "always" | FIELD OP VALUE | LIST_FIELD "count" CMP NUMBER
    OP   := = == != < <= > >= in "not in" contains matches
    CMP  := = == != < <= > >=
    VALUE:= word(s) | "quoted" | [list, of, values] | /regex/flags

Values are normalised while parsing (versions, integers, priorities, compiled regular
expressions), so evaluation in `routing.rules` does no parsing at all."""

import re
from dataclasses import dataclass
from typing import Any, NoReturn

from .facts import ACCOUNT_FIELDS, CONTEXT_FIELDS, PREDICTED_FIELDS
from .versions import parse_version

PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2, "urgent": 3}

# field → kind: how values are compared. The ticket's own fields here; the context's and the
# classifier's come from routing.facts, so a new context field is a rule field at once.
FIELDS: dict[str, str] = {
    "channel": "text",
    "subject": "text",
    "body": "text",
    "text": "text",
    "previous_tickets_count": "int",
    "email_domain": "text",
    "tags": "list",
    **PREDICTED_FIELDS,
    **CONTEXT_FIELDS,
    **ACCOUNT_FIELDS,
}
ORDERED_KINDS = {"version", "int", "priority", "number"}
NUMBER_RANGES = {"confidence": (0.0, 1.0)}
SYMBOL_OPS = {"==": "eq", "=": "eq", "!=": "ne", "<=": "le", ">=": "ge", "<": "lt", ">": "gt"}
OP_SYMBOLS = {
    "eq": "=",
    "ne": "!=",
    "le": "<=",
    "ge": ">=",
    "lt": "<",
    "gt": ">",
    "in": "in",
    "not_in": "not in",
    "contains": "contains",
    "matches": "matches",
}
KEYWORDS = {"and", "or", "not"}


class RuleSyntaxError(ValueError):
    """A rule that cannot run; the message is meant for the admin who wrote it."""


@dataclass(frozen=True, slots=True)
class Cond:
    field: str
    op: str
    value: Any  # normalised at parse time: casefolded str, tuple of versions, int, compiled regex
    source: str = ""


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # "and" | "or" | "not" | "always"
    items: tuple = ()


# ---------------------------------------------------------------- parsing

_WS = re.compile(r"\s*")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SYMBOL = re.compile(r"==|!=|<=|>=|=|<|>|[~!]=?")
_BARE = re.compile(r"[^\s()\[\],]+")
_LIST_ITEM = re.compile(r"[^,\]]+")
_FLAGS = re.compile(r"[A-Za-z]*")


def _matched_end(pattern: re.Pattern, text: str, pos: int) -> int:
    """Where a pattern that may match nothing (`\\s*`, `[A-Za-z]*`) stops matching at `pos`."""
    match = pattern.match(text, pos)
    return match.end() if match else pos


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def fail(self, message: str) -> NoReturn:
        raise RuleSyntaxError(f"{message} (at character {self.pos + 1})")

    def skip(self) -> None:
        self.pos = _matched_end(_WS, self.text, self.pos)

    def at_end(self) -> bool:
        self.skip()
        return self.pos >= len(self.text)

    def peek_word(self) -> str:
        self.skip()
        match = _WORD.match(self.text, self.pos)
        return match.group(0).lower() if match else ""

    def take_word(self) -> str:
        self.skip()
        match = _WORD.match(self.text, self.pos)
        if not match:
            return ""
        self.pos = match.end()
        return match.group(0)

    def take_char(self, char: str) -> bool:
        self.skip()
        if self.text.startswith(char, self.pos):
            self.pos += len(char)
            return True
        return False

    # expr := and ("or" and)* ; and := unary ("and" unary)* ; unary := "not" unary | "(" expr ")" | cond
    def expr(self):
        items = [self.conjunction()]
        while self.peek_word() == "or":
            self.take_word()
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def conjunction(self):
        items = [self.unary()]
        while self.peek_word() == "and":
            self.take_word()
            items.append(self.unary())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def unary(self):
        if self.peek_word() == "not":
            self.take_word()
            return BoolOp("not", (self.unary(),))
        if self.take_char("("):
            node = self.expr()
            if not self.take_char(")"):
                self.fail("missing ')'")
            return node
        if self.peek_word() == "always":
            self.take_word()
            return BoolOp("always")
        return self.condition()

    def condition(self) -> Cond:
        start = self.pos
        name = self.take_word()
        if not name:
            self.fail("expected a field name" if not self.at_end() else "expected a condition")
        field_name = name.lower()
        if field_name not in FIELDS:
            self.fail(f"unknown field '{name}'; known fields: {', '.join(sorted(FIELDS))}")
        op = self.operator(field_name)
        value = self.value(field_name, op)
        return Cond(field_name, op, value, self.text[start : self.pos].strip())

    def operator(self, field_name: str) -> str:
        self.skip()
        symbol = _SYMBOL.match(self.text, self.pos)
        if symbol:
            if symbol.group(0) not in SYMBOL_OPS:
                self.fail(f"unknown operator '{symbol.group(0)}' after '{field_name}'")
            self.pos = symbol.end()
            op = SYMBOL_OPS[symbol.group(0)]
        else:
            word = self.take_word().lower()
            if word == "not" and self.peek_word() == "in":
                self.take_word()
                op = "not_in"
            elif word == "count":
                return self.count_operator(field_name)
            elif word in ("in", "contains", "matches"):
                op = word
            elif word:
                self.fail(f"unknown operator '{word}' after '{field_name}'")
            else:
                self.fail(f"expected an operator after '{field_name}'")
        kind = FIELDS[field_name]
        if op in ("lt", "le", "gt", "ge") and kind not in ORDERED_KINDS:
            self.fail(f"operator '{OP_SYMBOLS[op]}' does not apply to field '{field_name}'")
        if op == "contains" and kind not in ("text", "list"):
            self.fail(f"operator 'contains' does not apply to field '{field_name}'")
        if kind == "number" and op not in ("lt", "le", "gt", "ge"):
            self.fail(
                f"compare '{field_name}' with < <= > >= (it is a number), e.g. {field_name} >= 0.8"
            )
        return op

    def count_operator(self, field_name: str) -> str:
        """`session_events count > 3`: the number of items in a list field."""
        if FIELDS[field_name] != "list":
            lists = ", ".join(sorted(name for name, kind in FIELDS.items() if kind == "list"))
            self.fail(f"'count' applies to list fields ({lists}), not '{field_name}'")
        self.skip()
        symbol = _SYMBOL.match(self.text, self.pos)
        if not symbol or symbol.group(0) not in SYMBOL_OPS:
            self.fail(f"'{field_name} count' needs a comparison, e.g. {field_name} count > 3")
        self.pos = symbol.end()
        return "count_" + SYMBOL_OPS[symbol.group(0)]

    # ------------------------------------------------------------ values
    def value(self, field_name: str, op: str):
        kind = FIELDS[field_name]
        if op.startswith("count_"):
            return self.normalise(f"{field_name} count", "int", self.scalar())
        if op == "matches":
            return self.regex()
        if op in ("in", "not_in"):
            raw = self.raw_list()
            if raw is None:
                self.fail(f"'{OP_SYMBOLS[op]}' needs a list, e.g. [a, b]")
            return frozenset(self.normalise(field_name, kind, item) for item in raw or ())
        if op == "contains":
            raw = self.raw_list()
            words = raw if raw is not None else [self.scalar()]
            words = [word for word in words if word.strip()]
            if not words:
                self.fail("'contains' needs a word or a list of words")
            if kind == "list":
                return frozenset(word.strip().casefold() for word in words)
            alternatives = "|".join(re.escape(word.strip()) for word in words)
            return re.compile(rf"(?<!\w)(?:{alternatives})", re.IGNORECASE)
        return self.normalise(field_name, kind, self.scalar())

    def normalise(self, field_name: str, kind: str, raw: str):
        raw = raw.strip()
        if kind == "version":
            version = parse_version(raw)
            if version is None:
                self.fail(f"version '{raw}' does not parse (write it like 2.9.1)")
            return version
        if kind == "int":
            try:
                return int(raw)
            except ValueError:
                self.fail(f"'{raw}' is not a whole number ({field_name})")
        if kind == "number":
            try:
                number = float(raw)
            except ValueError:
                self.fail(f"'{raw}' is not a number ({field_name})")
            low, high = NUMBER_RANGES.get(field_name, (float("-inf"), float("inf")))
            if not low <= number <= high:
                self.fail(f"{field_name} is between {low:g} and {high:g}: '{raw}' is out of range")
            return number
        if kind == "priority":
            if raw.lower() not in PRIORITY_RANK:
                self.fail(f"unknown priority '{raw}'; use one of {', '.join(PRIORITY_RANK)}")
            return PRIORITY_RANK[raw.lower()]
        return raw.casefold()

    def scalar(self) -> str:
        self.skip()
        if self.pos < len(self.text) and self.text[self.pos] in "\"'":
            return self.quoted()
        words: list[str] = []
        while True:
            self.skip()
            match = _BARE.match(self.text, self.pos)
            if not match or (words and match.group(0).lower() in ("and", "or")):
                break
            words.append(match.group(0))
            self.pos = match.end()
        if not words:
            self.fail("expected a value")
        return " ".join(words)

    def quoted(self) -> str:
        quote = self.text[self.pos]
        out, i = [], self.pos + 1
        while i < len(self.text):
            char = self.text[i]
            if char == "\\" and i + 1 < len(self.text):
                out.append(self.text[i + 1])
                i += 2
                continue
            if char == quote:
                self.pos = i + 1
                return "".join(out)
            out.append(char)
            i += 1
        self.fail("unterminated quoted value")

    def raw_list(self) -> list[str] | None:
        if not self.take_char("["):
            return None
        items: list[str] = []
        while True:
            self.skip()
            if self.take_char("]"):
                return items
            if self.text[self.pos : self.pos + 1] in ('"', "'"):
                items.append(self.quoted())
            else:
                match = _LIST_ITEM.match(self.text, self.pos)
                if not match:
                    self.fail("unterminated list: missing ']'")
                items.append(match.group(0).strip())
                self.pos = match.end()
            self.skip()
            if self.take_char("]"):
                return items
            if self.at_end():
                self.fail("unterminated list: missing ']'")
            if not self.take_char(","):
                self.fail("expected ',' or ']' in the list")

    def regex(self) -> re.Pattern:
        self.skip()
        char = self.text[self.pos : self.pos + 1]
        if char in ('"', "'"):
            pattern, flags = self.quoted(), ""
        elif char == "/":
            i, out = self.pos + 1, []
            while i < len(self.text) and self.text[i] != "/":
                if self.text[i] == "\\" and self.text[i + 1 : i + 2] == "/":
                    out.append("/")
                    i += 2
                    continue
                out.append(self.text[i : i + 2] if self.text[i] == "\\" else self.text[i])
                i += 2 if self.text[i] == "\\" else 1
            if i >= len(self.text):
                self.fail("unterminated regular expression: missing closing '/'")
            pattern = "".join(out)
            self.pos = i + 1
            end = _matched_end(_FLAGS, self.text, self.pos)
            flags, self.pos = self.text[self.pos : end], end
        else:
            self.fail("'matches' needs a regular expression like /refund|chargeback/")
        re_flags = re.IGNORECASE
        for flag in flags:
            if flag not in "ims":
                self.fail(f"unknown regular expression flag '{flag}' (use i, m or s)")
            re_flags |= {"i": 0, "m": re.MULTILINE, "s": re.DOTALL}[flag]
        try:
            return re.compile(pattern, re_flags)
        except re.error as exc:
            self.fail(f"bad regular expression /{pattern}/: {exc}")
