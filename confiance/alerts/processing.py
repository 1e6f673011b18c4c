"""Processing operations of population alerts, for the DPO's register (article 30 GDPR).

Two operations: the authoring and publication of alerts (the personal data are the agents' names, as authors and
approvers, and the contact-free content of the messages), and the subscriptions of inhabitants to the alerts
(e-mail, phone, address point or sector; kept while subscribed, purged after unsubscription by the retention rule
"alerts.subscriptions.unsubscribed" of alerts/retention.py).
"""

from confiance.privacy.processing import Processing, register_processing

register_processing(Processing(
    key="alerts.authoring",
    name="Alertes à la population : rédaction, validation et publication",
    purpose="Informer la population d'un risque majeur ou d'un événement grave et lui donner les consignes ; "
            "préparer la demande de diffusion FR-Alert adressée au préfet.",
    legal_basis="Mission d'intérêt public (art. 6-1-e RGPD)",
    legal_texts=("Code général des collectivités territoriales, L.2212-2 (police municipale : prévention des "
                 "accidents et fléaux)", "Code de la sécurité intérieure, L.731-3 (plan communal de sauvegarde)",
                 "Code de la sécurité intérieure, R.732-19 et suivants (FR-Alert)"),
    persons=("Agents de la commune (auteurs et valideurs des alertes)",),
    data=("Identité de l'agent auteur et du valideur", "Dates de rédaction, de validation et de publication",
          "Contenu de l'alerte et zone concernée (aucune donnée d'habitant)"),
    recipients=("Agents habilités de la commune", "Public (alertes publiées, sans nom d'agent)",
                "Préfecture (demande FR-Alert)"),
    retention_rules=(),
    retention_note="Les alertes publiées sont conservées comme archives publiques de la commune ; les noms des "
                   "agents restent dans le journal d'audit selon sa propre durée.",
    security=("Validation par une seconde personne (jamais l'auteur)", "Journal d'audit chaîné",
              "Message CAP figé à la publication"),
    models=("alerts.Alert", "alerts.AlertStep"),
))

register_processing(Processing(
    key="alerts.subscriptions",
    name="Alertes à la population : abonnements des habitants",
    purpose="Prévenir les habitants abonnés dont l'adresse ou le secteur est dans la zone d'une alerte, par "
            "courriel, SMS ou notification web.",
    legal_basis="Consentement (art. 6-1-a RGPD), recueilli par double confirmation",
    legal_texts=("Code de la sécurité intérieure, L.731-3 (plan communal de sauvegarde)",),
    persons=("Habitants et personnes abonnées aux alertes",),
    data=("Adresse électronique", "Numéro de téléphone mobile", "Point de l'adresse (latitude, longitude) ou "
          "secteur choisi", "Abonnement de notification web", "Dates de confirmation et de désabonnement",
          "État d'envoi de chaque message"),
    recipients=("Agents habilités de la commune (comptes et rapports d'envoi, sans liste nominative)",
                "Sous-traitants d'envoi (serveur de courriel, passerelle SMS)"),
    retention_rules=("alerts.subscriptions.unsubscribed", "alerts.subscriptions.unconfirmed"),
    retention_note="Tant que l'abonnement dure ; supprimé après désabonnement ou absence de confirmation.",
    security=("Double confirmation", "Désabonnement en un clic", "Seules les données nécessaires sont gardées"),
    models=("alerts.Subscriber", "alerts.Delivery", "alerts.AlertDispatch"),
))
