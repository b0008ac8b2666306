from rest_framework.permissions import BasePermission

from core.roles import user_role


class IsStaffRole(BasePermission):
    """Agents and managers."""

    message = "Only agents and managers can do this."

    def has_permission(self, request, view) -> bool:
        return user_role(request.user) in ("agent", "manager")


class IsManager(BasePermission):
    message = "Only managers can do this."

    def has_permission(self, request, view) -> bool:
        return user_role(request.user) == "manager"
