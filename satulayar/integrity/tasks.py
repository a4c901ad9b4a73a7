"""The nightly integrity run (Huey): every city, the last five weeks up to yesterday, one run at a time."""

import datetime as dt

from satulayar.core.schedules import city_crontab, single_periodic_task


def integrity_nightly_run(*, today: dt.date | None = None) -> dict[int, int]:
    """Runs the rules for each city over NIGHTLY_DAYS ending yesterday; returns the new findings per city."""
    from satulayar.core.time import local_date
    from satulayar.integrity.engine import NIGHTLY_DAYS
    from satulayar.integrity.services import findings_run
    from satulayar.org.models import City

    created = {}
    for city in City.objects.all():
        end = (today or local_date(city)) - dt.timedelta(days=1)
        result = findings_run(actor=None, city=city, start=end - dt.timedelta(days=NIGHTLY_DAYS - 1), end=end)
        created[city.pk] = result.created
    return created


@single_periodic_task(city_crontab(hour="1", minute="40"))
def integrity_nightly():
    return integrity_nightly_run()
