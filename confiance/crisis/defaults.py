"""Default steps of the safety plan (plan communal de sauvegarde) per kind of crisis, for a commune that has not
written its own yet: seeded by the demo, and used at declaration when the commune has no template."""

from confiance.territory.choices import CrisisKind

DEFAULT_STEPS: dict[str, tuple[str, ...]] = {
    CrisisKind.FLOOD: (
        "Activer la cellule de crise communale (poste de commandement communal)",
        "Prévenir le maire, la préfecture (COD) et le SDIS",
        "Suivre les hauteurs d'eau (Vigicrues et capteurs de la commune)",
        "Fermer les voies submersibles et poser la signalisation",
        "Alerter la population des zones inondables",
        "Évacuer les personnes vulnérables recensées et ouvrir le centre d'hébergement",
        "Mettre à l'abri les biens et véhicules communaux",
        "Faire un point de situation toutes les heures",
    ),
    CrisisKind.FIRE: (
        "Activer la cellule de crise communale",
        "Se mettre à disposition du commandant des opérations de secours (SDIS)",
        "Établir le périmètre de sécurité et dévier la circulation",
        "Évacuer ou confiner les habitations et établissements proches",
        "Ouvrir un lieu d'accueil pour les personnes évacuées",
        "Informer la population (consignes de confinement, fumées)",
        "Faire un point de situation toutes les heures",
    ),
    CrisisKind.SNOW: (
        "Activer la cellule de crise communale",
        "Déclencher le plan de viabilité hivernale (salage, déneigement des axes prioritaires)",
        "Informer les écoles, transports scolaires et services d'aide à domicile",
        "Contacter les personnes isolées du registre communal",
        "Ouvrir un lieu d'accueil chauffé si nécessaire",
        "Faire un point de situation toutes les trois heures",
    ),
    CrisisKind.HEATWAVE: (
        "Activer le plan canicule communal",
        "Appeler les personnes inscrites au registre des personnes vulnérables",
        "Ouvrir les salles rafraîchies et prolonger l'ouverture des parcs",
        "Adapter les horaires des services et des chantiers communaux",
        "Diffuser les consignes de prévention à la population",
        "Faire un point de situation chaque jour",
    ),
    CrisisKind.INTRUSION: (
        "Prévenir immédiatement la police nationale ou la gendarmerie (17)",
        "Déclencher le plan particulier de mise en sûreté (PPMS) du site",
        "Établir un périmètre et interdire l'accès au site",
        "Guider les forces de l'ordre et les secours à leur arrivée",
        "Recenser les personnes présentes sur le site, sans les nommer au journal",
        "Informer le maire et la préfecture",
    ),
    CrisisKind.OTHER: (
        "Activer la cellule de crise communale",
        "Prévenir le maire et la préfecture",
        "Évaluer la situation et les moyens nécessaires",
        "Informer la population",
        "Faire un point de situation régulier",
    ),
}
