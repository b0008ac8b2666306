"""Input of the workspace and customer pages. Forms validate; services decide."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from agents.models import Agent
from tickets.lifecycle import AGENT_TRANSITIONS
from tickets.models import Category, Priority, Queue, Status
from tickets.services.attachments import IncomingFile


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (Django's documented pattern), each within the attachment limit;
    cleaned into a list of the uploads."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned = [super(MultipleFileField, self).clean(item, initial) for item in uploads]
        if len(cleaned) > settings.HELPDESK_ATTACHMENT_MAX_FILES:
            raise forms.ValidationError(
                f"Attach at most {settings.HELPDESK_ATTACHMENT_MAX_FILES} files."
            )
        limit = settings.HELPDESK_ATTACHMENT_MAX_BYTES
        for upload in cleaned:
            if upload.size > limit:
                raise forms.ValidationError(
                    f"{upload.name} is {filesizeformat(upload.size)}; "
                    f"the limit is {filesizeformat(limit)} per file."
                )
        return cleaned


def incoming_files(form: forms.Form) -> list[IncomingFile]:
    return [
        IncomingFile(name=f.name or "", content=f) for f in form.cleaned_data.get("attachments", [])
    ]


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Message",
        max_length=settings.HELPDESK_MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    internal = forms.BooleanField(label="Internal note (only agents see it)", required=False)
    attachments = MultipleFileField(label="Attach files")


class CustomerReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        max_length=settings.HELPDESK_MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = MultipleFileField(label="Attach files")


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Move to")
    reason = forms.CharField(label="Reason (optional)", max_length=500, required=False)

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        targets = sorted(AGENT_TRANSITIONS.get(current, set()))
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [(s, s.replace("_", " ")) for s in targets]


class ReassignForm(forms.Form):
    prefix = "reassign"

    agent = forms.ModelChoiceField(
        label="Agent",
        required=False,
        empty_label="(keep)",
        queryset=Agent.objects.filter(is_available=True).select_related("user"),
    )
    queue = forms.ModelChoiceField(
        label="Queue",
        required=False,
        empty_label="(keep)",
        queryset=Queue.objects.filter(is_active=True),
    )
    reason = forms.CharField(label="Reason", max_length=500)

    def clean(self):
        data = super().clean() or {}
        if not data.get("agent") and not data.get("queue"):
            raise forms.ValidationError("Choose an agent or a queue.")
        return data


class CorrectForm(forms.Form):
    prefix = "correct"

    category = forms.ModelChoiceField(
        label="Category", required=False, empty_label="(keep)", queryset=Category.objects.all()
    )
    queue = forms.ModelChoiceField(
        label="Queue",
        required=False,
        empty_label="(keep)",
        queryset=Queue.objects.filter(is_active=True),
    )
    priority = forms.ChoiceField(
        label="Priority", required=False, choices=[("", "(keep)"), *Priority.choices]
    )
    reason = forms.CharField(label="Reason (optional)", max_length=500, required=False)


class TicketOpenForm(forms.Form):
    """The public form; `email` only for visitors who are not signed in."""

    email = forms.EmailField(label="Your e-mail")
    subject = forms.CharField(label="Subject", max_length=settings.HELPDESK_MAX_SUBJECT)
    body = forms.CharField(
        label="How can we help?",
        max_length=settings.HELPDESK_MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachments = MultipleFileField(label="Screenshots or files (optional)")

    def __init__(self, *args, signed_in: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if signed_in:
            del self.fields["email"]


class NotificationPreferencesForm(forms.Form):
    notify_on_assignment = forms.BooleanField(
        required=False,
        label="A ticket is assigned to me",
        help_text="By e-mail, and by push on a phone where I use the app.",
    )
    notify_on_customer_reply = forms.BooleanField(
        required=False,
        label="A customer replies to a ticket assigned to me",
        help_text="The mail quotes the customer's reply; internal notes are never sent.",
    )


BULK_ACTIONS = [
    ("status", "Set status"),
    ("assign", "Assign to"),
    ("queue", "Move to queue"),
    ("tags", "Add tags"),
    ("macro", "Apply macro"),
]


class BulkForm(forms.Form):
    """The list's action bar: the ticked tickets, an action and the value for that action."""

    action = forms.ChoiceField(label="Action", choices=BULK_ACTIONS)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            (s, Status(s).label)
            for s in sorted({t for targets in AGENT_TRANSITIONS.values() for t in targets})
        ],
    )
    agent = forms.ModelChoiceField(
        label="Agent",
        required=False,
        queryset=Agent.objects.filter(is_available=True).select_related("user"),
    )
    queue = forms.ModelChoiceField(
        label="Queue", required=False, queryset=Queue.objects.filter(is_active=True)
    )
    tags = forms.CharField(label="Tags (comma-separated)", required=False, max_length=1000)
    macro = forms.ChoiceField(label="Macro", required=False)

    def __init__(self, *args, macros=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["macro"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(m.pk, m.name) for m in macros]

    def clean(self):
        data = super().clean() or {}
        action = data.get("action")
        name = "agent" if action == "assign" else action
        if name and not data.get(name):
            self.add_error(name, "Choose what to set.")
        return data

    def value(self):
        """The bulk service's `value` for the chosen action."""
        data = self.cleaned_data
        return {
            "status": lambda: data["status"],
            "assign": lambda: data["agent"].pk,
            "queue": lambda: data["queue"].slug,
            "tags": lambda: [tag.strip() for tag in data["tags"].split(",") if tag.strip()],
            "macro": lambda: int(data["macro"]),
        }[data["action"]]()
