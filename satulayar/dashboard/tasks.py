"""Background jobs of the dashboard (Huey): the alert rules are checked every minute; alert webhooks are sent,
and tried again with backoff, one job per attempt."""

from huey.contrib.djhuey import db_task

from satulayar.core.schedules import city_crontab, single_periodic_task


@db_task()
def alert_webhook_task(alert_id: int, attempt: int = 1):
    from satulayar.dashboard.alerts import alert_deliver
    from satulayar.dashboard.models import Alert

    alert = Alert.objects.select_related("rule", "city").filter(pk=alert_id).first()
    return alert_deliver(alert=alert, attempt=attempt) if alert and alert.rule.webhook_url else False


@single_periodic_task(city_crontab(minute="*"))
def alerts_check():
    from satulayar.dashboard.alerts import alerts_evaluate
    from satulayar.dashboard.models import AlertRule
    from satulayar.org.models import City

    opened = 0
    for city in City.objects.filter(pk__in=AlertRule.objects.filter(active=True).values("city")):
        opened += alerts_evaluate(city=city).opened
    return opened
