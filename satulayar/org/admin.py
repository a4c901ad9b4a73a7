from django.contrib import admin
from django.core.exceptions import ValidationError

from satulayar.core.admin import ScopedAdmin
from satulayar.org import access, services
from satulayar.org.models import City, Employee, Kecamatan, Kelurahan, RoleAssignment, Site, Unit
from satulayar.org.services import EMPLOYEE_FIELDS, UNIT_FIELDS


def _limit_units(request, queryset):
    units = access.units_for(request.user).filter(active=True)
    if not access.scope_for(request.user).city_wide:
        units = units.filter(pk__in=[u.pk for u in units if access.can_place_in_unit(request.user, u)])
    return queryset.filter(pk__in=units.values("pk")).order_by("path")


@admin.register(Employee)
class EmployeeAdmin(ScopedAdmin):
    view_capability = "view_employees"
    manage_capability = "manage_employees"
    list_display = ["name", "nip", "employment_type", "rank", "position", "unit", "active"]
    list_filter = ["employment_type", "active"]
    search_fields = ["name", "nip", "position"]
    readonly_fields = ["sex", "birth_date", "appointed_on"]
    fields = ["name", "employment_type", "nip", "nik", "rank", "position", "unit", "user", "active", *readonly_fields]
    raw_id_fields = ["user"]
    list_select_related = ["unit"]

    def get_queryset(self, request):
        return access.employees_for(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or access.can_manage_employee(request.user, obj))

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not access.scope_for(request.user).can("view_nik"):
            fields.remove("nik")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = _limit_units(request, Unit.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in form.cleaned_data if f in EMPLOYEE_FIELDS}
        if change:
            services.employee_update(actor=request.user, employee=obj, **data)
        else:
            obj.pk = services.employee_create(actor=request.user, **data).pk


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ["name", "short_name", "code", "kind", "parent", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "short_name", "code"]
    fields = ["name", "short_name", "code", "kind", "parent", "kecamatan", "kelurahan", "head", "active"]
    raw_id_fields = ["head"]

    def get_queryset(self, request):
        return access.units_for(request.user).select_related("parent")

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or access.can_place_in_unit(request.user, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = _limit_units(request, Unit.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        base = super().get_form(request, obj, **kwargs)
        city = obj.city if obj else request.city

        class UnitForm(base):
            # The form has no city field, so Django skips the per-city code constraint; a taken code
            # must come back as a form error, not as an exception out of save_model.
            def clean(self):
                cleaned = super().clean()
                if cleaned.get("code"):
                    try:
                        services.unit_code_check(city=city, code=cleaned["code"], pk=self.instance.pk)
                    except ValidationError as exc:
                        self.add_error(None, exc)
                return cleaned

        return UnitForm

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in form.cleaned_data if f in UNIT_FIELDS}
        if change:
            services.unit_update(actor=request.user, unit=obj, **data)
        else:
            obj.pk = services.unit_create(actor=request.user, city=request.city, **data).pk


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedAdmin):
    view_capability = manage_capability = "manage_roles"
    list_display = ["user", "role", "unit", "kelurahan"]
    list_filter = ["role"]
    search_fields = ["user__username"]
    fields = ["user", "role", "unit", "kelurahan"]
    raw_id_fields = ["user"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and obj is None

    def has_delete_permission(self, request, obj=None):
        return self._can(request, self.manage_capability)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        obj.pk = services.role_assign(actor=request.user, user=data["user"], role=data["role"], city=request.city,
                                      unit=data.get("unit"), kelurahan=data.get("kelurahan")).pk

    def delete_model(self, request, obj):
        services.role_revoke(actor=request.user, assignment=obj)


class ReadOnlyRegionAdmin(ScopedAdmin):
    view_capability = "view_regions"
    manage_capability = "manage_units"
    search_fields = ["name", "code"]


@admin.register(City)
class CityAdmin(ReadOnlyRegionAdmin):
    list_display = ["name", "code", "province", "timezone"]


@admin.register(Kecamatan)
class KecamatanAdmin(ReadOnlyRegionAdmin):
    list_display = ["name", "code", "city"]

    def get_queryset(self, request):
        return access.kecamatan_for(request.user)


@admin.register(Kelurahan)
class KelurahanAdmin(ReadOnlyRegionAdmin):
    list_display = ["name", "code", "kecamatan"]
    exclude = ["boundary"]

    def get_queryset(self, request):
        return access.kelurahan_for(request.user).select_related("kecamatan")


@admin.register(Site)
class SiteAdmin(ReadOnlyRegionAdmin):
    list_display = ["name", "kind", "unit", "kelurahan", "lat", "lon", "radius_m"]
    search_fields = ["name", "address", "kelurahan__name", "unit__name"]  # a Site has no code
    list_filter = ["kind"]

    def get_queryset(self, request):
        return access.sites_for(request.user)
