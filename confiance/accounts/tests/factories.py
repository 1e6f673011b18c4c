"""Agent factories."""

import itertools

from confiance.accounts.access import Actor
from confiance.accounts.models import Agent, Membership

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


def make_agent(*, communes=(), role="police_agent", username="", superuser=False,
               password: str | None = PASSWORD) -> Agent:
    """An agent with memberships; password=None skips the (deliberately slow) Argon2 hashing."""
    agent = Agent(username=username or f"agent{next(_numbers)}", is_superuser=superuser, is_staff=superuser)
    if password is None:
        agent.set_unusable_password()
    else:
        agent.set_password(password)
    agent.save()
    for commune in communes:
        Membership.objects.create(agent=agent, commune=commune, role=role)
    return agent


def make_actor(**kwargs) -> Actor:
    return Actor(agent=make_agent(**kwargs))
