"""Processing operations of the prevention app, for the DPO's register (privacy.processing)."""


from confiance.privacy.processing import Processing, register_processing

register_processing(Processing(
    key="prevention.otv",
    name="Opération Tranquillité Vacances",
    purpose="Surveillance par la police municipale des logements de résidents absents qui le demandent ; "
            "information du résident en cas d'anomalie et bilan des passages à son retour.",
    legal_basis="Mission d'intérêt public (art. 6-1-e RGPD), à la demande de la personne",
    legal_texts=("CNIL, délibération n° 2008-304 du 17 juillet 2008 (police municipale, autres missions)",
                 "Code de la sécurité intérieure, L.511-1"),
    persons=("Résidents absents inscrits", "Personne à prévenir désignée par le résident",
             "Agents de police municipale (auteurs des passages)"),
    data=("Nom, prénom", "Adresse du logement et sa position", "Dates d'absence", "Téléphones, courriel",
          "Personne à prévenir et son téléphone (facultatif)",
          "Informations utiles à la patrouille : alarme, accès (facultatif)",
          "Passages : heure, agent, position, constat (RAS ou anomalie)"),
    recipients=("Police municipale de la commune", "Centre de supervision urbain (lecture)"),
    retention_rules=("prevention.otv_registrations", "prevention.otv_cancelled"),
    security=("Lecture réservée à la permission prevention.view (police municipale, CSU) ; ni élu ni technicien",
              "Chaque consultation des logements journalisée avec son motif",
              "Lien privé du résident à jeton aléatoire, conservé sous forme d'empreinte",
              "Formulaire public limité en débit et protégé contre la falsification de requête (CSRF)"),
    models=("prevention.OtvRegistration", "prevention.OtvPassage"),
))

# --- end of Opération Tranquillité Vacances --------------------------------------------------


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
