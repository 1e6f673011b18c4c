"""Processing operations of hypervision for the DPO's register (privacy/processing.py)."""

from confiance.privacy.processing import Processing, register_processing

register_processing(Processing(
    key="devices.video_analytics",
    name="Vidéo-analyse algorithmique (signalement d'événements aux opérateurs)",
    purpose=("Signaler aux opérateurs du centre de supervision, pour examen humain, l'un des 8 événements prévus "
             "par la loi (objet abandonné, arme, contresens, zone interdite, personne au sol, mouvement de foule, "
             "densité excessive, départ de feu), détecté par un logiciel d'analyse des images de vidéoprotection."),
    legal_basis="Mission d'intérêt public (art. 6-1-e RGPD), dans le cadre légal enregistré (texte, période, caméras)",
    legal_texts=("Loi n° 2023-380 du 19 mai 2023, article 10", "Décret n° 2023-828 du 28 août 2023",
                 "Code de la sécurité intérieure, L.251-2"),
    persons=("Personnes présentes dans le champ des caméras concernées",),
    data=("Caméra, type d'événement parmi les 8 légaux, date et heure, score du détecteur, zone configurée, "
          "examen de l'opérateur (confirmée ou écartée, par qui, quand) ; aucune image, aucun visage, aucune "
          "plaque, aucune identité : le modèle de données n'a pas de champ pour cela",),
    recipients=("Opérateurs du centre de supervision urbain habilités à l'examen", "Chefs de poste"),
    retention_rules=("devices.video_detections",),
    security=("Refus de tout événement sans cadre légal couvrant la caméra à cette date, arrêt à sa fin",
              "Suppression à l'arrivée des visages, plaques, sous-étiquettes et identités (liste blanche de champs)",
              "Jeton par passerelle ou caméra pour le webhook ; MQTT authentifié",
              "Examen journalisé (confirmation, rejet, intervention ouverte)"),
    models=("devices.Detection",),
    needs_dpia=True,
))
