"""Background jobs of the dashboard (Huey): the alert rules are checked every minute."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def alerts_check():
    from satulayar.dashboard.alerts import alerts_evaluate
    from satulayar.dashboard.models import AlertRule
    from satulayar.org.models import City

    opened = 0
    for city in City.objects.filter(pk__in=AlertRule.objects.filter(active=True).values("city")):
        opened += alerts_evaluate(city=city).opened
    return opened
