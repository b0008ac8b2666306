"""The agent's own settings: what they are told about (mail and push)."""

from django.contrib import messages
from django.shortcuts import redirect, render

from agents.services.agent_alerts import agent_preferences_update
from core.roles import agent_profile

from ..forms import NotificationPreferencesForm
from .common import staff_required


@staff_required
def settings_page(request):
    agent = agent_profile(request.user)
    if agent is None:  # a manager who takes no tickets
        return render(request, "workspace/settings.html", {"agent": None})
    if request.method == "POST":
        form = NotificationPreferencesForm(request.POST)
        if form.is_valid():
            agent_preferences_update(agent=agent, **form.cleaned_data)
            messages.success(request, "Your notification settings are saved.")
            return redirect("workspace:settings")
        status = 400
    else:
        form = NotificationPreferencesForm(
            initial={
                "notify_on_assignment": agent.notify_on_assignment,
                "notify_on_customer_reply": agent.notify_on_customer_reply,
            }
        )
        status = 200
    return render(request, "workspace/settings.html", {"agent": agent, "form": form}, status=status)
