"""Operations API under /api/v1/operations: units, interventions, dispatch, main courante."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.errors import ApplicationError, NotFoundError
from confiance.core.parsing import DbId, ParseError, parse_bbox, parse_int
from confiance.core.ratelimits import rate_limited
from confiance.operations import access, basemap, push, selectors
from confiance.operations.choices import Milestone
from confiance.operations.dispatch import recommend
from confiance.operations.drafts import EntryDraft, InterventionDraft, PersonDraft, PositionFix
from confiance.operations.intervention_sheet import intervention_sheet_pdf
from confiance.operations.payloads import intervention_payload, log_entry_payload, unit_payload
from confiance.operations.schemas import (
    AssignmentOut,
    CloseIn,
    EngageIn,
    InterventionIn,
    InterventionOut,
    InterventionRecordOut,
    LogEntryIn,
    LogEntryOut,
    MilestoneIn,
    PositionIn,
    PushSubscriptionIn,
    PushUnsubscribeIn,
    RecommendationOut,
    StatusIn,
    StatusOptionOut,
    StepSkipIn,
    UnitMessageIn,
    UnitMessageOut,
    UnitOut,
)
from confiance.operations.services import interventions as intervention_services
from confiance.operations.services import logbook as logbook_services
from confiance.operations.services import messages as message_services
from confiance.operations.services import positions as position_services
from confiance.operations.services import units as unit_services
from confiance.territory.models import Commune
from confiance.territory.selectors import commune_list_for_actor

router = Router(tags=["police municipale"])


def _commune(request: HttpRequest, insee_code: str) -> Commune:
    commune = (commune_list_for_actor(actor=request.auth, permission=Permission.OPERATIONS_VIEW)
               .filter(insee_code=insee_code).first())
    if commune is None:
        raise NotFoundError(message=_("Commune inconnue ou hors de vos droits : %(code)s.") % {"code": insee_code})
    return commune


def _commune_filter(request: HttpRequest, insee_code: str | None) -> set[int] | None:
    return {_commune(request, insee_code).pk} if insee_code else None


def _entry_draft(payload: LogEntryIn) -> EntryDraft:
    return EntryDraft(
        nature_id=payload.nature_id, source=payload.source, text=payload.text, occurred_at=payload.occurred_at,
        address=payload.address, lat=payload.lat, lon=payload.lon, intervention_id=payload.intervention_id,
        report_id=payload.report_id, acknowledge_sensitive=payload.acknowledge_sensitive,
        persons=[PersonDraft(**person.dict()) for person in payload.persons])


# --- Units ----------------------------------------------------------------------------------


@router.get("/operations/units", response=list[UnitOut], summary="Unités visibles (mode crise compris)")
def units(request, commune: str | None = None):
    now = timezone.now()
    return [unit_payload(unit, now) for unit in
            selectors.unit_list_for_actor(actor=request.auth, commune_ids=_commune_filter(request, commune))]


@router.post("/operations/units/{unit_id}/status", response=UnitOut, summary="Changer le statut d'une unité")
def unit_status(request, unit_id: DbId, payload: StatusIn):
    unit = access.unit_get_for_actor(actor=request.auth, unit_id=unit_id)
    return unit_payload(unit_services.unit_set_status(actor=request.auth, unit=unit,
                                                           status_code=payload.status_code))


@router.get("/operations/units/{unit_id}/statuses", response=list[StatusOptionOut],
            summary="Codes de statut que l'unité peut prendre (ceux de sa commune)")
def unit_statuses(request, unit_id: DbId):
    unit = access.unit_get_for_actor(actor=request.auth, unit_id=unit_id)
    return [{"code": status.code, "label": status.label, "milestone": status.milestone,
             "milestone_label": str(Milestone(status.milestone).label), "color": status.color}
            for status in selectors.unit_status_list(commune_ids={unit.commune_id})]


@router.post("/operations/units/{unit_id}/position", response={202: dict},
             summary="Position d'une unité, envoyée par un membre de l'équipage")
def unit_position(request, unit_id: DbId, payload: PositionIn):
    unit = access.unit_get_for_actor(actor=request.auth, unit_id=unit_id)
    fix = PositionFix(lat=payload.lat, lon=payload.lon, recorded_at=payload.recorded_at or timezone.now(),
                               accuracy_m=payload.accuracy_m, speed_kmh=payload.speed_kmh)
    position_services.position_record_for_agent(actor=request.auth, unit=unit, fix=fix)
    return Status(202, {"accepted": 1})


# --- Interventions --------------------------------------------------------------------------


@router.get("/operations/interventions", response=list[InterventionOut], summary="Interventions en cours")
def interventions(request, commune: str | None = None, closed: bool = False):
    rows = selectors.intervention_list_for_actor(actor=request.auth, commune_ids=_commune_filter(request, commune),
                                                 open_only=not closed)
    return [intervention_payload(row) for row in rows[:500]]


@router.post("/operations/interventions", response={201: InterventionOut}, summary="Créer une intervention")
def intervention_create(request, payload: InterventionIn):
    commune = _commune(request, payload.commune)
    draft = InterventionDraft(**payload.dict(exclude={"commune"}))
    intervention = intervention_services.intervention_create(actor=request.auth, commune_id=commune.pk, draft=draft)
    return Status(201, intervention_payload(intervention))


@router.get("/operations/interventions/{intervention_id}", response=InterventionOut, summary="Une intervention")
def intervention_detail(request, intervention_id: DbId):
    return intervention_payload(
        access.intervention_get_for_actor(actor=request.auth, intervention_id=intervention_id))


@router.get("/operations/interventions/{intervention_id}/record", response=InterventionRecordOut,
            summary="Dossier d'une intervention : chronologie, requérant pour qui la traite (consultation journalisée)")
def intervention_record(request, intervention_id: DbId):
    intervention = access.intervention_get_for_actor(actor=request.auth, intervention_id=intervention_id)
    caller = intervention_services.intervention_caller_read(actor=request.auth, intervention=intervention)
    return {"intervention": intervention_payload(intervention), "caller": caller,
            "chronology": selectors.intervention_chronology(intervention)}


@router.get("/operations/interventions/{intervention_id}/sheet.pdf", response={200: None},
            summary="Fiche d'intervention imprimable (PDF)")
def intervention_sheet(request, intervention_id: DbId):
    intervention = access.intervention_get_for_actor(actor=request.auth, intervention_id=intervention_id)
    caller = intervention_services.intervention_caller_read(actor=request.auth, intervention=intervention)
    agent = request.auth.agent
    content = intervention_sheet_pdf(intervention=intervention, caller=caller,
                                     chronology=selectors.intervention_chronology(intervention),
                                     edited_by=(agent.get_full_name() or agent.username) if agent else "")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="intervention-{intervention.number}.pdf"'
    return response


@router.get("/operations/interventions/{intervention_id}/recommendation", response=RecommendationOut,
            summary="Unités recommandées, avec les raisons")
def intervention_recommendation(request, intervention_id: DbId, limit: int = 5):
    intervention = access.intervention_get_for_actor(actor=request.auth, intervention_id=intervention_id)
    result = recommend(intervention=intervention, limit=max(1, min(limit, 20)))
    return {"by_road": result.by_road, "auto_dispatch": settings.CONFIANCE_AUTO_DISPATCH,
            "candidates": [c.as_dict() for c in result.candidates], "excluded": result.excluded}


@router.post("/operations/interventions/{intervention_id}/engage", response={201: AssignmentOut},
             summary="Engager une unité (réaffectation : motif obligatoire)")
def intervention_engage(request, intervention_id: DbId, payload: EngageIn):
    intervention = access.intervention_get_for_actor(actor=request.auth, intervention_id=intervention_id)
    unit = access.unit_get_for_engagement(actor=request.auth, unit_id=payload.unit_id, intervention=intervention)
    return Status(201, unit_services.assignment_engage(actor=request.auth, intervention=intervention, unit=unit,
                                                  override_reason=payload.override_reason,
                                                  recommended_rank=payload.recommended_rank))


@router.post("/operations/interventions/{intervention_id}/close", response=InterventionOut,
             summary="Clore une intervention")
def intervention_close(request, intervention_id: DbId, payload: CloseIn):
    intervention = access.intervention_get_for_actor(actor=request.auth, intervention_id=intervention_id)
    return intervention_payload(intervention_services.intervention_close(
        actor=request.auth, intervention=intervention, reason=payload.reason, note=payload.note))


@router.post("/operations/interventions/{intervention_id}/steps/{step_id}/done", response=dict,
             summary="Étape de la liste faite")
def step_done(request, intervention_id: DbId, step_id: DbId):
    intervention = access.intervention_get_for_actor(actor=request.auth, intervention_id=intervention_id)
    step = intervention_services.intervention_step_done(actor=request.auth, intervention=intervention, step_id=step_id)
    return {"id": step.pk, "done_at": step.done_at.isoformat() if step.done_at else None}


@router.post("/operations/interventions/{intervention_id}/steps/{step_id}/skip", response=dict,
             summary="Étape sautée (obligatoire : le chef de poste est prévenu)")
def step_skip(request, intervention_id: DbId, step_id: DbId, payload: StepSkipIn):
    intervention = access.intervention_get_for_actor(actor=request.auth, intervention_id=intervention_id)
    step = intervention_services.intervention_step_skip(actor=request.auth, intervention=intervention, step_id=step_id,
                                           reason=payload.reason)
    return {"id": step.pk, "skipped": step.skipped}


@router.post("/operations/assignments/{assignment_id}/milestone", response=AssignmentOut,
             summary="Jalon d'un engagement (une fois, dans l'ordre)")
def assignment_milestone(request, assignment_id: DbId, payload: MilestoneIn):
    assignment = access.assignment_get_for_actor(actor=request.auth, assignment_id=assignment_id)
    return unit_services.assignment_milestone(actor=request.auth, assignment=assignment, step=payload.step,
                                         at=payload.at)


# --- Main courante --------------------------------------------------------------------------


@router.get("/operations/log-entries", response=list[LogEntryOut], summary="Dernières entrées de main courante")
def log_entries(request, commune: str | None = None, limit: int = 50):
    rows = selectors.log_entry_list_for_actor(actor=request.auth, commune_ids=_commune_filter(request, commune),
                                              limit=max(1, min(limit, 500)))
    return [log_entry_payload(entry) for entry in rows]


@router.post("/operations/log-entries", response={201: LogEntryOut},
             summary="Ajouter une entrée (alerte 422 si le texte semble contenir des données interdites)")
def log_entry_create(request, payload: LogEntryIn):
    commune = _commune(request, payload.commune)
    entry = logbook_services.log_entry_create(actor=request.auth, commune_id=commune.pk, draft=_entry_draft(payload))
    return Status(201, log_entry_payload(entry))


@router.post("/operations/log-entries/{entry_id}/correct", response={201: LogEntryOut},
             summary="Entrée rectificative (l'entrée corrigée reste telle quelle)")
def log_entry_correct(request, entry_id: DbId, payload: LogEntryIn):
    entry = access.log_entry_get_for_actor(actor=request.auth, entry_id=entry_id)
    correction = logbook_services.log_entry_correct(actor=request.auth, entry=entry, draft=_entry_draft(payload))
    return Status(201, log_entry_payload(correction))


# --- Drawn base map (public: the road network and the communes served are no personal data) -----------------


@router.get("/basemap/roads", auth=None, url_name="basemap-roads",
            summary="Fond de carte dessiné : voies dans une emprise (GeoJSON)")
@rate_limited("basemap")
def basemap_roads(request, bbox: str = "", zoom: str = ""):
    """Roads crossing `bbox` = ouest,sud,est,nord (at most 0.5 degree a side), the small ones from zoom 13."""
    try:
        box, level = parse_bbox(bbox, max_span=0.5), parse_int(zoom, minimum=basemap.MIN_ZOOM,
                                                                maximum=basemap.MAX_ZOOM)
    except ParseError as error:
        raise ApplicationError(message=str(error)) from None
    if box is None:
        raise ApplicationError(message=_("Paramètre bbox requis : ouest,sud,est,nord."))
    return basemap.basemap_roads(bbox=box, zoom=16 if level is None else level)


@router.get("/basemap/outlines", auth=None, url_name="basemap-outlines",
            summary="Fond de carte dessiné : contours des communes et secteurs")
@rate_limited("basemap")
def basemap_outlines(request):
    user = getattr(request, "user", None)
    actor = Actor(agent=user) if user is not None and user.is_authenticated and user.is_active else None
    return basemap.basemap_outlines(actor=actor)


# --- Unit messages and Web Push of the field page ------------------------------------------------


@router.get("/operations/units/{unit_id}/messages", response=list[UnitMessageOut],
            summary="Derniers messages à une unité")
def unit_messages(request, unit_id: DbId):
    unit = access.unit_get_for_actor(actor=request.auth, unit_id=unit_id)
    return [message_services.unit_message_event(m).payload() for m in selectors.unit_message_list(unit=unit)]


@router.post("/operations/units/{unit_id}/messages", response={201: UnitMessageOut},
             summary="Envoyer un message à l'équipage d'une unité")
def unit_message_send(request, unit_id: DbId, payload: UnitMessageIn):
    unit = access.unit_get_for_actor(actor=request.auth, unit_id=unit_id)
    message = message_services.unit_message_send(actor=request.auth, unit=unit, text=payload.text,
                                                 acknowledge_sensitive=payload.acknowledge_sensitive)
    return Status(201, message_services.unit_message_event(message).payload())


@router.post("/operations/messages/{message_id}/read", response=UnitMessageOut,
             summary="Message lu par un membre de l'équipage")
def unit_message_read(request, message_id: DbId):
    message = access.unit_message_get_for_actor(actor=request.auth, message_id=message_id)
    message = message_services.unit_message_acknowledge(actor=request.auth, message=message)
    return message_services.unit_message_event(message).payload()


@router.post("/operations/push/subscriptions", response={201: dict},
             summary="Abonner ce navigateur aux notifications de la page terrain")
def push_subscribe(request, payload: PushSubscriptionIn):
    session = getattr(request, "session", None)
    push.push_subscription_save(actor=request.auth, endpoint=payload.endpoint, p256dh=payload.keys.p256dh,
                                auth=payload.keys.auth, session_key=session.session_key if session else "")
    return Status(201, {"subscribed": True})


@router.post("/operations/push/subscriptions/delete", response=dict,
             summary="Désabonner ce navigateur des notifications")
def push_unsubscribe(request, payload: PushUnsubscribeIn):
    return {"removed": push.push_subscription_delete(actor=request.auth, endpoint=payload.endpoint)}
