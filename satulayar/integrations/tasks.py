"""Background jobs of the integration hub (Huey): the scheduler tick and upload processing."""

from huey.contrib.djhuey import db_task

from satulayar.core.schedules import city_crontab, single_periodic_task


@single_periodic_task(city_crontab(minute="*"))
def connectors_tick():
    """Every minute: run the scheduled connectors (and retries) whose time has come."""
    from satulayar.integrations.runs import connectors_run_due, runs_interrupted_close

    runs_interrupted_close()
    return len(connectors_run_due())


@db_task()
def upload_process_task(run_id: int):
    from satulayar.integrations.uploads import upload_process

    return upload_process(run_id=run_id).status

