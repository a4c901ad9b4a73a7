"""Who may see and do what in attendance, beyond the scope rules of org.access: leave requests (their own, their
employee scope's, those of the units they head) and who decides them. Pages, the API and the services ask here."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from satulayar.attendance.models import LeaveRequest
from satulayar.core.city import request_city
from satulayar.org import access
from satulayar.org.choices import Role
from satulayar.org.models import City, Employee, Unit, subtree_q


def rules_city_for(request, *, may_edit: Callable) -> City:
    """The city whose rule table (TPP, leave) the user edits on this request; PermissionDenied for anyone else."""
    if not may_edit(request.user):
        raise PermissionDenied
    city = request_city(request, user_fallback=True)
    if city.pk not in access.scope_for(request.user).city_ids:
        raise PermissionDenied
    return city


def is_own(actor, employee: Employee) -> bool:
    return access.scope_for(actor).employee_id == employee.pk


def is_unit_head_of(actor, employee: Employee) -> bool:
    """Does the actor head the employee's unit or a unit above it?"""
    own = access.scope_for(actor).employee_id
    if own is None:
        return False
    return Unit.objects.filter(pk__in=employee.unit.ancestor_ids, head_id=own).exists()


def awaits_bkpsdm(request: LeaveRequest) -> bool:
    """Has the superior approved a request that BKPSDM decides last?"""
    return request.needs_bkpsdm and request.superior_at is not None


def is_bkpsdm_for(actor, employee: Employee) -> bool:
    """Is the actor the city HR admin (BKPSDM) of the employee's city?"""
    scope = access.scope_for(actor)
    return Role.HR_ADMIN in scope.roles and employee.unit.city_id in scope.city_ids


def may_decide(actor, request: LeaveRequest) -> bool:
    """First step: the head of the employee's unit or a unit above it, or an admin over them. Second step (when
    the rule asked for it): BKPSDM, someone other than who approved the first. Never one's own request."""
    if actor is None:
        return True
    if is_own(actor, request.employee):
        return False
    if awaits_bkpsdm(request):
        return is_bkpsdm_for(actor, request.employee) and actor.pk != request.superior_by_id
    return is_unit_head_of(actor, request.employee) or access.can_manage_employee(actor, request.employee)


def leave_requests_for(user) -> QuerySet[LeaveRequest]:
    """Requests the user may see: their own, their employee scope's, and those of the units they head."""
    scope = access.scope_for(user)
    q = subtree_q(access.headed_units(user), via="employee__unit")
    if scope.employee_id:
        q |= Q(employee_id=scope.employee_id)
    if scope.can("view_employees"):
        q |= Q(employee__in=access.employees_for(user))
    return LeaveRequest.objects.filter(q).select_related("employee__unit", "decided_by", "superior_by")


def decidable_requests_for(user) -> QuerySet[LeaveRequest]:
    """Requests the user may decide: as head of the employee's unit or one above it, or as an admin over the
    employee; never their own (the same rule as `may_decide`, as a query)."""
    scope = access.scope_for(user)
    q = subtree_q(access.headed_units(user), via="employee__unit")
    if scope.can("manage_employees"):
        q |= (Q(employee__unit__city_id__in=scope.city_ids) if scope.city_wide
              else subtree_q(scope.unit_paths, via="employee__unit"))
    q = ~Q(needs_bkpsdm=True, superior_at__isnull=False) & q
    if Role.HR_ADMIN in scope.roles:
        q |= (Q(needs_bkpsdm=True, superior_at__isnull=False, employee__unit__city_id__in=scope.city_ids)
              & ~Q(superior_by_id=user.pk))
    return leave_requests_for(user).filter(q).exclude(employee_id=scope.employee_id)


def may_approve_leave(user) -> bool:
    scope = access.scope_for(user)
    return scope.can("view_employees") or bool(access.headed_units(user))
