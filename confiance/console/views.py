"""Agent pages: home, territory map, and the live-event stream (SSE)."""

from datetime import timedelta

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.db import connections
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission, Role
from confiance.accounts.selectors import actor_access_current, membership_list_for_actor
from confiance.accounts.services import api_token_authenticate
from confiance.alerts.selectors import home_summary as alerts_home_summary
from confiance.analytics.selectors import analysable_communes, phase_indicators
from confiance.console.selectors import HOME_LIST_LENGTH, current_mission, journal_rows, roles_held, service_queue
from confiance.core.errors import ApplicationError, NotAuthenticatedError
from confiance.core.live import StreamFilter, event_stream
from confiance.core.live_rules import declared_scopes, event_labels, scoped_stream_filter, stream_filter_for
from confiance.core.ratelimits import client_ip
from confiance.operations.selectors import intervention_list_for_actor
from confiance.prevention.selectors.participation import protocol_reminders
from confiance.privacy.choices import JournalKind
from confiance.territory.selectors import commune_list_for_actor, crisis_shared_with, territory_feature_collection


@login_required
def home(request):
    actor = Actor(agent=request.user)
    memberships = membership_list_for_actor(actor=actor)
    communes = commune_list_for_actor(actor=actor)
    by_commune: dict[int, list[str]] = {}
    for membership in memberships:
        by_commune.setdefault(membership.commune_id, []).append(str(membership.get_role_display()))
    rows = [{"commune": commune, "roles": by_commune.get(commune.pk, [])} for commune in communes]
    return render(request, "console/home.html", {"rows": rows, "event_labels": event_labels(),
                                                 "blocks": _role_blocks(actor),
                                                 "alerts": alerts_home_summary(actor=actor)})


def _role_blocks(actor: Actor) -> dict[str, object]:
    """One block per role held: the policier's mission, the operator's console, the technicien's queue..."""
    roles = roles_held(actor=actor)
    blocks: dict[str, object] = {}
    if Role.POLICE_AGENT in roles or Role.SHIFT_SUPERVISOR in roles:
        unit, assignment = current_mission(actor=actor)
        if unit is not None or Role.POLICE_AGENT in roles:  # a chef de poste in no crew today has no mission
            blocks["mission"] = {"unit": unit, "assignment": assignment}
    if roles & {Role.CSU_OPERATOR, Role.SHIFT_SUPERVISOR}:
        blocks["console"] = {"open": intervention_list_for_actor(actor=actor).count(),
                             "chef": Role.SHIFT_SUPERVISOR in roles}
    if Role.TECHNICAL_AGENT in roles:
        queue = service_queue(actor=actor)
        blocks["queue"] = {"count": queue.count(), "reports": list(queue[:HOME_LIST_LENGTH])}
    if Role.ELECTED_OFFICIAL in roles:
        blocks["indicators"] = _home_indicators(actor)
    if Role.DPO in roles:
        blocks["journal"] = {"writes": journal_rows(actor=actor, kind=JournalKind.WRITE),
                             "reads": journal_rows(actor=actor, kind=JournalKind.ACCESS)}
    if Role.RSSI in roles:
        blocks["health"] = True
    # Participation citoyenne and réserve (prevention): the protocol's renewal reminder for who names referents.
    if actor.can_anywhere(Permission.PREVENTION_MANAGE) or actor.can_anywhere(Permission.PREVENTION_VIEW):
        blocks["participation"] = {"reminders": protocol_reminders(actor=actor)}
    if actor.can_anywhere(Permission.RESERVE_MANAGE):
        blocks["reserve"] = True
    return blocks


# The élu's home shows a few figures of the last 30 days (the indicators page has them all, and any period).
HOME_INDICATOR_DAYS = 30
HOME_INDICATORS = ("interventions", "response_p50", "reports", "resolution_rate")


def _home_indicators(actor: Actor) -> dict[str, object]:
    """The élu's communes with four figures each, coarsened and suppressed as on the indicators page."""
    communes = sorted(analysable_communes(actor))
    end = timezone.localdate()
    start = end - timedelta(days=HOME_INDICATOR_DAYS - 1)
    table = phase_indicators(actor=actor, commune_ids=communes, start=start, end=end) if communes else None
    rows = []
    for commune in (table or {}).get("communes", []):
        items = {item["key"]: item for phase in ("pendant", "apres") for item in commune[phase]}
        rows.append({"commune": commune["commune"], "items": [items[key] for key in HOME_INDICATORS if key in items]})
    return {"rows": rows, "days": HOME_INDICATOR_DAYS}


def open311_root(request):
    """/open311/ and /open311/v2/ without a file: what this is and where discovery lives (a page, or JSON)."""
    links = {"discovery_xml": "/open311/v2/discovery.xml", "discovery_json": "/open311/v2/discovery.json"}
    if "json" in request.headers.get("Accept", "") and "html" not in request.headers.get("Accept", ""):
        return JsonResponse({"message": _("Racine de l'interface Open311 (GeoReport v2) : commencez par le "
                                          "document de découverte."), **links},
                            json_dumps_params={"ensure_ascii": False})
    return render(request, "console/open311_root.html", links)


@login_required
def territory(request):
    return render(request, "console/territory.html", {})


@login_required
def territory_geojson(request):
    return JsonResponse(territory_feature_collection(actor=Actor(agent=request.user)))


def _error_response(error: ApplicationError) -> JsonResponse:
    return JsonResponse(error.as_dict(), status=error.status_code)


async def _stream_actor(request: HttpRequest) -> Actor:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return await sync_to_async(api_token_authenticate)(header[7:].strip(), ip=client_ip(request))
    user = await request.auser()
    if user.is_authenticated and user.is_active:
        return Actor(agent=user)
    raise NotAuthenticatedError(message=_("Authentification requise pour suivre les événements en direct."))


def actor_stream_filter(actor: Actor) -> StreamFilter:
    """The events an agent's stream may carry, by the apps' declarations, widened by crisis sharings."""
    # The one place the console names the crisis sharing between communes.
    return stream_filter_for(actor, crisis_widening=crisis_shared_with)


def _access_probe(request: HttpRequest, actor: Actor, base_filter: StreamFilter):
    """What the stream asks at each heartbeat: the rights it started with still stand, the crisis sharings still
    widen it the same way (a crisis declared or ended resets the stream, so a commune leaving a crisis stops
    receiving its partners' events within one heartbeat), and, for a session, the session still exists (a logout
    ends the stream too)."""
    revision = actor.agent.access_revision
    session_key = None if actor.token is not None else request.session.session_key

    def still_allowed() -> bool:
        if not actor_access_current(actor=actor, revision=revision):
            return False
        if actor_stream_filter(actor).restricted != base_filter.restricted:
            return False
        return session_key is None or request.session.exists(session_key)

    return still_allowed


async def live_events(request: HttpRequest):
    """Server-sent events: what the agent may see, resumable with Last-Event-ID, heartbeat every 15 s."""
    if request.method != "GET":
        return JsonResponse({"code": "method_not_allowed", "message": _("GET uniquement."), "details": {}},
                            status=405)
    try:
        actor = await _stream_actor(request)
    except ApplicationError as error:
        return _error_response(error)
    scope_name = request.GET.get("scope", "")
    scope = declared_scopes().get(scope_name) if scope_name else None
    if scope_name and scope is None:  # a page's own view of the stream (`?scope=terrain`: the field page's unit)
        return _error_response(ApplicationError("invalid_input", _("Portée du flux inconnue."), status_code=400))
    stream_filter = base_filter = await sync_to_async(actor_stream_filter)(actor)
    if scope is not None:
        stream_filter = await sync_to_async(scoped_stream_filter)(actor, stream_filter, scope)
    if not stream_filter.commune_ids:
        return _error_response(ApplicationError("permission_denied", _("Aucune commune à suivre en direct."),
                                                status_code=403))
    last_id = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    probe = _access_probe(request, actor, base_filter)
    # A stream lives for hours: the request's thread gives its database connection back now instead of holding it
    # until the stream ends (a hundred consoles held a hundred PostgreSQL connections). What the stream reads
    # later (the outbox, the access probe) runs on the broadcaster's one thread and connection.
    await sync_to_async(connections.close_all)()
    response = StreamingHttpResponse(
        event_stream(stream_filter, last_id, still_allowed=probe),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
