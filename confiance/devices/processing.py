"""The processing operations of hypervision for the DPO's registers (privacy/processing.py): video-protection.

Sensors and their values are no personal data. Video-protection is: the images stay in the commune's VMS, but
Confiance holds who may view which camera (individual authorisations), who viewed or exported (the access log), and
the register of extractions with the names of the requesting officers. A DPIA is required (CNIL list of processing
operations requiring one: large-scale systematic monitoring of a publicly accessible area, GDPR art. 35-3-c).
"""

from confiance.privacy.processing import Processing, register_processing

register_processing(Processing(
    key="devices.videoprotection",
    name="Vidéoprotection de la voie publique",
    purpose=("Registre des caméras et de leurs autorisations préfectorales, habilitations individuelles des agents "
             "au visionnage, journal des consultations et registre des extractions sur réquisition judiciaire, "
             "pour les finalités de l'article L.251-2 du code de la sécurité intérieure."),
    legal_basis="Mission d'intérêt public (art. 6-1-e RGPD) ; obligation légale (art. 6-1-c) pour le registre",
    legal_texts=("Code de la sécurité intérieure, L.251-1 à L.255-1 et R.251-1 à R.253-4",
                 "Code de procédure pénale, art. 60-1 et 77-1-1 (réquisitions)",
                 "Loi 78-17 du 6 janvier 1978, titre III (directive police-justice) pour les images"),
    persons=("Personnes filmées sur la voie publique (images conservées dans le logiciel vidéo, pas dans "
             "Confiance)", "Agents habilités au visionnage", "Officiers de police judiciaire requérants"),
    data=("Caméras : emplacement, champ de vision, finalités, autorisation, durée de conservation, masques",
          "Habilitations : agent, caméra, période, auteur de l'habilitation",
          "Registre des extractions : nom et service de l'officier requérant, référence de la réquisition, "
          "caméras et période, fichiers remis et empreintes SHA-256, agent et date de remise",
          "Journal des consultations et exports : agent, date, motif"),
    recipients=("Agents de police municipale et opérateurs du CSU individuellement habilités",
                "Officiers de police judiciaire sur réquisition", "Préfecture et CNIL lors d'un contrôle"),
    retention_rules=("devices.camera_extractions", "devices.camera_authorisations_revoked",
                     "devices.camera_authorisations_ended"),
    security=("Lien du flux montré aux seuls agents habilités individuellement, après saisie d'un motif journalisé",
              "Journal d'audit chaîné et consultations journalisées avec motif",
              "Masques de confidentialité déclarés ; page publique sans lien de flux ni géométrie des masques",
              "Gel des périodes extraites tant que la réquisition l'exige"),
    models=("devices.Extraction", "devices.ExtractionMedium", "devices.CameraAuthorisation"),
    needs_dpia=True,
    retention_note=("Images : au plus 30 jours dans le logiciel vidéo (CSI L.252-5), durée fixée par caméra selon "
                    "son autorisation ; les périodes gelées sont conservées jusqu'à la levée du gel."),
))


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
