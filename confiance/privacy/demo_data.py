"""Demo: each commune's register completions (controller, DPO contact) and a first ethics charter (replayable)."""

from __future__ import annotations

from confiance.privacy.models import CharterVersion, CommunePrivacy
from confiance.territory.models import Commune

ORDER = 70

CHARTER = """Charte éthique de la plateforme Confiance (démonstration)

1. Les données servent la tranquillité publique et le service aux habitants, jamais la surveillance des personnes.
2. Aucune reconnaissance faciale, aucune identification biométrique, aucune lecture de plaques par la police
   municipale.
3. Les analyses ne portent que sur des agrégats ; les petits effectifs sont masqués.
4. Chaque consultation d'une fiche nominative est journalisée avec son motif et revue par le délégué à la
   protection des données.
5. Les durées de conservation sont appliquées automatiquement chaque nuit.
"""


def load(*, actor, stdout) -> None:
    for commune in Commune.objects.order_by("name"):
        CommunePrivacy.objects.get_or_create(commune=commune, defaults={
            "controller": f"Commune de {commune.name}, représentée par son maire",
            "dpo_name": "Diane Durand", "dpo_email": f"dpo.{commune.insee_code}@example.org",
            "rights_address": f"Mairie de {commune.name}, service protection des données"})
        if not CharterVersion.objects.filter(commune=commune).exists():
            CharterVersion.objects.create(commune=commune, number=1, text=CHARTER)
    stdout.write("Vie privée : registres complétés et charte éthique de démonstration.")
