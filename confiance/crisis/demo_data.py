"""Demo: the safety-plan checklists of every demo commune, with the default steps for each kind of crisis. No
crisis is declared: the demo flood (`confiance simulate`) raises the alarms, and the console offers to declare it."""

from confiance.crisis.services import checklist_template_seed
from confiance.territory.models import Commune

ORDER = 55  # after the devices (their alarms feed the flood suggestion)


def load(*, actor, stdout) -> None:
    created = sum(checklist_template_seed(commune=commune) for commune in Commune.objects.order_by("insee_code"))
    stdout.write(f"Crises : {created} listes d'actions de plan communal de sauvegarde.")
