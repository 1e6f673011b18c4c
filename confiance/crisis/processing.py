"""Processing operation of crisis mode, for the DPO's register: the crisis log and checklists name the agents who
wrote or ticked them (no other person: the form asks for the situation, not for names)."""

from confiance.privacy.processing import Processing, register_processing

register_processing(Processing(
    key="crisis.crisis_log",
    name="Journal et listes d'actions des crises intercommunales",
    purpose=("Coordonner les communes pendant une crise (inondation, incendie, neige, canicule, intrusion) : "
             "journal horodaté, liste d'actions du plan communal de sauvegarde, rapport de fin de crise."),
    legal_basis="Mission d'intérêt public (art. 6-1-e RGPD)",
    legal_texts=("Code de la sécurité intérieure, L.731-3 (plan communal de sauvegarde)",
                 "Code général des collectivités territoriales, L.2212-2 (police municipale du maire)"),
    persons=("Agents des communes de la crise (auteurs des notes, des étapes cochées, de la déclaration)",),
    data=("Nom de l'agent, date et heure de son action", "Texte des notes de situation"),
    recipients=("Agents des communes de la crise", "Élus et chefs de poste de ces communes"),
    retention_rules=("crisis.log_entries", "crisis.step_ticks"),
    security=("Accès par commune de la crise", "Entrées ajoutées, jamais modifiées",
              "Journal d'audit chaîné de la déclaration, des communes ajoutées, des étapes et de la fin"),
    models=("crisis.CrisisLogEntry", "crisis.CrisisStepTick"),
    needs_dpia=False,
))
