"""The agents' accounts and the traceability of their actions, for the commune's register."""

from confiance.privacy.processing import Processing, register_processing

register_processing(Processing(
    key="accounts.agents",
    name="Comptes des agents, habilitations et traçabilité de leurs actions",
    purpose=("Authentifier les agents, leur donner les droits de leur rôle dans leur commune, tracer qui a fait "
             "quoi (auteur d'une saisie, d'une prise en compte, d'une affectation) et sécuriser les accès "
             "(double authentification, verrouillage après échecs)."),
    legal_basis="Mission d'intérêt public (art. 6-1-e RGPD) ; obligation de sécurité (art. 32 RGPD)",
    legal_texts=("RGPD, article 32 (sécurité du traitement)",
                 "Arrêté du 14 avril 2009 et délibération CNIL 2008-304 (traçabilité des consultations)"),
    persons=("Agents de la commune et des communes partenaires", "Administrateurs de la plateforme",
             "Personnes tentant de se connecter ou de présenter un jeton (adresse IP)"),
    data=("Identifiant, nom, prénom, courriel professionnel", "Rôles par commune", "Jetons d'accès (empreintes)",
          "Double authentification (secret chiffré)", "Auteur des actions dans chaque module",
          "Échecs d'authentification : type, adresse IP, heure, nombre, empreinte de l'identifiant saisi (jamais le "
          "mot de passe)"),
    recipients=("Administrateurs de la plateforme", "DPO et RSSI de la commune"),
    retention_rules=("privacy.audit_journal", "accounts.security_events"),
    retention_note="Comptes : le temps des fonctions de l'agent, désactivés à son départ.",
    security=("Mots de passe hachés (Argon2)", "Double authentification pour les rôles sensibles",
              "Verrouillage par compte et adresse après échecs", "Jetons d'accès limités, expirants, révocables",
              "Échecs comptés par compte, adresse et heure (un compteur, plafonné), revus par le RSSI"),
    models=("accounts.Agent", "accounts.Membership", "accounts.ApiToken", "accounts.EnrolmentLink",
            "otp_totp.TOTPDevice", "accounts.SecurityEvent"),
    covers_agent_traces=True,
))
