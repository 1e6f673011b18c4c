"""Background work of the analytics app (django-tasks)."""

from django_tasks import task


@task()
def run_analysis(run_id: str) -> None:
    """Compute one analysis; progress and outcome are written on its AnalysisRun row."""
    from confiance.analytics.services import run_execute

    run_execute(run_id=run_id)
