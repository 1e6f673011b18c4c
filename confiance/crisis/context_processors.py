"""The crisis banner of the agents' pages: the crises in force in the agent's communes; and the flood suggestion
("Déclarer une crise" pre-filled with the communes of the open water-level alarms) that the console shows. Both are
read only when a page shows them."""

from django.utils.functional import SimpleLazyObject

from confiance.accounts.access import Actor
from confiance.crisis.selectors import crisis_banner_for_agent, flood_suggestion


def crisis_banner(request):
    def active():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        return crisis_banner_for_agent(user)

    def suggestion():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return flood_suggestion(actor=Actor(agent=user))

    return {"active_crises": SimpleLazyObject(active), "crisis_suggestion": SimpleLazyObject(suggestion)}
