"""Prevention API under /api/v1/prevention: the police side of OTV (homes of a day, passages)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from confiance.accounts.choices import Permission
from confiance.core.errors import ApplicationError, NotFoundError
from confiance.core.parsing import ParseError, parse_date, parse_id
from confiance.prevention.schemas import OtvHomeOut, OtvPassageIn, OtvPassageOut
from confiance.prevention.selectors.otv import homes_to_watch
from confiance.prevention.selectors.otv_route import MAX_STOPS, tour_plan
from confiance.prevention.services.otv_passages import passage_log
from confiance.privacy.choices import AccessMotive
from confiance.privacy.services import access_log_record
from confiance.territory.selectors import commune_list_for_actor

router = Router(tags=["prévention"])

# --- Opération Tranquillité Vacances ---------------------------------------------------------


def _home(home, position: int | None) -> dict:
    return {"id": home.pk, "reference": home.reference, "sector": home.sector.name if home.sector else None,
            "address": home.address, "lat": home.lat, "lon": home.lon, "leaves_on": home.leaves_on,
            "returns_on": home.returns_on, "alarm": home.alarm, "patrol_notes": home.patrol_notes,
            "contact_phone": home.contact_phone, "passages": home.passage_count, "anomalies": home.anomaly_count,
            "last_passage": home.last_passage, "tour_position": position}


@router.get("/prevention/otv/homes", response=list[OtvHomeOut],
            summary="Logements OTV à surveiller un jour donné (consultation journalisée avec son motif)")
def otv_homes(request, commune: str = "", day: str = "", sector: str = "", motive: str = ""):
    """`commune`: code INSEE; `day`: AAAA-MM-JJ (aujourd'hui par défaut); `sector`: id (ordre de tournée);
    `motive`: motif de la consultation, 5 caractères au moins."""
    try:
        when, sector_id = parse_date(day) if day else None, parse_id(sector) if sector else None
    except ParseError as error:
        raise ApplicationError(message=str(error)) from None
    place = (commune_list_for_actor(actor=request.auth, permission=Permission.PREVENTION_VIEW)
             .filter(insee_code=commune[:10]).first())
    if place is None:
        raise NotFoundError(message=_("Commune inconnue."))
    when = when or timezone.localdate()
    homes = list(homes_to_watch(actor=request.auth, commune_id=place.pk, day=when, sector_id=sector_id))
    access_log_record(actor=request.auth, target=place, motive=motive[:300], motive_code=AccessMotive.PREVENTION,
                      extra={"view": "api_otv_homes", "day": when.isoformat(),
                             "otv_registrations": [h.pk for h in homes][:500]})
    positions: dict[int, int] = {}
    if sector_id is not None and 3 <= len(homes) <= MAX_STOPS:
        plan = tour_plan(lats=[h.lat for h in homes], lons=[h.lon for h in homes])
        positions = {homes[index].pk: rank + 1 for rank, index in enumerate(plan.order)}
        homes = [homes[index] for index in plan.order]
    return [_home(home, positions.get(home.pk)) for home in homes]


@router.post("/prevention/otv/passages", response={201: OtvPassageOut},
             summary="Noter un passage à un logement OTV (écrit aussi l'entrée de main courante)")
def otv_passage(request, payload: OtvPassageIn):
    passage = passage_log(actor=request.auth, registration_id=payload.registration_id, outcome=payload.outcome,
                          note=payload.note, lat=payload.lat, lon=payload.lon,
                          acknowledge_sensitive=payload.acknowledge_sensitive)
    return Status(201, {"id": passage.pk, "registration_id": passage.registration_id,
                        "passed_at": passage.passed_at, "outcome": passage.outcome,
                        "log_entry_number": passage.log_entry_number})

# --- end of Opération Tranquillité Vacances --------------------------------------------------
