from functools import lru_cache
from pathlib import Path

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from satulayar.core import formatting

register = template.Library()
ICONS = Path(settings.BASE_DIR) / "core/static/vendor/tabler-icons/icons/outline"


@lru_cache(maxsize=128)
def _icon_svg(name: str) -> str:
    svg = (ICONS / f"{name}.svg").read_text()
    return svg.replace('class="icon icon-tabler', 'aria-hidden="true" class="icon icon-tabler', 1)


@register.simple_tag
def icon(name: str) -> str:
    """Inline a vendored Tabler icon (no icon font, no request)."""
    return mark_safe(_icon_svg(name))


@register.filter
def angka(value, digits: int = 0):
    """A number the Indonesian way: 1.234,5 (follows the active language)."""
    return formatting.number(value, int(digits))


@register.filter
def ringkas(value, digits: int = 1):
    """A measured value with decimals only where they say something: 2.641 but 12,5."""
    return formatting.number(value, int(digits), trim=True)


@register.filter
def jumlah(value, unit: str = ""):
    """A count, never with decimals: "2.641 kunjungan" (a no-break space before the unit)."""
    return formatting.count(value, unit)


@register.filter
def menit(value):
    """Minutes as "242 mnt", never wrapped."""
    return formatting.minutes(value)


@register.filter
def persen(value, digits: int = 1):
    return formatting.percent(value, int(digits))


@register.filter
def tanggal(value):
    """A date as 'Selasa, 2 Januari 2018' in the active language."""
    return formatting.long_date(value)


@register.simple_tag
def badge(label, colour="secondary"):
    return format_html('<span class="badge bg-{}-lt">{}</span>', colour, label)


@register.filter
def role_label(value):
    from satulayar.org.choices import Role

    return Role(value).label if value in Role.values else value


@register.filter
def can(scope, capability: str) -> bool:
    return scope.can(capability)


@register.filter
def action_colour(action: str) -> str:
    from satulayar.audit.choices import AuditAction

    return AuditAction(action).colour if action in AuditAction.values else "secondary"


INDONESIAN_ZONES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


@register.filter
def zone_abbr(tz_name: str) -> str:
    """WIB, WITA or WIT, as Indonesians write the three zones."""
    return INDONESIAN_ZONES.get(tz_name, tz_name or "")


@register.filter
def overdue(finding) -> bool:
    """A follow-up past its due date (the city's today) and not done."""
    from django.utils import timezone

    due, status = getattr(finding, "due_date", None), getattr(finding, "follow_up_status", "")
    return bool(due and due < timezone.localdate() and status != "done")
