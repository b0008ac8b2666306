"""Forms behind the routing admin: rule validation, the dry-run sample, the backtest size."""

import json

from django import forms
from django.utils.html import escape

from tickets.models import Channel, Priority

from .facts import PREDICTED_FIELDS, ticket_facts
from .models import RoutingRule
from .rules import FIELDS, RuleSyntaxError, parse

FIELD_HELP = (
    "Conditions joined by 'and' / 'or' (with parentheses and 'not'): field op value. "
    f"Fields: {', '.join(sorted(FIELDS))}. Operators: = != < <= > >= in [a, b], not in [a, b], "
    "contains word / contains [w1, w2], matches /regex/; on a list (tags, session_events) also "
    "count > 3. Versions compare as versions (2.10.0 > 2.9.1); confidence is a number from 0 to "
    "1. Example: app_version < 3.0 and category = billing. 'always' matches all. A rule that "
    f"reads {', '.join(PREDICTED_FIELDS)} runs in phase 2, after the classifier; any other rule "
    "in phase 1, before it."
)


class TagsField(forms.CharField):
    """Tags typed as `a, b` (or a JSON list), stored as a list."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(tag) for tag in value)
        if isinstance(value, str) and value.startswith("["):
            try:
                return ", ".join(str(tag) for tag in json.loads(value))
            except ValueError:
                return value
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return []
        if value.strip().startswith("["):
            try:
                items = json.loads(value)
            except ValueError as exc:
                raise forms.ValidationError("Write tags as: vip, mobile") from exc
        else:
            items = value.split(",")
        tags = [str(tag).strip() for tag in items if str(tag).strip()]
        if any(len(tag) > 50 for tag in tags):
            raise forms.ValidationError("A tag is at most 50 characters.")
        return list(dict.fromkeys(tags))


class RoutingRuleForm(forms.ModelForm):
    set_priority = forms.ChoiceField(choices=[("", "(leave)"), *Priority.choices], required=False)
    add_tags = TagsField(required=False, help_text="Comma-separated, e.g. vip, mobile")

    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "order",
            "enabled",
            "conditions",
            "set_queue",
            "set_category",
            "set_priority",
            "add_tags",
            "require_skill",
            "stop",
        ]
        widgets = {"conditions": forms.Textarea(attrs={"rows": 3, "cols": 80})}
        help_texts = {"conditions": escape(FIELD_HELP)}  # admin renders help text as HTML

    def clean_conditions(self) -> str:
        text = (self.cleaned_data.get("conditions") or "").strip()
        try:
            parse(text)
        except RuleSyntaxError as exc:
            raise forms.ValidationError(f"This rule cannot run: {exc}") from exc
        return text

    def clean(self):
        cleaned = super().clean() or {}
        actions = ("set_queue", "set_category", "set_priority", "add_tags", "require_skill")
        if not any(cleaned.get(name) for name in actions) and not cleaned.get("stop"):
            raise forms.ValidationError("Give the rule at least one action (or 'stop').")
        return cleaned


class JSONObjectField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4, "cols": 80})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return {}
        try:
            parsed = json.loads(value)
        except ValueError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}") from exc
        if not isinstance(parsed, dict):
            raise forms.ValidationError('Write a JSON object, e.g. {"platform": "ios"}')
        return parsed


class DryRunForm(forms.Form):
    subject = forms.CharField(max_length=255, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "cols": 80}), required=False)
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.API)
    customer_email = forms.CharField(max_length=254, required=False)
    context = JSONObjectField(
        required=False,
        help_text='Mobile context, e.g. {"platform": "ios", "app_version": "2.9.1", '
        '"locale": "de_DE", "previous_tickets_count": 3}',
    )
    fields = JSONObjectField(  # type: ignore[assignment]  # a form field named `fields`
        required=False,
        help_text='Ticket fields already known, e.g. {"category": "billing", "priority": "high", '
        '"tags": ["vip"], "language": "de"}',
    )
    predicted = JSONObjectField(
        required=False,
        label="Classifier's answer",
        help_text="What phase-2 rules see as the model's answer, e.g. "
        '{"queue": "billing", "category": "billing", "priority": "normal", "language": "de", '
        '"confidence": 0.82}',
    )
    include_disabled = forms.BooleanField(required=False, help_text="Also try disabled rules.")

    def clean_predicted(self) -> dict:
        predicted = self.cleaned_data["predicted"]
        unknown = sorted(set(predicted) - PREDICTED_FIELDS.keys())
        if unknown:
            raise forms.ValidationError(
                f"Unknown field(s) {', '.join(unknown)}; use {', '.join(PREDICTED_FIELDS)}"
            )
        confidence = predicted.get("confidence")
        if confidence is not None and (
            isinstance(confidence, bool)
            or not isinstance(confidence, int | float)
            or not 0 <= confidence <= 1
        ):
            raise forms.ValidationError("confidence is a number from 0 to 1, e.g. 0.82")
        return predicted

    def facts(self) -> dict:
        data = self.cleaned_data
        known = data["fields"]
        tags = known.get("tags") or []
        return ticket_facts(
            subject=data["subject"],
            body=data["body"],
            channel=data["channel"],
            category=str(known.get("category") or ""),
            priority=str(known.get("priority") or ""),
            queue=str(known.get("queue") or ""),
            language=str(known.get("language") or ""),
            customer_email=data["customer_email"],
            tags=tags if isinstance(tags, list) else [str(tags)],
            context=data["context"],
            previous_tickets_count=known.get("previous_tickets_count"),
        )


class BacktestForm(forms.Form):
    limit = forms.IntegerField(min_value=1, max_value=20_000, initial=500, label="Last N tickets")
