from django.urls import include, path

from .views import agent, bulk, common, customer, macros, saved, settings, tools

workspace_patterns = (
    [
        path("", agent.worklist_page, name="list"),
        path("list/", agent.worklist_partial, name="list-partial"),
        path("views/", saved.view_save, name="view-save"),
        path("views/<int:view_id>/delete/", saved.view_delete, name="view-delete"),
        path("tickets/<uuid:ticket_id>/", agent.ticket_page, name="ticket"),
        path(
            "tickets/<uuid:ticket_id>/conversation/", agent.ticket_conversation, name="conversation"
        ),
        path("tickets/<uuid:ticket_id>/facts/", agent.ticket_facts, name="facts"),
        path("tickets/<uuid:ticket_id>/comment/", agent.ticket_comment, name="comment"),
        path("tickets/<uuid:ticket_id>/status/", agent.ticket_status, name="status"),
        path("tickets/<uuid:ticket_id>/reassign/", agent.ticket_reassign, name="reassign"),
        path("tickets/<uuid:ticket_id>/correct/", agent.ticket_correct, name="correct"),
        path("tickets/<uuid:ticket_id>/tags/", tools.ticket_tags, name="tags"),
        path("tickets/<uuid:ticket_id>/merge/", tools.ticket_merge, name="merge"),
        path("tags/suggestions/", tools.tag_suggestions, name="tag-suggestions"),
        path("settings/", settings.settings_page, name="settings"),
        path("tickets/<uuid:ticket_id>/macros/", macros.macro_picker, name="macros"),
        path(
            "tickets/<uuid:ticket_id>/macros/<int:macro_id>/",
            macros.macro_preview,
            name="macro-preview",
        ),
        path(
            "tickets/<uuid:ticket_id>/macros/<int:macro_id>/apply/",
            macros.macro_apply,
            name="macro-apply",
        ),
        path("bulk/", bulk.tickets_bulk, name="bulk"),
    ],
    "workspace",
)

customer_patterns = (
    [
        path("new/", customer.ticket_open, name="new"),
        path("tickets/", customer.ticket_mine, name="list"),
        path("tickets/<uuid:ticket_id>/", customer.ticket_status_page, name="ticket"),
        path(
            "tickets/<uuid:ticket_id>/conversation/",
            customer.ticket_conversation,
            name="conversation",
        ),
        path("tickets/<uuid:ticket_id>/reply/", customer.ticket_reply, name="reply"),
        path("s/<str:token>/", customer.ticket_status_by_link, name="status"),
        path(
            "s/<str:token>/conversation/",
            customer.ticket_conversation_by_link,
            name="status-conversation",
        ),
        path(
            "s/<str:token>/files/<uuid:attachment_id>/",
            customer.attachment_by_link,
            name="status-file",
        ),
    ],
    "customer",
)

urlpatterns = [
    path("", common.home, name="home"),
    path("workspace/", include(workspace_patterns)),
    path("support/", include(customer_patterns)),
]
