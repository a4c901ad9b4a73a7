"""Rates as the pages and exports show them."""

from decimal import Decimal


def percent(part: int, whole: int, *, places: int = 2) -> Decimal | None:
    """`part` of `whole` in per cent, rounded to `places` decimals; None when there is no whole."""
    return (Decimal(100) * part / whole).quantize(Decimal(1).scaleb(-places)) if whole else None
