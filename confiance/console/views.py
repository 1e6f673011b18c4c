"""Agent pages: home, territory map, and the live-event stream (SSE)."""

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.db import connections
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.selectors import actor_access_current, membership_list_for_actor
from confiance.accounts.services import api_token_authenticate
from confiance.core.errors import ApplicationError, NotAuthenticatedError
from confiance.core.live import StreamFilter, event_stream
from confiance.core.live_rules import declared_scopes, event_labels, scoped_stream_filter, stream_filter_for
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
    return render(request, "console/home.html", {"rows": rows, "event_labels": event_labels()})


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
        return await sync_to_async(api_token_authenticate)(header[7:].strip())
    user = await request.auser()
    if user.is_authenticated and user.is_active:
        return Actor(agent=user)
    raise NotAuthenticatedError(message=_("Authentification requise pour suivre les événements en direct."))


def actor_stream_filter(actor: Actor) -> StreamFilter:
    """The events an agent's stream may carry, by the apps' declarations, widened by crisis sharings."""
    # The one place the console names the crisis sharing between communes.
    return stream_filter_for(actor, crisis_widening=crisis_shared_with)


def _access_probe(request: HttpRequest, actor: Actor):
    """What the stream asks at each heartbeat: the rights it started with still stand (and, for a session, the
    session still exists: a logout ends the stream too)."""
    revision = actor.agent.access_revision
    session_key = None if actor.token is not None else request.session.session_key

    def still_allowed() -> bool:
        if not actor_access_current(actor=actor, revision=revision):
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
    stream_filter = await sync_to_async(actor_stream_filter)(actor)
    if scope is not None:
        stream_filter = await sync_to_async(scoped_stream_filter)(actor, stream_filter, scope)
    if not stream_filter.commune_ids:
        return _error_response(ApplicationError("permission_denied", _("Aucune commune à suivre en direct."),
                                                status_code=403))
    last_id = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    probe = _access_probe(request, actor)
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
