import datetime as dt

from satulayar.core.periods import month_bounds, month_spans


def test_month_bounds_know_february_and_december():
    assert month_bounds(2028, 2) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert month_bounds(2026, 12) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def test_a_range_is_cut_at_month_ends():
    assert list(month_spans(dt.date(2025, 12, 20), dt.date(2026, 2, 3))) == [
        (dt.date(2025, 12, 20), dt.date(2025, 12, 31)), (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 3))]
    assert list(month_spans(dt.date(2026, 3, 5), dt.date(2026, 3, 5))) == [(dt.date(2026, 3, 5), dt.date(2026, 3, 5))]
    assert list(month_spans(dt.date(2026, 3, 6), dt.date(2026, 3, 5))) == []
