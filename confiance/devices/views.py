"""Hypervision pages: the sensors list and map, one sensor with its chart, the console's sensors layer and alarm
actions, and the device health and cyber page with its CSV exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.console.access import actor_of, forbidden
from confiance.core.errors import ApplicationError
from confiance.core.redirects import safe_next
from confiance.devices.access import alarm_get_for_actor, require_visible, visible_commune_ids
from confiance.devices.choices import DeviceKind, DeviceState, Quantity
from confiance.devices.documents import device_health_csv, security_events_csv
from confiance.devices.forms import AlarmNoteForm, DeviceFilterForm
from confiance.devices.payloads import HEALTH_QUANTITIES, alarm_payload, device_payload
from confiance.devices.selectors.alarms import alarms_for_actor
from confiance.devices.selectors.health import (
    dead_letter_counts_for_actor,
    dead_letter_totals_by_device,
    device_alarm_history,
    device_status_list_for_actor,
    firmware_outdated,
    gateway_health_list_for_actor,
    security_event_list_for_actor,
    silent_for,
)
from confiance.devices.selectors.measurements import DEFAULT_PERIOD, PERIODS, latest_values, measurement_series
from confiance.devices.services import alarms as alarm_services
from confiance.territory.selectors import commune_list_for_actor

DEVICES_PER_PAGE = 200
CONSOLE_DEVICES = 2000
CONSOLE_ALARMS = 100


def _json_error(error: ApplicationError) -> JsonResponse:
    return JsonResponse(error.as_dict(), status=error.status_code)


def _legend() -> list[tuple[str, str]]:
    order = [DeviceState.OK, DeviceState.ALARM, DeviceState.OFFLINE, DeviceState.UNKNOWN, DeviceState.DISABLED]
    return [(state.value, str(state.label)) for state in order]


def _visible_communes(actor: Actor, permission: Permission = Permission.DEVICES_VIEW):
    return list(commune_list_for_actor(actor=actor, permission=permission).filter(
        pk__in=visible_commune_ids(actor, permission)))


# --- Sensors list and map --------------------------------------------------------------------


@login_required
@require_GET
def device_list(request):
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.DEVICES_VIEW):
        return forbidden(request, _("Les capteurs sont réservés aux agents de la commune."))
    communes = _visible_communes(actor)
    form = DeviceFilterForm(request.GET or None, communes=communes)
    filters = form.cleaned_data if form.is_valid() else {}
    devices = device_status_list_for_actor(actor=actor, commune_id=filters.get("commune"),
                                           state=filters.get("state", ""))
    page = Paginator(devices, DEVICES_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    latest = latest_values(device_ids=[device.pk for device in rows])
    payloads = [device_payload(device, latest.get(device.pk)) for device in rows]
    return render(request, "devices/device_list.html", {
        "form": form, "page": page, "rows": zip(rows, payloads, strict=True), "payloads": payloads,
        "legend": _legend(), "state_labels": dict(_legend()), "count": page.paginator.count,
    })


@login_required
@require_GET
def device_detail(request, device_id: int):
    actor = actor_of(request)
    device = _device_of(actor, device_id)
    alarms = device_alarm_history(actor=actor, device_id=device.pk)
    latest = latest_values(device_ids=[device.pk]).get(device.pk, [])
    handle = visible_commune_ids(actor, Permission.DEVICES_HANDLE)
    measured = [q.quantity for q in device.quantities.all()]
    shown = [q for q in measured if q not in HEALTH_QUANTITIES] or measured
    quantities = [(q, str(Quantity(q).label)) for q in shown]
    return render(request, "devices/device_detail.html", {
        "device": device, "payload": device_payload(device, latest), "latest": latest, "alarms": alarms,
        "can_handle": device.commune_id in handle, "quantities": quantities,
        "periods": [(key, str(period.label)) for key, period in PERIODS.items()], "default_period": DEFAULT_PERIOD,
        "legend": _legend(), "note_form": AlarmNoteForm(),
        "can_see_health": device.commune_id in visible_commune_ids(actor, Permission.DEVICES_HEALTH),
        "firmware_outdated": firmware_outdated(device), "interval": _interval_text(device.reporting_interval_s),
    })


def _interval_text(seconds: int) -> str:
    if seconds == 60:
        return _("chaque minute")
    if seconds >= 60 and seconds % 60 == 0:
        return _("toutes les %(minutes)d min") % {"minutes": seconds // 60}
    return _("toutes les %(seconds)d s") % {"seconds": seconds}


def _device_of(actor: Actor, device_id: int):
    device = device_status_list_for_actor(actor=actor).filter(pk=device_id).prefetch_related("quantities").first()
    if device is None:
        raise Http404
    return device


@login_required
@require_GET
def device_series(request, device_id: int):
    """The chart of one quantity of a device, read from the aggregates (JSON)."""
    actor = actor_of(request)
    quantity = request.GET.get("grandeur", "")[:32]
    period = request.GET.get("periode", DEFAULT_PERIOD)[:16]
    try:
        return JsonResponse(measurement_series(actor=actor, device_id=device_id, quantity=quantity, period=period))
    except ApplicationError as error:
        return _json_error(error)


# --- Console layer ---------------------------------------------------------------------------


@login_required
@require_GET
def console_state(request):
    """The sensors and open alarms the console draws, in one read; live events keep them current."""
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.DEVICES_VIEW):
        return _json_error(ApplicationError("permission_denied", _("Accès réservé."), status_code=403))
    # Cameras have their own layer (camera_pages.cameras_console_state), coloured by their authorisation.
    devices = list(device_status_list_for_actor(actor=actor).exclude(kind=DeviceKind.CAMERA)[:CONSOLE_DEVICES])
    latest = latest_values(device_ids=[device.pk for device in devices])
    alarms = list(alarms_for_actor(actor=actor, open_only=True, limit=CONSOLE_ALARMS))
    prefetch_related_objects(alarms, "commune", "rule", "device", "intervention")
    handle = visible_commune_ids(actor, Permission.DEVICES_HANDLE)
    return JsonResponse({
        "devices": [device_payload(device, latest.get(device.pk)) for device in devices],
        "alarms": [alarm_payload(alarm, can_handle=alarm.commune_id in handle) for alarm in alarms],
        "handle_commune_ids": sorted(handle), "legend": _legend(), "now": timezone.now().isoformat(),
    })


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request, fallback: str):
    return redirect(safe_next(request, fallback))


def _alarm_action(request, alarm_id: int, action, done: str):
    """Parse, check the handling permission, call one service, answer in JSON (console) or redirect (pages)."""
    actor = actor_of(request)
    form = AlarmNoteForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError("invalid_input", _("La note est trop longue (500 caractères au plus)."))
        _require_handle(actor, alarm_id)
        alarm = action(actor, alarm_id, form.cleaned_data["note"])
    except ApplicationError as error:
        if _wants_json(request):
            return _json_error(error)
        if error.status_code == 404:
            raise Http404 from None
        messages.error(request, error.message)
        return _back(request, reverse("devices:list"))
    if _wants_json(request):
        prefetch_related_objects([alarm], "commune", "rule", "device", "intervention")
        return JsonResponse(alarm_payload(alarm, can_handle=True))
    messages.success(request, done)
    return _back(request, reverse("devices:list"))


def _require_handle(actor: Actor, alarm_id: int) -> None:
    """Another commune's alarm is not found; a visible one the actor may not handle is refused."""
    alarm = alarm_get_for_actor(actor=actor, alarm_id=alarm_id)
    require_visible(actor, alarm.commune_id, Permission.DEVICES_HANDLE)


@login_required
@require_POST
def alarm_acknowledge_view(request, alarm_id: int):
    return _alarm_action(request, alarm_id, lambda actor, pk, note: alarm_services.alarm_acknowledge(
        actor=actor, alarm_id=pk, note=note), _("Alarme prise en compte."))


@login_required
@require_POST
def alarm_resolve_view(request, alarm_id: int):
    return _alarm_action(request, alarm_id, lambda actor, pk, note: alarm_services.alarm_resolve(
        actor=actor, alarm_id=pk, note=note), _("Alarme résolue."))


@login_required
@require_POST
def alarm_intervention_view(request, alarm_id: int):
    return _alarm_action(request, alarm_id, lambda actor, pk, note: alarm_services.alarm_open_intervention(
        actor=actor, alarm_id=pk), _("Intervention ouverte."))


# --- Device health and cyber -----------------------------------------------------------------


def _health_allowed(request):
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.DEVICES_HEALTH):
        return actor, forbidden(request, _("La santé des capteurs est réservée au RSSI et aux chefs de poste."))
    return actor, None


@login_required
@require_GET
def health(request):
    actor, refusal = _health_allowed(request)
    if refusal:
        return refusal
    now = timezone.now()
    devices = list(device_status_list_for_actor(actor=actor, permission=Permission.DEVICES_HEALTH))
    dead_letters = dead_letter_counts_for_actor(actor=actor)
    totals = dead_letter_totals_by_device(dead_letters)
    rows = [{"device": device, "outdated": firmware_outdated(device), "silence": _silence_text(device, now),
             "dead_letters": totals.get(device.pk, 0)} for device in devices]
    gateways = [{"gateway": gateway, "outdated": firmware_outdated(gateway)}
                for gateway in gateway_health_list_for_actor(actor=actor)]
    return render(request, "devices/health.html", {
        "rows": rows, "gateways": gateways, "dead_letters": dead_letters,
        "events": security_event_list_for_actor(actor=actor), "legend": _legend(),
        "summary": {"devices": len(rows), "outdated": sum(row["outdated"] for row in rows),
                    "default_credentials": sum(row["device"].default_credentials for row in rows)
                    + sum(row["gateway"].default_credentials for row in gateways),
                    "silent": sum(row["device"].state == DeviceState.OFFLINE for row in rows),
                    "dead_letters": sum(row.count for row in dead_letters)},
    })


def _silence_text(device, now) -> str:
    """How long a late device has said nothing ("" when on time or never seen)."""
    if silent_for(device, now) is None:
        return ""
    minutes = int((now - device.last_seen_at).total_seconds() // 60)
    if minutes < 120:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(hours)d h") % {"hours": minutes // 60}


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def health_devices_csv(request):
    actor, refusal = _health_allowed(request)
    if refusal:
        return refusal
    devices = device_status_list_for_actor(actor=actor, permission=Permission.DEVICES_HEALTH)
    totals = dead_letter_totals_by_device(dead_letter_counts_for_actor(actor=actor))
    day = timezone.localdate().isoformat()
    return _csv_response(device_health_csv(devices, totals), f"sante-capteurs-{day}.csv")


@login_required
@require_GET
def health_events_csv(request):
    actor, refusal = _health_allowed(request)
    if refusal:
        return refusal
    day = timezone.localdate().isoformat()
    return _csv_response(security_events_csv(security_event_list_for_actor(actor=actor, limit=10_000)),
                         f"evenements-securite-capteurs-{day}.csv")
