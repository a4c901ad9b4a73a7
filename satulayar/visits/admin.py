from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from satulayar.core.admin import ScopedAdmin
from satulayar.org import access
from satulayar.org.identity import mask_nik
from satulayar.visits.access import kelurahan_for_desk
from satulayar.visits.models import (
    BookingCapacity,
    Counter,
    KioskDevice,
    OfficeHours,
    PriorityGroup,
    Service,
    ServiceOutcome,
    ServiceOverride,
    Ticket,
)


@admin.register(Service)
class ServiceAdmin(ScopedAdmin):
    """The city's catalogue: seen by whoever sees the regions, changed by those who manage units."""

    view_capability = "view_regions"
    list_display = ["name", "code", "prefix", "sla_minutes", "active", "order"]
    list_filter = ["active"]
    search_fields = ["name", "code"]
    fields = ["city", "code", "prefix", "name", "requirements", "sla_minutes", "active", "order"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(city_id__in=access.scope_for(request.user).city_ids)


class KelurahanScopedAdmin(ScopedAdmin):
    """Rows of one kelurahan: seen within the user's regions, changed by whoever runs that kelurahan's desk."""

    view_capability = "view_regions"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kelurahan__in=access.kelurahan_for(request.user))

    def _desk_ok(self, request, obj=None) -> bool:
        if self._can(request, "manage_units"):
            return True
        desk = kelurahan_for_desk(request.user)
        return desk.exists() if obj is None else desk.filter(pk=obj.kelurahan_id).exists()

    def has_add_permission(self, request):
        return self._desk_ok(request)

    def has_change_permission(self, request, obj=None):
        return self._desk_ok(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "kelurahan" and not self._can(request, "manage_units"):
            kwargs["queryset"] = kelurahan_for_desk(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ServiceOverride)
class ServiceOverrideAdmin(KelurahanScopedAdmin):
    list_display = ["service", "kelurahan", "active", "sla_minutes"]
    list_filter = ["active"]
    search_fields = ["service__name", "kelurahan__name"]
    list_select_related = ["service", "kelurahan"]


@admin.register(OfficeHours)
class OfficeHoursAdmin(KelurahanScopedAdmin):
    list_display = ["kelurahan", "weekday", "opens", "closes"]
    list_select_related = ["kelurahan"]


@admin.register(BookingCapacity)
class BookingCapacityAdmin(KelurahanScopedAdmin):
    list_display = ["kelurahan", "service", "hour", "capacity"]
    list_select_related = ["kelurahan", "service"]


@admin.register(KioskDevice)
class KioskDeviceAdmin(KelurahanScopedAdmin):
    """Kiosks are registered from the desk (the link is shown once); here they are renamed or retired."""

    list_display = ["name", "kelurahan", "roll_mm", "active", "created_at"]
    fields = ["kelurahan", "name", "roll_mm", "active"]
    readonly_fields = ["kelurahan"]
    list_select_related = ["kelurahan"]

    def has_add_permission(self, request):
        return False


@admin.register(ServiceOutcome)
class ServiceOutcomeAdmin(ScopedAdmin):
    view_capability = "view_regions"
    list_display = ["name", "service", "active", "order"]
    list_filter = ["active"]
    list_select_related = ["service"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(service__city_id__in=access.scope_for(request.user).city_ids)


@admin.register(PriorityGroup)
class PriorityGroupAdmin(ScopedAdmin):
    view_capability = "view_regions"
    list_display = ["name", "code", "city", "active"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(city_id__in=access.scope_for(request.user).city_ids)


@admin.register(Counter)
class CounterAdmin(KelurahanScopedAdmin):
    list_display = ["__str__", "number", "kelurahan", "active"]
    list_filter = ["active"]
    search_fields = ["kelurahan__name", "name"]
    list_select_related = ["kelurahan"]


@admin.register(Ticket)
class TicketAdmin(ScopedAdmin):
    """Read only: tickets change only through the desk (visits.services)."""

    view_capability = "view_regions"
    list_display = ["code", "date", "kelurahan", "service", "status", "channel", "counter", "issued_at"]
    list_filter = ["status", "channel", "date"]
    search_fields = ["kelurahan__name"]
    list_select_related = ["kelurahan", "service", "counter"]
    date_hierarchy = "date"
    fields = ["kelurahan", "service", "date", "prefix", "number", "status", "channel", "visitor_name",
              "visitor_nik_masked", "counter", "officer", "issued_at", "called_at", "serving_at", "finished_at",
              "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kelurahan__in=access.kelurahan_for(request.user))

    @admin.display(description=_("NIK pengunjung"))
    def visitor_nik_masked(self, obj):
        return mask_nik(obj.visitor_nik) or "–"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
