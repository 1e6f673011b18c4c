"""Demo agents: one per role, same password, printed by `make demo` and written in the README."""

from django.conf import settings

from confiance.accounts.choices import Role
from confiance.accounts.models import Agent
from confiance.accounts.services import agent_create, membership_grant
from confiance.territory.models import Commune

ORDER = 20
DEMO_PASSWORD = "confiance-demo"  # noqa: S105 - a demo account, refused outside demo mode

# username, first name, last name, role, communes (None = every demo commune)
DEMO_AGENTS = [
    ("policier", "Paul", "Martin", Role.POLICE_AGENT, ["91386", "91468"]),
    ("operateur", "Olivia", "Bernard", Role.CSU_OPERATOR, None),
    ("chef", "Charles", "Petit", Role.SHIFT_SUPERVISOR, None),
    ("technicien", "Thomas", "Robert", Role.TECHNICAL_AGENT, ["91386"]),
    ("elu", "Élise", "Richard", Role.ELECTED_OFFICIAL, ["91386"]),
    ("dpo", "Diane", "Durand", Role.DPO, None),
    ("rssi", "Rémi", "Lefèvre", Role.RSSI, None),
    ("admin", "Alice", "Moreau", Role.ADMINISTRATOR, None),
]


def load(*, actor, stdout) -> None:
    if not settings.DEMO_MODE:
        raise RuntimeError("Les comptes de démonstration ne sont créés qu'en mode démo (CONFIANCE_DEMO=1).")
    every = list(Commune.objects.order_by("insee_code"))
    for username, first, last, role, codes in DEMO_AGENTS:
        agent = Agent.objects.filter(username=username).first()
        if agent is None:
            agent = agent_create(actor=actor, username=username, password=DEMO_PASSWORD, first_name=first,
                                 last_name=last, email=f"{username}@demo.confiance.invalid",
                                 is_superuser=(role == Role.ADMINISTRATOR))
        communes = every if codes is None else [c for c in every if c.insee_code in codes]
        for commune in communes:
            membership_grant(actor=actor, agent=agent, commune=commune, role=role)
    accounts = ", ".join(f"{u} ({r.label})" for u, _, _, r, _ in DEMO_AGENTS)
    stdout.write(f"Comptes de démonstration (mot de passe « {DEMO_PASSWORD} ») : {accounts}")
