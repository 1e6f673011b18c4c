"""Checks and helpers shared by the operations services: times, points, texts, forbidden data, numbering."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.core.geo import valid_lat_lon
from confiance.core.live import publish_on_commit
from confiance.core.sensitive import sensitive_matches
from confiance.operations.choices import InterventionStatus
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.events import InterventionChanged
from confiance.operations.models import TEXT_MAX_LENGTH, Counter, Intervention
from confiance.territory.models import Commune

CLOCK_SKEW = timedelta(minutes=2)


def now_utc() -> datetime:
    """The current time (services take `now` for tests and replays)."""
    return timezone.now()


def check_time(moment: datetime, *, now: datetime, label: str) -> None:
    """Refuse a time without a zone, or in the future beyond the clock skew."""
    if timezone.is_naive(moment):
        raise OperationsError(OperationsErrorCode.TIME_INVALID,
                              _("%(label)s : fuseau horaire manquant.") % {"label": label})
    if moment > now + CLOCK_SKEW:
        raise OperationsError(OperationsErrorCode.TIME_INVALID,
                              _("%(label)s : l'heure est dans le futur.") % {"label": label},
                              details={"at": moment.isoformat()})


def check_point(lat: float | None, lon: float | None, *, required: bool) -> None:
    """Refuse a half-given or impossible point (and a missing one when required)."""
    if lat is None and lon is None and not required:
        return
    if lat is None or lon is None or not valid_lat_lon(lat, lon):
        raise OperationsError(OperationsErrorCode.LOCATION_INVALID, _("Position invalide (latitude, longitude)."),
                              details={"lat": lat, "lon": lon})


def check_text(text: str, label: str, *, limit: int = TEXT_MAX_LENGTH) -> str:
    """The text stripped, or an error when it is longer than the limit."""
    text = (text or "").strip()
    if len(text) > limit:
        raise OperationsError(OperationsErrorCode.TEXT_TOO_LONG,
                              _("%(label)s : %(limit)s caractères au plus.") % {"label": label, "limit": limit},
                              details={"length": len(text), "max": limit})
    return text


def check_sensitive(texts: Sequence[str], acknowledged: bool) -> list[dict[str, str]]:
    """Warn about forbidden data categories; the agent must confirm to save anyway (the confirmation is kept)."""
    found = [match.as_dict() for match in sensitive_matches(*texts)]
    if found and not acknowledged:
        labels = ", ".join(sorted({match["category_label"] for match in found}))
        raise OperationsError(
            OperationsErrorCode.SENSITIVE_DATA,
            _("Le texte semble contenir des données interdites dans ce fichier (%(labels)s). "
              "Reformulez, ou confirmez si le mot est employé dans un autre sens.") % {"labels": labels},
            details={"matches": found}, status_code=422)
    return found


def numbered(prefix: str, insee_code: str, year: int, value: int) -> str:
    """A number no other commune shares: MC-91386-2026-000123 (prefix, INSEE code, year, sequence)."""
    return f"{prefix}-{insee_code}-{year}-{value:06d}"


def next_number(commune: Commune, kind: str, prefix: str, now: datetime) -> str:
    """Per-commune, per-year sequence carrying the commune's INSEE code; the row lock serialises writers."""
    year = timezone.localtime(now).year
    Counter.objects.get_or_create(commune=commune, kind=kind, year=year)
    Counter.objects.filter(commune=commune, kind=kind, year=year).update(value=F("value") + 1)
    value = Counter.objects.get(commune=commune, kind=kind, year=year).value
    return numbered(prefix, commune.insee_code, year, value)


def intervention_locked(intervention: Intervention) -> Intervention:
    """The intervention locked for update, or an error when it is closed."""
    locked = (Intervention.objects.select_for_update(of=("self",), no_key=True).select_related("intervention_type")
              .get(pk=intervention.pk))
    if locked.status == InterventionStatus.CLOSED:
        raise OperationsError(OperationsErrorCode.CLOSED,
                              _("L'intervention %(number)s est close.") % {"number": locked.number},
                              status_code=409)
    return locked


def intervention_changed(intervention: Intervention) -> None:
    """Publish the intervention's new status after commit."""
    publish_on_commit(InterventionChanged(
        intervention_id=intervention.pk, number=intervention.number, status=intervention.status,
        status_label=str(InterventionStatus(intervention.status).label), priority=intervention.priority,
        closure_reason=intervention.closure_reason), commune_id=intervention.commune_id)
