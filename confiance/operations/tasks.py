"""Background work of police operations (django-tasks): Web Push notifications of the field page."""

from django_tasks import task


@task()
def push_send_task(ids: list[int]) -> dict[str, int]:
    """Send the queued notifications (they are claimed first: see operations/push.py)."""
    from confiance.operations.push import push_send

    return push_send(ids=ids, limit=len(ids) or 1)
