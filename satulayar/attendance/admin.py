from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from satulayar.attendance import devices
from satulayar.attendance.models import Device, DeviceCommand, DeviceUpload, PinMapping
from satulayar.core.admin import ScopedAdmin
from satulayar.org import access


class DeviceScopedAdmin(ScopedAdmin):
    """Seen by whoever sees the device's site; changed only by device managers (see devices.can_manage_devices)."""

    view_capability = "view_units"

    def has_add_permission(self, request):
        return devices.can_manage_devices(request.user)

    def has_change_permission(self, request, obj=None):
        return devices.can_manage_devices(request.user)


PULL_FIELDS = ("mode", "host", "port", "pull_clear")


@admin.register(Device)
class DeviceAdmin(DeviceScopedAdmin):
    list_display = ["serial_number", "name", "status", "mode", "site", "last_seen_at", "last_ip", "push_version"]
    list_filter = ["status"]
    search_fields = ["serial_number", "name"]
    fields = ["serial_number", "name", "site", "status", "mode", "host", "port", "pull_clear", "push_version",
              "attlog_stamp", "last_seen_at", "last_ip", "info"]
    readonly_fields = ["status", "push_version", "attlog_stamp", "last_seen_at", "last_ip", "info"]
    actions = ["approve", "block"]

    def get_queryset(self, request):
        return devices.devices_for(request.user)

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "serial_number"] if obj else self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "site":
            kwargs["queryset"] = access.sites_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            devices.device_update(actor=request.user, device=obj, name=data["name"], site=data["site"],
                                  **{name: data[name] for name in PULL_FIELDS})
        else:
            obj.pk = devices.device_register(actor=request.user, city=request.city,
                                             serial_number=data["serial_number"], name=data["name"],
                                             site=data["site"], **{name: data[name] for name in PULL_FIELDS}).pk

    def _apply(self, request, queryset, service, done_message):
        count = 0
        for device in queryset:
            try:
                service(actor=request.user, device=device)
                count += 1
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{device}: {exc}", messages.ERROR)
        self.message_user(request, done_message(count), messages.SUCCESS)

    @admin.action(permissions=["change"], description=_("Setujui mesin terpilih"))
    def approve(self, request, queryset):
        self._apply(request, queryset, devices.device_approve,
                    lambda n: ngettext("%d mesin disetujui.", "%d mesin disetujui.", n) % n)

    @admin.action(permissions=["change"], description=_("Blokir mesin terpilih"))
    def block(self, request, queryset):
        self._apply(request, queryset, devices.device_block,
                    lambda n: ngettext("%d mesin diblokir.", "%d mesin diblokir.", n) % n)


@admin.register(DeviceCommand)
class DeviceCommandAdmin(DeviceScopedAdmin):
    list_display = ["device", "command", "status", "return_code", "created_at", "sent_at", "completed_at"]
    list_filter = ["status"]
    fields = ["device", "command", "status", "return_code", "result", "created_by", "sent_at", "completed_at"]
    readonly_fields = ["status", "return_code", "result", "created_by", "sent_at", "completed_at"]

    def get_queryset(self, request):
        return DeviceCommand.objects.filter(device__in=devices.devices_for(request.user)).select_related("device")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "device":
            kwargs["queryset"] = devices.devices_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.pk = devices.device_command_queue(actor=request.user, device=form.cleaned_data["device"],
                                              command=form.cleaned_data["command"]).pk


@admin.register(DeviceUpload)
class DeviceUploadAdmin(DeviceScopedAdmin):
    list_display = ["device", "table", "received_at", "lines", "accepted", "duplicates", "rejected", "flagged"]
    list_filter = ["table"]
    readonly_fields = ["device", "table", "stamp", "received_at", "lines", "accepted", "duplicates", "rejected",
                       "flagged", "errors"]
    fields = readonly_fields

    def get_queryset(self, request):
        return DeviceUpload.objects.filter(device__in=devices.devices_for(request.user)).select_related("device")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PinMapping)
class PinMappingAdmin(ScopedAdmin):
    view_capability = manage_capability = "manage_employees"
    list_display = ["pin", "employee", "device", "site"]
    search_fields = ["pin", "employee__name", "employee__nip"]
    fields = ["pin", "employee", "device", "site"]  # neither machine nor site: the PIN holds across the city
    raw_id_fields = ["employee", "device", "site"]

    def get_queryset(self, request):
        return PinMapping.objects.filter(employee__in=access.employees_for(request.user)).select_related(
            "employee", "device", "site")

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or access.can_manage_employee(request.user, obj.employee))

    def get_readonly_fields(self, request, obj=None):
        # a new PIN is a new mapping; an existing one may only be re-pointed
        return ["pin", "device", "site"] if obj else []

    def save_model(self, request, obj, form, change):
        pin = obj.pin if change else form.cleaned_data["pin"]
        device = obj.device if change else form.cleaned_data.get("device")
        site = obj.site if change else form.cleaned_data.get("site")
        obj.pk = devices.pin_mapping_set(actor=request.user, city=request.city, pin=pin, device=device, site=site,
                                         employee=form.cleaned_data["employee"]).pk
