"""Processing operations of the prevention app, for the DPO's register (privacy/processing.py)."""

from confiance.privacy.processing import Processing, register_processing

# --- Participation citoyenne ---------------------------------------------------------------------

register_processing(Processing(
    key="prevention.participation",
    name="Participation citoyenne : référents et observations",
    purpose="Transmettre à la police municipale et à la gendarmerie les faits observés par des habitants "
            "volontaires nommés référents par le maire, en suivre le traitement, leur adresser des messages de "
            "prévention.",
    legal_basis="Mission d'intérêt public (art. 6-1-e RGPD) ; protocole de participation citoyenne signé par le "
                "maire, le préfet et le commandant de gendarmerie ou le chef de circonscription",
    legal_texts=("Code de la sécurité intérieure, L.132-1 et suivants (prévention de la délinquance)",
                 "Circulaire du 30 avril 2019 relative au dispositif de participation citoyenne"),
    persons=("Référents de participation citoyenne", "Signataires du protocole (en leur qualité)"),
    data=("Identité et coordonnées du référent, secteur, dates de nomination et de révocation",
          "Observations : fait observé (liste fermée), lieu, heure, type, couleur et direction d'un véhicule, "
          "précisions libres contrôlées (aucun champ ne décrit une personne)"),
    recipients=("Police municipale de la commune", "Gendarmerie ou police nationale signataire du protocole "
                "(résumé sans coordonnées du référent, sauf si le protocole le prévoit)", "Élus qui nomment les "
                "référents (identité des référents seulement)"),
    retention_rules=("prevention.referents", "prevention.observations"),
    security=("Lien personnel signé, révoqué avec le référent, dont seule l'empreinte est conservée",
              "Contrôle des noms et des catégories sensibles dans les précisions libres",
              "Lecture des observations réservée à la police municipale, journalisée avec motif"),
    models=("prevention.Referent", "prevention.Observation", "prevention.ObservationUpdate",
            "prevention.ParticipationProtocol"),
))

# --- Réserve communale ---------------------------------------------------------------------------

register_processing(Processing(
    key="prevention.reserve",
    name="Réserve communale de sécurité civile",
    purpose="Tenir la liste des réservistes bénévoles, les mobiliser en cas de crise, les affecter aux missions et "
            "compter leurs heures.",
    legal_basis="Mission d'intérêt public (art. 6-1-e RGPD) ; engagement du réserviste",
    legal_texts=("Code de la sécurité intérieure, L.724-1 et suivants (réserves communales de sécurité civile)",),
    persons=("Réservistes de la réserve communale",),
    data=("Identité, e-mail, téléphone mobile", "Compétences et disponibilités (listes fermées)",
          "Réponses aux mobilisations, missions et heures effectuées"),
    recipients=("Maire et services communaux chargés de la réserve",),
    retention_rules=("prevention.reserve_volunteers",),
    security=("Lien de réponse signé propre à chaque réserviste et à chaque mobilisation",
              "Accès réservé aux gestionnaires de la réserve, journalisé"),
    models=("prevention.ReserveVolunteer", "prevention.MobilisationAnswer", "prevention.MissionAssignment"),
))
