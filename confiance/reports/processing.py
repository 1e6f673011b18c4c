"""The citizen reports' processing operations, for the commune's register (privacy/processing.py)."""

from confiance.privacy.processing import Processing, register_processing

register_processing(Processing(
    key="reports.citizen_reports",
    name="Signalements des habitants (gestion urbaine de proximité)",
    purpose=("Recevoir les signalements d'anomalies de l'espace public (voirie, propreté, éclairage...), les "
             "orienter vers le service compétent, informer le déclarant et les personnes qui suivent le signalement."),
    legal_basis="Mission d'intérêt public (art. 6-1-e RGPD)",
    legal_texts=("Code général des collectivités territoriales, L.2212-2 (police municipale, salubrité, sûreté)",
                 "Open311 GeoReport v2 (format d'échange)"),
    persons=("Habitants et visiteurs qui signalent", "Personnes qui suivent un signalement",
             "Agents des services qui traitent"),
    data=("Nom, courriel, téléphone du déclarant (facultatifs)", "Lieu et description de l'anomalie",
          "Photos (métadonnées EXIF retirées)", "Courriels de suivi", "Identifiant d'appareil de l'application"),
    recipients=("Services municipaux destinataires du signalement", "Prestataires désignés par la commune",
                "Public : le signalement sans le nom du déclarant"),
    retention_rules=("reports.reporter_identity", "reports.followers", "reports.photos", "reports.notifications",
                     "reports.submissions"),
    security=("Nom du déclarant masqué au public", "Photos ré-encodées sans métadonnées",
              "Accès par rôle et par commune", "Journal d'audit chaîné", "Chiffrement en transit (TLS)"),
    models=("reports.Report", "reports.ReportFollower", "reports.ReportPhoto", "reports.ReportNotification",
            "reports.ReportUpdate"),
))
