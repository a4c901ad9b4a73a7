"""One way to write numbers, counts, minutes and dates on every page, the same in the browser.

static/satulayar/format.js follows these rules line by line (tests/test_formatting.py runs both on the same
values): Indonesian 1.234,5 (English 1,234.5), counts without decimals ("2.641 kunjungan"), minutes as "242 mnt"
with a no-break space so they never wrap, dates as "Selasa, 2 Januari 2018".
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import translation
from django.utils.dateformat import format as date_format

NBSP = "\u00a0"
DASH = "–"
SEPARATORS = {"id": (".", ","), "en": (",", ".")}


def _separators(lang: str | None) -> tuple[str, str]:
    code = (lang or translation.get_language() or "id").split("-")[0]
    return SEPARATORS.get(code, SEPARATORS["id"])


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def number(value, digits: int = 0, *, trim: bool = False, lang: str | None = None) -> str:
    """1234.56 → "1.234,6" (digits=1). With trim, a whole number drops its decimals: 2641.0 → "2.641"."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    rounded = amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    if trim and rounded == rounded.to_integral_value():
        rounded, digits = rounded.quantize(Decimal(1)), 0
    thousands, decimal = _separators(lang)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):.{digits}f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = thousands.join(groups)
    return sign + text + (decimal + fraction if fraction else "")


def count(value, unit: str = "", *, lang: str | None = None) -> str:
    """A count never has decimals: "2.641 kunjungan", "95 rit"."""
    text = number(value, 0, lang=lang)
    return f"{text}{NBSP}{unit}" if unit and text != DASH else text


def measure(value, unit: str = "", *, digits: int = 1, lang: str | None = None) -> str:
    """A value with a unit: decimals only where they say something ("2.641 kunjungan", "12,5 ton")."""
    text = number(value, digits, trim=True, lang=lang)
    return f"{text}{NBSP}{unit}" if unit and text != DASH else text


def minutes(value, *, lang: str | None = None) -> str:
    """Minutes as "242 mnt" (English "242 min"), never broken over two lines."""
    code = (lang or translation.get_language() or "id").split("-")[0]
    return count(value, "min" if code == "en" else "mnt", lang=lang)


def percent(value, digits: int = 1, *, lang: str | None = None) -> str:
    text = number(value, digits, lang=lang)
    return f"{text}{NBSP}%" if text != DASH else text


def long_date(value, *, lang: str | None = None) -> str:
    """ "Selasa, 2 Januari 2018" (English "Tuesday, 2 January 2018")."""
    if not value:
        return DASH
    if isinstance(value, dt.datetime):
        value = value.date()
    with translation.override(lang or translation.get_language() or "id"):
        return date_format(value, "l, j F Y")
