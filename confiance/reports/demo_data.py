"""Demo reports: categories, destinations, routing and templates for each demo commune, and months of reports."""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from shapely.geometry import Point, shape

from confiance.accounts.access import Actor
from confiance.accounts.models import Agent
from confiance.core.actors import PublicActor
from confiance.reports.choices import DestinationKind, ReportSource, ReportStatus
from confiance.reports.drafts import ReportDraft, Reporter
from confiance.reports.models import (
    Category,
    CategoryAttribute,
    Destination,
    Report,
    ResponseTemplate,
    RoutingRule,
)
from confiance.reports.services.client_applications import client_application_create
from confiance.reports.services.handling import report_mark_duplicate, report_respond
from confiance.reports.services.submission import report_submit
from confiance.territory.models import Commune, Sector

ORDER = 30
DEMO_CLIENT = "Application citoyenne (démo)"
HISTORY_DAYS = 150

YES_NO = [{"key": "oui", "name": "Oui"}, {"key": "non", "name": "Non"}]

# code, name, group, keywords, notice, SLA (working days), duplicate radius (m), questions
CATEGORIES = [
    ("nid-de-poule", "Nid-de-poule, chaussée abîmée", "Voirie", "trou,chaussée,route,bitume", "", 10, 150,
     [("danger", "singlevaluelist", True, "Le trou présente-t-il un danger immédiat ?", YES_NO)]),
    ("eclairage", "Éclairage public en panne", "Voirie", "lampadaire,lumière,éclairage,nuit",
     "Si possible, indiquez le numéro inscrit sur le mât du lampadaire.", 5, 200,
     [("lampadaires", "number", False, "Combien de lampadaires sont éteints ?", [])]),
    ("signalisation", "Panneau ou feu tricolore", "Voirie", "panneau,feu,signalisation", "", 5, 150, []),
    ("mobilier", "Mobilier urbain dégradé", "Voirie", "banc,abribus,poubelle,barrière", "", 15, 100,
     [("objet", "string", False, "Quel équipement ?", [])]),
    ("tags", "Tags, graffitis", "Propreté", "tag,graffiti,inscription", "", 10, 100,
     [("support", "singlevaluelist", True, "Sur quel support ?",
       [{"key": "public", "name": "Bâtiment ou mur public"}, {"key": "prive", "name": "Mur privé visible de la rue"},
        {"key": "mobilier", "name": "Mobilier urbain"}]),
      ("injurieux", "singlevaluelist", False, "Le tag est-il injurieux ?", YES_NO)]),
    ("depot-sauvage", "Dépôt sauvage", "Propreté", "déchets,ordures,dépôt,gravats",
     "Ne touchez pas aux produits dangereux (amiante, bidons, batteries).", 3, 250,
     [("volume", "singlevaluelist", True, "Quel volume ?",
       [{"key": "petit", "name": "Quelques sacs"}, {"key": "moyen", "name": "Une voiture pleine"},
        {"key": "gros", "name": "Un camion"}]),
      ("nature", "multivaluelist", False, "Qu'est-ce qui a été déposé ?",
       [{"key": "encombrants", "name": "Encombrants"}, {"key": "gravats", "name": "Gravats"},
        {"key": "verts", "name": "Déchets verts"}, {"key": "menagers", "name": "Ordures ménagères"}])]),
    ("encombrants", "Encombrants sur le trottoir", "Propreté", "meuble,matelas,électroménager",
     "La collecte des encombrants se fait sur rendez-vous auprès du syndicat de collecte.", 5, 150, []),
    ("proprete", "Propreté de la voie publique", "Propreté", "saleté,déjections,verre", "", 5, 150, []),
    ("espaces-verts", "Espaces verts, arbres", "Espaces verts", "arbre,branche,pelouse,haie", "", 15, 150, []),
    ("stationnement", "Stationnement gênant", "Tranquillité", "voiture,trottoir,stationnement",
     "Pour un véhicule qui bloque un accès de secours, appelez la police municipale.", 1, 100,
     [("depuis", "datetime", False, "Depuis quand le véhicule est-il là ?", [])]),
    ("vehicule-abandonne", "Véhicule ventouse ou abandonné", "Tranquillité", "épave,voiture,abandon", "", 10, 100,
     []),
    ("bruit", "Nuisances sonores", "Tranquillité", "bruit,tapage,musique", "En cas de tapage nocturne, appelez le 17.",
     2, 200, [("moments", "text", False, "À quels moments ?", [])]),
]

TEXTS = {
    "nid-de-poule": ["Gros trou au milieu de la chaussée, les voitures font un écart.",
                     "Chaussée affaissée devant le passage piéton."],
    "eclairage": ["Le lampadaire ne s'allume plus depuis plusieurs soirs.", "Éclairage qui clignote toute la nuit."],
    "signalisation": ["Panneau stop tordu, peu visible.", "Feu piéton bloqué au rouge."],
    "mobilier": ["Banc cassé dans le square.", "Vitre de l'abribus brisée."],
    "tags": ["Tags sur le mur de l'école.", "Graffitis sur le transformateur électrique."],
    "depot-sauvage": ["Sacs d'ordures et gravats au bord du chemin.", "Dépôt de cartons et d'un matelas."],
    "encombrants": ["Canapé laissé sur le trottoir.", "Réfrigérateur abandonné devant l'immeuble."],
    "proprete": ["Bris de verre sur le trottoir.", "Déjections canines nombreuses."],
    "espaces-verts": ["Branche cassée qui menace de tomber.", "Haie qui déborde sur le trottoir."],
    "stationnement": ["Voiture garée sur le trottoir, poussettes obligées de passer sur la route.",
                      "Camion stationné sur la place handicapée."],
    "vehicule-abandonne": ["Voiture sans plaque depuis trois semaines.", "Épave brûlée sur le parking."],
    "bruit": ["Musique forte tous les soirs après minuit.", "Rassemblement bruyant sur le parking."],
}

STREETS = ["rue de la Mairie", "avenue de la Gare", "rue du Moulin", "place de l'Église", "chemin des Prés",
           "rue des Écoles", "allée des Tilleuls", "rue de Paris", "boulevard Charles-de-Gaulle", "rue Pasteur"]


def _destinations(commune: Commune) -> dict[str, Destination]:
    specs = {
        "voirie": ("Services techniques — voirie", DestinationKind.MUNICIPAL_SERVICE,
                   f"voirie.{commune.insee_code}@demo.confiance.invalid" if commune.insee_code == "91386" else ""),
        "proprete": ("Propreté urbaine", DestinationKind.MUNICIPAL_SERVICE, ""),
        "centre": ("Propreté — équipe du centre-ville", DestinationKind.MUNICIPAL_SERVICE, ""),
        "verts": ("Espaces verts", DestinationKind.MUNICIPAL_SERVICE, ""),
        "police": ("Police municipale", DestinationKind.POLICE, ""),
        "collecte": ("Syndicat de collecte des déchets (démo)", DestinationKind.EXTERNAL,
                     "collecte@demo.confiance.invalid"),
    }
    found = {}
    for key, (name, kind, email) in specs.items():
        found[key], _ = Destination.objects.get_or_create(commune=commune, name=name,
                                                          defaults={"kind": kind, "email": email})
    return found


def _categories(commune: Commune) -> dict[str, Category]:
    found = {}
    for position, (code, name, group, keywords, notice, sla, radius, questions) in enumerate(CATEGORIES):
        category, created = Category.objects.get_or_create(
            commune=commune, service_code=code,
            defaults={"name": name, "group": group, "keywords": keywords, "notice": notice, "sla_working_days": sla,
                      "duplicate_radius_m": radius, "position": position})
        if created:
            for index, (attr_code, datatype, required, question, values) in enumerate(questions):
                CategoryAttribute.objects.create(category=category, code=attr_code, datatype=datatype,
                                                 required=required, description=question, values=values,
                                                 position=index)
        found[code] = category
    return found


def _routing(commune: Commune, categories: dict[str, Category], destinations: dict[str, Destination]) -> None:
    if RoutingRule.objects.filter(commune=commune).exists():
        return
    rules = []
    centre = Sector.objects.filter(commune=commune, code="centre").first()
    if centre is not None and commune.insee_code == "91386":
        rules.append((categories["proprete"], centre, ["centre"], True))
    rules += [
        (categories["depot-sauvage"], None, ["proprete", "police"], True),
        (categories["encombrants"], None, ["collecte", "proprete"], True),
        (categories["tags"], None, ["proprete"], True),
        (categories["proprete"], None, ["proprete"], True),
        (categories["espaces-verts"], None, ["verts"], True),
        (categories["stationnement"], None, ["police"], True),
        (categories["vehicule-abandonne"], None, ["police"], True),
        (categories["bruit"], None, ["police"], True),
        (None, None, ["voirie"], True),
    ]
    for position, (category, sector, keys, final) in enumerate(rules):
        rule = RoutingRule.objects.create(commune=commune, position=(position + 1) * 10, category=category,
                                          sector=sector, final=final)
        rule.destinations.set([destinations[key] for key in keys])


def _templates(commune: Commune, categories: dict[str, Category]) -> None:
    if ResponseTemplate.objects.filter(commune=commune).exists():
        return
    specs = [
        (None, ReportStatus.TO_PROCESS, "Prise en compte", "Votre signalement est pris en compte par nos services. "
                                                          "Merci de votre vigilance."),
        (None, ReportStatus.SCHEDULED, "Intervention programmée", "Une intervention est programmée dans les "
                                                                  "prochains jours."),
        (None, ReportStatus.DONE, "Service fait", "L'intervention a été réalisée. Merci de votre signalement."),
        (None, ReportStatus.TRANSFERRED, "Hors compétence communale", "Ce problème relève d'un autre organisme, à "
                                                                      "qui nous l'avons transmis."),
        (None, ReportStatus.REJECTED, "Domaine privé", "Ce lieu est une propriété privée : la commune ne peut pas "
                                                      "intervenir. Le propriétaire a été informé."),
        (categories["tags"], ReportStatus.DONE, "Tags effacés", "Les tags ont été effacés par l'équipe propreté."),
        (categories["eclairage"], ReportStatus.SCHEDULED, "Réparation éclairage", "La réparation est commandée à "
                                                                                "notre prestataire d'éclairage."),
    ]
    for category, status, title, text in specs:
        ResponseTemplate.objects.create(commune=commune, category=category, status=status, title=title, text=text)


def random_point(rng: random.Random, commune: Commune, hotspots: list[tuple[float, float]]) -> tuple[float, float]:
    """A point in the commune: near one of its hot spots most of the time, anywhere otherwise."""
    polygon = shape(commune.geometry)
    for _ in range(200):
        if hotspots and rng.random() < 0.6:
            lat0, lon0 = rng.choice(hotspots)
            lat, lon = rng.gauss(lat0, 0.0012), rng.gauss(lon0, 0.0018)
        else:
            west, south, east, north = polygon.bounds
            lat, lon = rng.uniform(south, north), rng.uniform(west, east)
        if polygon.contains(Point(lon, lat)):
            return lat, lon
    point = polygon.representative_point()
    return point.y, point.x


def hotspots_for(rng: random.Random, commune: Commune) -> list[tuple[float, float]]:
    polygon = shape(commune.geometry)
    spots = []
    for _ in range(3):
        west, south, east, north = polygon.bounds
        for _ in range(100):
            lat, lon = rng.uniform(south, north), rng.uniform(west, east)
            if polygon.contains(Point(lon, lat)):
                spots.append((lat, lon))
                break
    return spots


def answers(rng: random.Random, category: Category) -> dict:
    found = {}
    for attribute in category.attributes.all():
        if attribute.values:
            keys = [value["key"] for value in attribute.values]
            found[attribute.code] = [rng.choice(keys)] if attribute.datatype == "multivaluelist" else rng.choice(keys)
        elif attribute.datatype == "number":
            found[attribute.code] = rng.randint(1, 4)
        elif attribute.required:
            found[attribute.code] = "oui"
    return found


def draft_for(rng: random.Random, commune: Commune, category: Category, hotspots) -> ReportDraft:
    lat, lon = random_point(rng, commune, hotspots)
    with_contact = rng.random() < 0.3
    reporter = Reporter(name="Camille Exemple", email=f"habitant{rng.randint(1, 999)}@demo.confiance.invalid",
                        consent=True) if with_contact else Reporter()
    return ReportDraft(lat=lat, lon=lon, service_code=category.service_code,
                       description=rng.choice(TEXTS.get(category.service_code, ["Problème constaté."])),
                       address=f"{rng.randint(1, 80)} {rng.choice(STREETS)}", attributes=answers(rng, category),
                       reporter=reporter, source=rng.choice([ReportSource.WEB, ReportSource.WEB, ReportSource.OPEN311]))


def advance(rng: random.Random, handler: Actor, report: Report, now) -> None:
    """Move a report one step along a plausible path, with the commune's template texts."""
    path = {
        ReportStatus.NEW: [(ReportStatus.TO_PROCESS, 0.8), (ReportStatus.REJECTED, 0.05),
                           (ReportStatus.TRANSFERRED, 0.05)],
        ReportStatus.TO_PROCESS: [(ReportStatus.SCHEDULED, 0.5), (ReportStatus.IN_PROGRESS, 0.4)],
        ReportStatus.SCHEDULED: [(ReportStatus.IN_PROGRESS, 0.9)],
        ReportStatus.IN_PROGRESS: [(ReportStatus.DONE, 0.95)],
        ReportStatus.TRANSFERRED: [(ReportStatus.CLOSED, 0.9)],
        ReportStatus.DONE: [(ReportStatus.CLOSED, 0.3)],
    }
    choices = path.get(report.status)
    if not choices:
        return
    roll, total = rng.random(), 0.0
    for status, weight in choices:
        total += weight
        if roll < total:
            template = (ResponseTemplate.objects.filter(commune_id=report.commune_id, status=status,
                                                        category=report.category).first()
                        or ResponseTemplate.objects.filter(commune_id=report.commune_id, status=status,
                                                           category__isnull=True).first())
            report_respond(actor=handler, report=report, status=status,
                           public_message=template.text if template else "", now=now)
            return


def handler_actor() -> Actor:
    return Actor(agent=Agent.objects.get(username="chef"))


def load(*, actor, stdout) -> None:
    if not settings.DEMO_MODE:
        raise RuntimeError("Les données de démonstration ne sont chargées qu'en mode démo.")
    communes = list(Commune.objects.order_by("insee_code"))
    categories_by_commune = {}
    for commune in communes:
        destinations = _destinations(commune)
        categories = _categories(commune)
        _routing(commune, categories, destinations)
        _templates(commune, categories)
        categories_by_commune[commune.pk] = categories
    client, key = client_application_create(actor=actor, name=DEMO_CLIENT, key=settings.CONFIANCE_DEMO_OPEN311_KEY)
    stdout.write(f"Open311 : application « {client.name} », clé d'API {key}")
    if Report.objects.exists():
        stdout.write(f"Signalements : {Report.objects.count()} déjà présents.")
        return
    _history(communes, categories_by_commune, client, stdout)


def _history(communes, categories_by_commune, client, stdout) -> None:
    rng = random.Random(20261122)
    handler = handler_actor()
    now = timezone.now()
    hotspots = {commune.pk: hotspots_for(rng, commune) for commune in communes}
    weights = [3 if commune.insee_code == "91386" else 1 for commune in communes]
    created = []
    total = settings.CONFIANCE_DEMO_REPORTS
    for index in range(total):
        commune = rng.choices(communes, weights=weights)[0]
        category = rng.choice(list(categories_by_commune[commune.pk].values()))
        at = now - timedelta(days=HISTORY_DAYS * (1 - index / total), hours=rng.uniform(0, 12))
        draft = draft_for(rng, commune, category, hotspots[commune.pk])
        submission = report_submit(actor=PublicActor("citoyen (site)"), draft=draft,
                                   client=client if draft.source == ReportSource.OPEN311 else None, now=at)
        created.append((submission.report, at))
    for report, at in created:
        age_days = (now - at).days
        moment = at
        steps = 0 if age_days < 1 else min(4, 1 + age_days // 7)
        for _ in range(steps):
            moment = moment + timedelta(hours=rng.uniform(4, 72))
            if moment >= now:
                break
            report.refresh_from_db()
            advance(rng, handler, report, moment)
    # A few duplicates, so that the feature shows.
    open_reports = list(Report.objects.filter(is_open=True).order_by("id")[:40])
    for report in open_reports[::10]:
        original = Report.objects.filter(commune=report.commune, category=report.category).exclude(pk=report.pk).first()
        if original is not None and original.duplicate_of_id is None:
            report_mark_duplicate(actor=handler, report=report, original=original,
                                  now=max(timezone.now(), report.updated_at))
    stdout.write(f"Signalements : {len(created)} créés sur {HISTORY_DAYS} jours.")
