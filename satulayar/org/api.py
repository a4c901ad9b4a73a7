import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from satulayar.org import access, selectors, services
from satulayar.org.choices import EmploymentType, Role
from satulayar.org.models import Employee, Kelurahan, Unit

router = Router(tags=["organisasi"])


class ScopeOut(Schema):
    username: str
    roles: list[str]
    city_wide: bool
    employee_id: int | None


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    parent_id: int | None
    kelurahan_id: int | None
    kecamatan_id: int | None
    path: str
    active: bool


class UnitIn(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    short_name: str = ""
    kind: str
    parent_id: int | None = None
    kelurahan_id: int | None = None


class UnitPatch(Schema):
    code: str | None = None
    name: str | None = None
    short_name: str | None = None
    parent_id: int | None = None
    active: bool | None = None


class RegionOut(Schema):
    id: int
    code: str
    name: str


class KelurahanOut(RegionOut):
    kecamatan_id: int
    centroid_lat: float | None
    centroid_lon: float | None


class EmployeeOut(Schema):
    id: int
    nip: str | None
    nik: str
    name: str
    employment_type: str
    rank: str
    position: str
    sex: str
    birth_date: dt.date | None
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    active: bool

    @staticmethod
    def resolve_nik(obj: Employee, context) -> str:
        scope = access.scope_for(context["request"].user)
        return obj.nik if scope.can("view_nik") or scope.employee_id == obj.pk else obj.masked_nik


class EmployeeIn(Schema):
    unit_id: int
    name: str = Field(min_length=2, max_length=150)
    employment_type: EmploymentType = EmploymentType.PNS
    nip: str = ""
    nik: str = ""
    rank: str = ""
    position: str = ""


class EmployeePatch(Schema):
    unit_id: int | None = None
    name: str | None = None
    nip: str | None = None
    nik: str | None = None
    rank: str | None = None
    position: str | None = None
    active: bool | None = None


class RoleIn(Schema):
    username: str
    role: Role
    unit_id: int | None = None
    kelurahan_id: int | None = None


class RoleOut(Schema):
    id: int
    username: str
    role: str
    unit_id: int | None
    kelurahan_id: int | None


def _unit_ref(user, unit_id: int, field: str) -> Unit:
    """A unit the user may use; anything else is reported as not found, never as existing elsewhere."""
    unit = access.units_for(user).filter(pk=unit_id).first()
    if unit is None:
        raise ValidationError({field: _("Unit %(id)s tidak ditemukan atau di luar wewenang Anda.") % {"id": unit_id}})
    return unit


@router.get("/me", response=ScopeOut, summary="Peran dan cakupan akun ini")
def me(request):
    scope = access.scope_for(request.user)
    return {"username": request.user.get_username(), "roles": sorted(scope.roles), "city_wide": scope.city_wide,
            "employee_id": scope.employee_id}


@router.get("/units", response=list[UnitOut], summary="Unit kerja yang terlihat")
def list_units(request):
    return access.units_for(request.user).order_by("path")


@router.get("/units/{unit_id}", response=UnitOut, summary=_("Satu unit kerja"))
def get_unit(request, unit_id: int):
    return access.unit_get_for_user(user=request.user, pk=unit_id)


@router.post("/units", response={201: UnitOut}, summary="Tambah unit kerja")
def create_unit(request, payload: UnitIn):
    parent = _unit_ref(request.user, payload.parent_id, "parent_id") if payload.parent_id else None
    kelurahan = None
    if payload.kelurahan_id:
        kelurahan = access.kelurahan_for(request.user).filter(pk=payload.kelurahan_id).first()
        if kelurahan is None:
            raise ValidationError({"kelurahan_id": _("Kelurahan %(id)s tidak ditemukan.") % {
                "id": payload.kelurahan_id}})
    unit = services.unit_create(actor=request.user, city=request.city, parent=parent, kelurahan=kelurahan,
                                **payload.dict(exclude={"parent_id", "kelurahan_id"}))
    return Status(201, unit)


@router.patch("/units/{unit_id}", response=UnitOut, summary="Ubah atau pindahkan unit kerja")
def update_unit(request, unit_id: int, payload: UnitPatch):
    unit = access.unit_get_for_user(user=request.user, pk=unit_id)
    changes = payload.dict(exclude_unset=True)
    if "parent_id" in changes:
        parent_id = changes.pop("parent_id")
        changes["parent"] = _unit_ref(request.user, parent_id, "parent_id") if parent_id else None
    return services.unit_update(actor=request.user, unit=unit, **changes)


@router.get("/kecamatan", response=list[RegionOut], summary=_("Daftar kecamatan"))
def list_kecamatan(request):
    return access.kecamatan_for(request.user)


@router.get("/kelurahan", response=list[KelurahanOut], summary=_("Daftar kelurahan"))
def list_kelurahan(request):
    return access.kelurahan_for(request.user)


@router.get("/employees", response=list[EmployeeOut], summary="Pegawai yang terlihat")
@paginate(PageNumberPagination, page_size=100)
def list_employees(request, q: str = "", unit_id: int | None = None, employment_type: str = "",
                   active: bool | None = True):
    return selectors.employee_list(user=request.user, q=q, unit_id=unit_id, employment_type=employment_type,
                                   active=active)


@router.get("/employees/{employee_id}", response=EmployeeOut, summary=_("Satu pegawai"))
def get_employee(request, employee_id: int):
    return access.employee_get_for_user(user=request.user, pk=employee_id)


@router.post("/employees", response={201: EmployeeOut}, summary="Tambah pegawai")
def create_employee(request, payload: EmployeeIn):
    unit = _unit_ref(request.user, payload.unit_id, "unit_id")
    return Status(201, services.employee_create(actor=request.user, unit=unit, **payload.dict(exclude={"unit_id"})))


@router.patch("/employees/{employee_id}", response=EmployeeOut, summary="Ubah data pegawai")
def update_employee(request, employee_id: int, payload: EmployeePatch):
    employee = access.employee_get_for_user(user=request.user, pk=employee_id)
    changes = payload.dict(exclude_unset=True)
    if "unit_id" in changes:
        changes["unit"] = _unit_ref(request.user, changes.pop("unit_id"), "unit_id")
    return services.employee_update(actor=request.user, employee=employee, **changes)


@router.post("/roles", response={201: RoleOut}, summary="Beri peran kepada akun")
def assign_role(request, payload: RoleIn):
    if not access.scope_for(request.user).can("manage_roles"):
        raise PermissionDenied(_("Anda tidak berwenang memberi peran."))
    user = get_user_model().objects.filter(username=payload.username).first()
    if user is None:
        raise ValidationError({"username": _("Akun %(name)s tidak ada.") % {"name": payload.username}})
    unit = _unit_ref(request.user, payload.unit_id, "unit_id") if payload.unit_id else None
    kelurahan = None
    if payload.kelurahan_id:
        kelurahan = Kelurahan.objects.filter(pk=payload.kelurahan_id, kecamatan__city=request.city).first()
        if kelurahan is None:
            raise ValidationError({"kelurahan_id": _("Kelurahan %(id)s tidak ada di kota ini.") % {
                "id": payload.kelurahan_id}})
    assignment = services.role_assign(actor=request.user, user=user, role=payload.role, city=request.city,
                                      unit=unit, kelurahan=kelurahan)
    return Status(201, {"id": assignment.pk, "username": user.username, "role": assignment.role,
                        "unit_id": assignment.unit_id, "kelurahan_id": assignment.kelurahan_id})
