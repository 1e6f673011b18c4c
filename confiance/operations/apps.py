from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "confiance.operations"
    label = "operations"
    verbose_name = _("Police municipale")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(_forget_push_subscriptions, dispatch_uid="operations.push.logout")


def _forget_push_subscriptions(sender, request, user, **kwargs) -> None:
    """Signing out of a session forgets the Web Push subscriptions it made (the phone stops ringing for this agent)."""
    from confiance.operations.push import push_subscriptions_forget_session

    session = getattr(request, "session", None)
    if user is not None and session is not None:
        push_subscriptions_forget_session(agent_id=user.pk, session_key=session.session_key)
