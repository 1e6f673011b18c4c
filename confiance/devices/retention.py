"""Retention of what the devices said, per sensor kind: raw measurements, per-minute aggregates (kept shorter), per-hour
aggregates (kept longest: the charts of past floods read them), and dead letters.

The retention engine filters a rule's rows with its `pending` condition, so each kind gets its own rules (the
device's kind is read through the join); durations come from `settings.CONFIANCE_DEVICES_RETENTION` (days per kind,
documented in docs/configuration.md), read when the rule runs. Dead letters of unknown devices (no device row) follow
the "other" kind. None of this is personal data: rows are deleted, not archived. The video-protection records
(register of extractions, individual authorisations) follow at the end, with why.
"""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from confiance.devices.choices import DeviceKind, Resolution
from confiance.privacy.choices import RetentionAction
from confiance.privacy.retention_engine import RetentionRule, register


def _days(kind: str, what: str) -> Callable[[], timedelta]:
    return lambda: timedelta(days=settings.CONFIANCE_DEVICES_RETENTION[kind][what])


def _kind(kind: str, extra: Q | None = None) -> Callable[[], Q]:
    condition = Q(device__kind=kind)
    if kind == DeviceKind.OTHER:
        condition |= Q(device__isnull=True)
    return lambda: condition & extra if extra is not None else condition


for _kind_value, _label in DeviceKind.choices:
    register(RetentionRule(
        name=f"devices.measurements.{_kind_value}",
        model="devices.Measurement",
        date_field="observed_at",
        max_age=_days(_kind_value, "measurement"),
        action=RetentionAction.DELETE,
        pending=_kind(_kind_value),
        description=f"Mesures brutes des capteurs « {_label} » (CONFIANCE_DEVICES_MEASUREMENT_DAYS).",
    ))
    register(RetentionRule(
        name=f"devices.aggregates_minute.{_kind_value}",
        model="devices.MeasurementAggregate",
        date_field="bucket",
        max_age=_days(_kind_value, "minute"),
        action=RetentionAction.DELETE,
        pending=_kind(_kind_value, Q(resolution=Resolution.MINUTE)),
        description=f"Agrégats par minute des capteurs « {_label} » (CONFIANCE_DEVICES_MINUTE_DAYS).",
    ))
    register(RetentionRule(
        name=f"devices.aggregates_hour.{_kind_value}",
        model="devices.MeasurementAggregate",
        date_field="bucket",
        max_age=_days(_kind_value, "hour"),
        action=RetentionAction.DELETE,
        pending=_kind(_kind_value, Q(resolution=Resolution.HOUR)),
        description=f"Agrégats par heure des capteurs « {_label} » (CONFIANCE_DEVICES_HOUR_DAYS).",
    ))
    register(RetentionRule(
        name=f"devices.dead_letters.{_kind_value}",
        model="devices.DeadLetter",
        date_field="received_at",
        max_age=_days(_kind_value, "dead_letter"),
        action=RetentionAction.DELETE,
        pending=_kind(_kind_value),
        description=(f"Messages rejetés des capteurs « {_label} »"
                     + (" et des identifiants inconnus" if _kind_value == DeviceKind.OTHER else "")
                     + " (CONFIANCE_DEVICES_DEAD_LETTER_DAYS)."),
    ))


# --- Video-protection ----------------------------------------------------------------------------------------------
# Confiance holds no image. What it holds about video-protection is evidence: the register of extractions (who
# asked, under which requisition, what was handed over, with which fingerprint) and the individual authorisations
# (who could see which camera). An entry of the register is never purged while its legal hold is in force: the rule
# only sees entries whose hold was released, and counts from the release. Six years after the release matches the
# limitation period of the public action for délits (code de procédure pénale, art. 8): the register can still
# prove, at a trial or an inspection, what was handed over. Authorisations are kept three years after they end, like
# the access log that records what they allowed (LEGAL.md).

EXTRACTION_YEARS_AFTER_RELEASE = 6
AUTHORISATION_YEARS_AFTER_END = 3

register(RetentionRule(
    name="devices.camera_extractions",
    model="devices.Extraction",
    date_field="hold_released_at",
    max_age=lambda: timedelta(days=365 * EXTRACTION_YEARS_AFTER_RELEASE + 2),
    action=RetentionAction.DELETE,
    pending=lambda: Q(hold_released_at__isnull=False),
    description="Registre des extractions : 6 ans après la levée du gel (prescription des délits) ; jamais tant "
                "que le gel est en vigueur.",
))
register(RetentionRule(
    name="devices.camera_authorisations_revoked",
    model="devices.CameraAuthorisation",
    date_field="revoked_at",
    max_age=lambda: timedelta(days=365 * AUTHORISATION_YEARS_AFTER_END + 1),
    action=RetentionAction.DELETE,
    description="Habilitations individuelles sur les caméras : 3 ans après leur retrait.",
))
register(RetentionRule(
    name="devices.camera_authorisations_ended",
    model="devices.CameraAuthorisation",
    date_field="valid_until",
    max_age=lambda: timedelta(days=365 * AUTHORISATION_YEARS_AFTER_END + 1),
    action=RetentionAction.DELETE,
    description="Habilitations individuelles sur les caméras : 3 ans après leur fin.",
))


register(RetentionRule(
    name="devices.video_detections",
    model="devices.Detection",
    date_field="observed_at",
    max_age=lambda: timedelta(days=settings.CONFIANCE_VIDEO_DETECTION_DAYS),
    action=RetentionAction.DELETE,
    description="Détections de vidéo-analyse, examinées ou non (CONFIANCE_VIDEO_DETECTION_DAYS).",
))
