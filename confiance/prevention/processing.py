"""Processing operations of the prevention app, for the DPO's register (privacy.processing)."""

from confiance.privacy.processing import Processing, register_processing

# --- Opération Tranquillité Vacances ---------------------------------------------------------

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
