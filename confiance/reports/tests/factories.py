"""Reports test fixtures: two square communes, categories with questions, destinations, rules, a client."""

import io
from dataclasses import dataclass

from PIL import Image

from confiance.core.actors import PublicActor
from confiance.reports.choices import DestinationKind, ReportStatus
from confiance.reports.drafts import ReportDraft, Reporter
from confiance.reports.models import (
    Category,
    CategoryAttribute,
    ClientApplication,
    Destination,
    Report,
    ReportNotification,
    RoutingRule,
)
from confiance.reports.services.client_applications import client_key_hash
from confiance.reports.services.handling import report_respond
from confiance.reports.services.submission import report_submit
from confiance.territory.models import Commune, Sector
from confiance.territory.tests.factories import make_commune, make_sector

CLIENT_KEY = "test-open311-key-0123456789"
# Inside commune A (square 2.40..2.42 x 48.55..48.57), in sector "nord" (2.40..2.41 x 48.56..48.57).
POINT_A = (48.565, 2.405)
POINT_A_SOUTH = (48.552, 2.415)
POINT_B = (48.585, 2.445)
CITIZEN = PublicActor("citoyen (test)")


@dataclass
class World:
    commune: Commune
    other: Commune
    sector: Sector
    voirie: Category
    depot: Category
    other_voirie: Category
    roads: Destination
    cleaning: Destination
    police: Destination
    client: ClientApplication


def make_world() -> World:
    commune = make_commune(lon=2.40, lat=48.55, insee_code="91386", name="Mennecy")
    other = make_commune(lon=2.43, lat=48.575, insee_code="91468", name="Ormoy")
    sector = make_sector(commune=commune, code="nord", lon=2.40, lat=48.56)
    voirie = Category.objects.create(commune=commune, service_code="voirie", name="Voirie", group="Voirie",
                                     sla_working_days=2, duplicate_radius_m=250, notice="Merci.")
    depot = Category.objects.create(commune=commune, service_code="depot", name="Dépôt sauvage", group="Propreté",
                                    sla_working_days=3)
    CategoryAttribute.objects.create(category=depot, code="volume", datatype="singlevaluelist", required=True,
                                     description="Quel volume ?", values=[{"key": "petit", "name": "Petit"},
                                                                          {"key": "gros", "name": "Gros"}])
    CategoryAttribute.objects.create(category=depot, code="sacs", datatype="number", description="Combien ?",
                                     position=1)
    CategoryAttribute.objects.create(category=depot, code="nature", datatype="multivaluelist",
                                     description="Nature", position=2,
                                     values=[{"key": "verts", "name": "Verts"}, {"key": "gravats", "name": "Gravats"}])
    other_voirie = Category.objects.create(commune=other, service_code="voirie", name="Voirie (Ormoy)")
    roads = Destination.objects.create(commune=commune, name="Voirie", kind=DestinationKind.MUNICIPAL_SERVICE,
                                       email="voirie@example.org")
    cleaning = Destination.objects.create(commune=commune, name="Propreté", kind=DestinationKind.MUNICIPAL_SERVICE)
    police = Destination.objects.create(commune=commune, name="Police municipale", kind=DestinationKind.POLICE)
    sector_rule = RoutingRule.objects.create(commune=commune, position=1, category=depot, sector=sector, final=False)
    sector_rule.destinations.set([police])
    depot_rule = RoutingRule.objects.create(commune=commune, position=2, category=depot)
    depot_rule.destinations.set([cleaning])
    catch_all = RoutingRule.objects.create(commune=commune, position=9)
    catch_all.destinations.set([roads])
    client = ClientApplication.objects.create(name="Appli test", key_prefix=CLIENT_KEY[:8],
                                              key_hash=client_key_hash(CLIENT_KEY))
    return World(commune, other, sector, voirie, depot, other_voirie, roads, cleaning, police, client)


def draft(point=POINT_A, code="voirie", **kwargs) -> ReportDraft:
    return ReportDraft(lat=point[0], lon=point[1], service_code=code, **kwargs)


def jpeg_with_exif(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {2: (48.0, 33.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def submit(world: World, **kwargs) -> Report:
    """A citizen's report from `draft(**kwargs)`, stored through the submission service."""
    return report_submit(actor=CITIZEN, draft=draft(**kwargs)).report


class Outbox:
    """E-mails queued by the services (they leave after commit; tests run inside one transaction)."""

    def __iter__(self):
        return iter(ReportNotification.objects.order_by("id"))

    def __getitem__(self, index):
        return list(self)[index]

    def __bool__(self):
        return ReportNotification.objects.exists()

    def clear(self):
        ReportNotification.objects.all().delete()


outbox = Outbox()


def add_reports(world: World, count: int, handler=None) -> list[Report]:
    """`count` reports of each of two categories, with a photo and a follower; answered publicly by `handler`."""
    reports = []
    for index in range(count):
        reports.append(submit(world, description=f"voirie {index}", photos=[("p.jpg", jpeg_with_exif())],
                              reporter=Reporter(email=f"habitant{index}@example.org", consent=True)))
        reports.append(submit(world, code="depot", attributes={"volume": "gros"}, description=f"dépôt {index}"))
    if handler is not None:
        for report in reports:
            report_respond(actor=handler, report=report, status=ReportStatus.IN_PROGRESS,
                           public_message="Pris en compte.")
    return reports
