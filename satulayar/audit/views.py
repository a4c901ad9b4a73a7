import datetime as dt

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from satulayar.audit.choices import AuditAction
from satulayar.audit.selectors import audit_entries_for
from satulayar.core.decorators import capability_required, is_htmx


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari data"), required=False)
    actor = forms.CharField(label=_("Pelaku"), required=False)
    action = forms.ChoiceField(label=_("Aksi"), required=False, choices=[("", _("Semua aksi")), *AuditAction.choices])
    since = forms.DateField(label=_("Dari tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Sampai tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


def _local_midnight(day: dt.date | None, plus_days: int = 0):
    """The start of a day in the city's zone, so "until 2 January" includes all of that day there."""
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=plus_days), dt.time.min))


@capability_required("view_audit")
def entry_list(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entries_for(
        user=request.user, q=filters.get("q", ""), actor=filters.get("actor", ""),
        action=filters.get("action", ""), since=_local_midnight(filters.get("since")),
        until=_local_midnight(filters.get("until"), plus_days=1),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    template = "audit/_entry_table.html" if is_htmx(request) else "audit/entry_list.html"
    return render(request, template, {"form": form, "page": page})
