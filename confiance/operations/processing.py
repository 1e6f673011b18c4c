"""Processing operations of the police municipale, for the DPO's register (privacy/processing.py): the main
courante and the interventions. Retention comes from operations/retention.py, by rule name."""

from confiance.privacy.processing import Processing, register_processing

_POLICE_SECURITY = (
    "Accès par rôle et par commune (police municipale, centre de supervision)",
    "Journal d'audit chaîné et horodaté de chaque création, modification, export et suppression",
    "Journal des consultations avec motif, conservé 3 ans",
    "Contrôle des catégories de données interdites dans les textes libres",
    "Chiffrement des échanges (TLS)",
)

register_processing(Processing(
    key="operations.main_courante",
    name="Main courante de la police municipale",
    purpose=("Consigner les faits, événements et actions de la police municipale (patrouilles, appels, "
             "constatations) et les personnes concernées, pour le compte rendu et le suivi des missions."),
    legal_basis="Mission d'intérêt public (art. 6-1-e RGPD) ; traitement pénal (directive 2016/680)",
    legal_texts=(
        "Arrêté du 14 avril 2009 (traitements de la police municipale liés aux infractions)",
        "CNIL, délibération 2008-304 (missions de la police municipale hors infractions)",
        "Code de la sécurité intérieure, L.511-1",
    ),
    persons=("Personnes concernées par un fait consigné (mis en cause, victimes, témoins, requérants)",
             "Agents de police municipale"),
    data=("Identité et coordonnées des personnes concernées", "Nature, lieu, date et texte de l'entrée",
          "Auteur de l'entrée et visa du chef de poste"),
    recipients=("Agents de police municipale de la commune", "Chef de poste",
                "Officiers de police judiciaire et autorités judiciaires sur réquisition"),
    retention_rules=("operations.log_entries", "operations.log_persons"),
    security=_POLICE_SECURITY,
    models=("operations.LogEntry", "operations.LogPerson", "operations.DayVisa"),
    needs_dpia=True,
))

register_processing(Processing(
    key="operations.interventions",
    name="Interventions de la police municipale",
    purpose=("Recevoir les appels, créer et suivre les interventions, engager les unités et mesurer les délais ; "
             "en mode crise, partager interventions et unités entre les communes concernées le temps de la crise."),
    legal_basis="Mission d'intérêt public (art. 6-1-e RGPD) ; traitement pénal (directive 2016/680)",
    legal_texts=(
        "Arrêté du 14 avril 2009 (traitements de la police municipale liés aux infractions)",
        "CNIL, délibération 2008-304 (missions de la police municipale hors infractions)",
        "Code de la sécurité intérieure, L.512-1 (conventions de mise en commun)",
    ),
    persons=("Requérants", "Agents de police municipale et opérateurs du centre de supervision"),
    data=("Nom et téléphone du requérant", "Nature, lieu, priorité, description et suivi de l'intervention",
          "Engagements des unités, positions des patrouilles, messages aux unités"),
    recipients=("Agents de police municipale et centre de supervision de la commune",
                "Communes d'une convention de mise en commun ou d'une crise, pendant sa durée"),
    retention_rules=("operations.interventions", "operations.assignments", "operations.positions",
                     "operations.unit_messages"),
    security=_POLICE_SECURITY,
    models=("operations.Intervention", "operations.InterventionStep", "operations.Assignment",
            "operations.UnitPosition", "operations.UnitMessage"),
    needs_dpia=True,
))
