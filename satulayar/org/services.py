"""Writes to the organisation tables. Each is atomic, validated and audited; nothing else writes them."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.core.events import event_publish, org_channel
from satulayar.org import access
from satulayar.org.choices import SiteKind
from satulayar.org.models import Employee, RoleAssignment, Site, Unit

# sex and birth date are read from the NIP for ASN; non-ASN staff have them entered.
EMPLOYEE_FIELDS = {"unit", "nip", "nik", "name", "employment_type", "rank", "position", "user", "active", "sex",
                   "birth_date"}
UNIT_FIELDS = {"parent", "code", "name", "short_name", "kind", "kecamatan", "kelurahan", "head", "active"}


def _require(actor, allowed: bool, message: str) -> None:
    if actor is not None and not allowed:
        raise PermissionDenied(message)


def _check_unique_nip(employee: Employee) -> None:
    if employee.nip and Employee.objects.filter(nip=employee.nip).exclude(pk=employee.pk).exists():
        raise ValidationError({"nip": _("NIP %(nip)s sudah terdaftar untuk pegawai lain.") % {"nip": employee.nip}})


@transaction.atomic
def employee_create(*, actor, unit: Unit, name: str, employment_type: str, nip: str = "", **extra) -> Employee:
    """`actor=None` is the system itself (seeding, imports run by an operator on the server)."""
    _require(actor, access.can_place_in_unit(actor, unit) and access.scope_for(actor).can("manage_employees"),
             _("Anda tidak berwenang menambah pegawai di %(unit)s.") % {"unit": unit})
    unknown = set(extra) - EMPLOYEE_FIELDS
    if unknown:
        raise TypeError(f"unknown employee fields: {sorted(unknown)}")
    employee = Employee(unit=unit, name=name, employment_type=employment_type, nip=nip, **extra)
    employee.full_clean(validate_unique=False)
    _check_unique_nip(employee)
    employee.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=employee, unit_path=unit.path, after=snapshot(employee))
    _publish(unit.city_id, "employee.saved", employee=employee.pk, unit=unit.pk, what="created")
    return employee


@transaction.atomic
def employee_update(*, actor, employee: Employee, **changes) -> Employee:
    unknown = set(changes) - EMPLOYEE_FIELDS
    if unknown:
        raise TypeError(f"unknown employee fields: {sorted(unknown)}")
    _require(actor, access.can_manage_employee(actor, employee),
             _("Anda tidak berwenang mengubah data %(name)s.") % {"name": employee})
    if "unit" in changes:
        _require(actor, access.can_place_in_unit(actor, changes["unit"]),
                 _("Anda tidak berwenang memindahkan pegawai ke %(unit)s.") % {"unit": changes["unit"]})
    before = snapshot(Employee.objects.get(pk=employee.pk))
    old_path = employee.unit.path
    for name, value in changes.items():
        setattr(employee, name, value)
    employee.full_clean(validate_unique=False)
    _check_unique_nip(employee)
    employee.save()
    after = snapshot(employee)
    if after != before:
        # The old unit's admins must still see that the employee left them.
        path = employee.unit.path if employee.unit.path.startswith(old_path) else old_path
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=employee, unit_path=path, before=before,
                     after=after)
        _publish(employee.unit.city_id, "employee.saved", employee=employee.pk, unit=employee.unit_id,
                 what="updated")
    return employee


@dataclass
class BulkResult:
    created: int = 0
    errors: list[tuple[int, str, dict]] = field(default_factory=list)  # (row number, NIP, {field: messages})


def employee_bulk_create(*, actor, rows: Iterable[dict], batch_size: int = 1000) -> BulkResult:
    """Create many employees (an HR import, the demo). Bad rows are reported and skipped; good rows are kept.

    Each row is a dict of Employee fields with `unit` a Unit. Validation is the same as one by one;
    the whole batch is audited as one entry per employee.
    """
    result = BulkResult()
    seen_nips = set()
    pending: list[Employee] = []

    def flush():
        if not pending:
            return
        with transaction.atomic():
            Employee.objects.bulk_create(pending)
            for employee in pending:
                audit_record(actor=actor, action=AuditAction.CREATE, obj=employee, unit_path=employee.unit.path,
                             after=snapshot(employee))
            _publish(pending[0].unit.city_id, "employee.imported", created=len(pending))
        result.created += len(pending)
        pending.clear()

    existing = set(Employee.objects.exclude(nip=None).values_list("nip", flat=True))
    for number, row in enumerate(rows, start=1):
        unknown = set(row) - EMPLOYEE_FIELDS
        if unknown:
            result.errors.append((number, row.get("nip") or "", {"__all__": [
                _("Kolom tidak dikenal: %(cols)s.") % {"cols": ", ".join(sorted(unknown))}]}))
            continue
        employee = Employee(**row)
        try:
            _require(actor, access.can_place_in_unit(actor, employee.unit),
                     _("Tidak berwenang atas unit %(unit)s.") % {"unit": employee.unit})
            employee.full_clean(validate_unique=False)
            if employee.nip and (employee.nip in existing or employee.nip in seen_nips):
                raise ValidationError({"nip": _("NIP %(nip)s sudah terdaftar.") % {"nip": employee.nip}})
        except ValidationError as exc:
            result.errors.append((number, row.get("nip") or "", exc.message_dict))
            continue
        except PermissionDenied as exc:
            result.errors.append((number, row.get("nip") or "", {"unit": [str(exc)]}))
            continue
        if employee.nip:
            seen_nips.add(employee.nip)
        pending.append(employee)
        if len(pending) >= batch_size:
            flush()
    flush()
    return result


def unit_code_check(*, city, code: str, pk: int | None = None) -> None:
    """Refuse a code another unit of the city already has (the services and the admin form both ask)."""
    if Unit.objects.filter(city=city, code=code).exclude(pk=pk).exists():
        raise ValidationError({"code": _("Kode unit %(code)s sudah dipakai di kota ini.") % {"code": code}})


def _unit_assign_path(unit: Unit) -> None:
    unit.path = f"{unit.parent.path if unit.parent_id else ''}{unit.pk}/"


@transaction.atomic
def unit_create(*, actor, city, name: str, code: str, kind: str, parent: Unit | None = None, **extra) -> Unit:
    scope = access.scope_for(actor)
    _require(actor, scope.can("manage_units") and ((parent is None and scope.city_wide) or
                                                   (parent is not None and access.can_place_in_unit(actor, parent))),
             _("Anda tidak berwenang menambah unit di sini."))
    unknown = set(extra) - UNIT_FIELDS
    if unknown:
        raise TypeError(f"unknown unit fields: {sorted(unknown)}")
    unit = Unit(city=city, name=name, code=code, kind=kind, parent=parent, **extra)
    # The code's uniqueness is ours to report, on "code": Django's generic message for the constraint
    # is a non-field error, and its Indonesian translation says the opposite ("tidak ada").
    unit.full_clean(exclude=["path"], validate_constraints=False)
    unit_code_check(city=city, code=code)
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError:
        raise ValidationError({"code": _("Kode unit %(code)s sudah dipakai di kota ini.") % {"code": code}}) from None
    _unit_assign_path(unit)
    unit.save(update_fields=["path"])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=unit, unit_path=unit.path, after=snapshot(unit))
    _publish(unit.city_id, "unit.saved", unit=unit.pk, what="created")
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **changes) -> Unit:
    """Change a unit; moving it under another parent moves its whole subtree and refuses cycles."""
    unknown = set(changes) - UNIT_FIELDS
    if unknown:
        raise TypeError(f"unknown unit fields: {sorted(unknown)}")
    _require(actor, access.scope_for(actor).can("manage_units") and access.can_place_in_unit(actor, unit),
             _("Anda tidak berwenang mengubah unit %(unit)s.") % {"unit": unit})
    before = snapshot(Unit.objects.get(pk=unit.pk))
    old_path = unit.path
    for name, value in changes.items():
        setattr(unit, name, value)
    if "parent" in changes and unit.parent is not None:
        _require(actor, access.can_place_in_unit(actor, unit.parent),
                 _("Anda tidak berwenang memindahkan unit ke %(parent)s.") % {"parent": unit.parent})
    unit.full_clean(exclude=["path"], validate_unique=False, validate_constraints=False)
    unit_code_check(city=unit.city, code=unit.code, pk=unit.pk)
    _unit_assign_path(unit)
    unit.save()
    if unit.path != old_path:
        moved = list(Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk))
        for descendant in moved:
            descendant.path = unit.path + descendant.path[len(old_path):]
        Unit.objects.bulk_update(moved, ["path"])
    after = snapshot(unit)
    if after != before:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=unit, unit_path=unit.path, before=before,
                     after=after)
        _publish(unit.city_id, "unit.saved", unit=unit.pk, what="updated")
    return unit


@transaction.atomic
def role_assign(*, actor, user, role: str, city, unit: Unit | None = None, kelurahan=None) -> RoleAssignment:
    _require(actor, access.scope_for(actor).can("manage_roles"), _("Anda tidak berwenang memberi peran."))
    assignment = RoleAssignment(user=user, role=role, city=city, unit=unit, kelurahan=kelurahan)
    assignment.full_clean(validate_unique=False)
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, city=city, unit=unit,
                                                               kelurahan=kelurahan)
    if created:
        audit_record(actor=actor, action=AuditAction.CREATE, obj=assignment,
                     unit_path=unit.path if unit else "", after=snapshot(assignment))
        _publish(assignment.city_id, "role.assigned", assignment=assignment.pk, role=role, user=user.pk)
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    _require(actor, access.scope_for(actor).can("manage_roles"), _("Anda tidak berwenang mencabut peran."))
    before = snapshot(assignment)
    audit_record(actor=actor, action=AuditAction.DELETE, obj=assignment,
                 unit_path=assignment.unit.path if assignment.unit_id else "", before=before)
    _publish(assignment.city_id, "role.revoked", assignment=assignment.pk, role=assignment.role,
             user=assignment.user_id)
    assignment.delete()


@transaction.atomic
def site_create(*, actor, city, name: str, lat: float, lon: float, kind: str = SiteKind.OFFICE,
                unit: Unit | None = None, kelurahan=None, address: str = "", radius_m: int = 100) -> Site:
    allowed = access.scope_for(actor).can("manage_units") and (unit is None or access.can_place_in_unit(actor, unit))
    _require(actor, allowed, _("Anda tidak berwenang menambah lokasi di sini."))
    site = Site(city=city, name=name, lat=lat, lon=lon, kind=kind, unit=unit, kelurahan=kelurahan, address=address,
                radius_m=radius_m)
    site.full_clean()
    site.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=site, unit_path=unit.path if unit else "",
                 after=snapshot(site))
    _publish(site.city_id, "site.saved", site=site.pk, what="created")
    return site


def _publish(city_id: int, kind: str, **data) -> None:
    event_publish(channel=org_channel(city_id), kind=kind, data=data)
