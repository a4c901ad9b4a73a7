from functools import lru_cache
from pathlib import Path

from django import template
from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import mark_safe

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
    if value is None or value == "":
        return "–"
    return floatformat(value, f"{digits}g")


@register.filter
def tanggal(value):
    """A date as 'Selasa, 2 Januari 2018' in the active language."""
    return date_filter(value, "DATE_FORMAT") if value else "–"


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
