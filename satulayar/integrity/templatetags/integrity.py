"""`{% integrity_badge %}`: the count of new integrity findings, for the one screen; nothing for other roles.

The badge is a live element of the one screen: it names the event kinds that change it (`integrity.`: a run, a
judgement, a tuning) and the URL of its own HTML, which the screen's script fetches again after such an event."""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from satulayar.integrity.access import may_review
from satulayar.integrity.selectors import new_count

register = template.Library()


@register.simple_tag(takes_context=True)
def integrity_badge(context) -> str:
    request = context.get("request")
    if request is None or getattr(request, "city", None) is None or not may_review(request.user):
        return ""
    inner = render_to_string("integrity/_badge.html", {"new": new_count(user=request.user, city=request.city)},
                             request=request)
    return format_html('<span id="integrity-badge" data-panel-url="{}" data-kinds="integrity." '
                       'data-min-interval="1000" aria-live="polite">{}</span>', reverse("integrity:badge"), inner)
