"""Background jobs of the integration hub (Huey): the scheduler tick and upload processing."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(minute="*"))
def connectors_tick():
    """Every minute: run the scheduled connectors (and retries) whose time has come."""
    from satulayar.integrations.runs import connectors_run_due

    return len(connectors_run_due())


@db_task()
def upload_process_task(run_id: int):
    from satulayar.integrations.uploads import upload_process

    return upload_process(run_id=run_id).status

