"""Password authentication with lockout after repeated failures."""

from django.contrib.auth.backends import ModelBackend

from confiance.accounts.models import Agent
from confiance.accounts.selectors import is_locked
from confiance.accounts.services import agent_login_failed, agent_login_succeeded


class LockoutModelBackend(ModelBackend):
    """Django's model backend, refusing locked accounts and counting wrong passwords."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        agent = Agent.objects.filter(username=username).first()
        if agent is None:
            Agent().set_password(password)  # same work as a real check: no timing oracle on usernames
            return None
        if is_locked(agent):
            return None
        if agent.check_password(password) and self.user_can_authenticate(agent):
            agent_login_succeeded(agent=agent)
            return agent
        agent_login_failed(agent=agent)
        return None
