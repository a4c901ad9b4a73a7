from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from satulayar.core.decorators import capability_required, is_htmx
from satulayar.core.forms import form_errors_add
from satulayar.org import access, selectors, services
from satulayar.org.forms import EmployeeFilterForm, EmployeeForm
from satulayar.org.services import EMPLOYEE_FIELDS


@capability_required("view_units")
def unit_list(request):
    return render(request, "org/unit_list.html", {"units": selectors.unit_tree(user=request.user)})


@capability_required("view_units")
def unit_detail(request, pk):
    unit = access.unit_get_for_user(user=request.user, pk=pk)
    employees = selectors.employee_list(user=request.user, unit_id=unit.pk, include_subunits=False)
    return render(request, "org/unit_detail.html", {
        "unit": unit,
        # the head is a name: shown only to those who may see that employee (not the command centre)
        "head": access.employees_for(request.user).filter(pk=unit.head_id).first() if unit.head_id else None,
        "children": access.units_for(request.user).filter(parent=unit),
        "employees": employees[:200],
        "employee_total": employees.count(),
        "subtree_total": selectors.unit_subtree_employee_count(unit=unit),
        "sites": unit.sites.all(),
    })


@capability_required("view_employees")
def employee_list(request):
    form = EmployeeFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    employees = selectors.employee_list(
        user=request.user, q=filters.get("q", ""), unit_id=filters["unit"].pk if filters.get("unit") else None,
        employment_type=filters.get("employment_type", ""),
    )
    page = Paginator(employees, 50).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "can_create": access.scope_for(request.user).can("manage_employees")}
    template = "org/_employee_table.html" if is_htmx(request) else "org/employee_list.html"
    return render(request, template, context)


def _nik_for(user, employee) -> str:
    scope = access.scope_for(user)
    return employee.nik if scope.can("view_nik") or scope.employee_id == employee.pk else employee.masked_nik


@login_required
def employee_detail(request, pk):
    employee = access.employee_get_for_user(user=request.user, pk=pk)
    return render(request, "org/employee_detail.html", {
        "employee": employee, "nik": _nik_for(request.user, employee),
        "can_edit": access.can_manage_employee(request.user, employee),
    })


def _save_employee(request, form, employee=None):
    data = {k: v for k, v in form.cleaned_data.items() if k in EMPLOYEE_FIELDS}
    try:
        if employee is None:
            return services.employee_create(actor=request.user, **data)
        return services.employee_update(actor=request.user, employee=employee, **data)
    except ValidationError as exc:
        form_errors_add(form, exc)
    return None


@capability_required("manage_employees")
def employee_create(request):
    form = EmployeeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        employee = _save_employee(request, form)
        if employee:
            messages.success(request, _("Pegawai %(name)s ditambahkan.") % {"name": employee})
            return redirect("org:employee", pk=employee.pk)
    return render(request, "org/employee_form.html", {"form": form, "employee": None})


@capability_required("manage_employees")
def employee_edit(request, pk):
    employee = access.employee_get_for_user(user=request.user, pk=pk)
    if not access.can_manage_employee(request.user, employee):
        raise PermissionDenied
    form = EmployeeForm(request.POST or None, instance=access.employee_get_for_user(user=request.user, pk=pk),
                        user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save_employee(request, form, employee)
        if saved:
            messages.success(request, _("Perubahan data %(name)s disimpan.") % {"name": saved})
            return redirect("org:employee", pk=saved.pk)
    return render(request, "org/employee_form.html", {"form": form, "employee": employee})


@capability_required("view_regions")
def region_list(request):
    return render(request, "org/region_list.html", {"kecamatan_list": selectors.regions(user=request.user)})
