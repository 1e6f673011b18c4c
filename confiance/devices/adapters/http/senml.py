"""SenML (RFC 8428) JSON packs turned into readings: base fields, relative times, units, names.

A pack is a JSON array of records. Records are resolved as RFC 8428 section 4.6 says:

- a base field (`bn`, `bt`, `bu`, `bv`, `bver`) applies to the record it appears in and to every record after it,
  until a record carries the same base field again;
- name = `bn` + `n`; it must match the RFC's character set (letters, digits, `-:./_`, starting with a letter or a
  digit);
- time = `bt` + `t` (a missing one counts as zero); below 2**28 it is relative to the reception time (0 is "now",
  negative is in the past), otherwise seconds since the epoch;
- unit = `u`, else `bu`; having neither is allowed (the value is then taken in the platform's unit);
- value = `bv` + `v`; `vb` (boolean) gives 1 or 0; `vs`, `vd` and a sum `s` alone are not measurements here;
- a field ending with `_` that we do not understand, or `bver` above 10, refuses the whole pack.

Device and quantity: the resolved name is `<device><sep><quantity>` where `<sep>` is the last `/`, `:` or `.` of the
name, e.g. `bn: "essonne-mennecy/"` and `n: "water_level"`. A device URN (`urn:dev:<kind>:<id>`) names the device
`<id>`. A device posting with its own token may send bare quantity names (no separator). Quantities are the
platform's codes (`choices.Quantity`); units are SenML's (RFC 8428 section 12.1 and RFC 8798), converted to the
platform's unit (`choices.QUANTITY_UNITS`) where the conversion is exact (cm to m, K to °C, dBW to dBm...).

Parsing never raises: what cannot be read becomes a `Rejected` with its reason and the rest of the pack goes on.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from confiance.devices.choices import DeadLetterReason, Quantity
from confiance.devices.drafts import Parsed, Reading, Rejected
from confiance.devices.readings import MAX_MESSAGES_PER_BATCH, finite, load_json

CONTENT_TYPE = "application/senml+json"
SUPPORTED_VERSION = 10
RELATIVE_LIMIT = 2 ** 28  # RFC 8428 4.5.3: times below are relative to now
LATEST_EPOCH = 4_102_444_800  # 2100-01-01
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-:./_]*")
SEPARATORS = "/:."
DEVICE_URN = re.compile(r"urn:dev:[A-Za-z0-9]+:(.+)")
KNOWN_FIELDS = frozenset({"bn", "bt", "bu", "bv", "bs", "bver", "n", "u", "v", "vs", "vb", "vd", "s", "t", "ut", "l"})
_EXCERPT = 300


def _scale(factor: float) -> Callable[[float], float]:
    return lambda value: value * factor


def _same(value: float) -> float:
    return value


# For each quantity, the SenML units accepted and how a value in that unit becomes the platform's unit.
UNITS: dict[str, dict[str, Callable[[float], float]]] = {
    Quantity.WATER_LEVEL: {"m": _same, "cm": _scale(0.01), "mm": _scale(0.001)},
    Quantity.FLOW: {"m3/s": _same, "l/s": _scale(0.001)},
    Quantity.PM10: {"ug/m3": _same, "kg/m3": _scale(1e9)},
    Quantity.PM25: {"ug/m3": _same, "kg/m3": _scale(1e9)},
    Quantity.NO2: {"ug/m3": _same, "kg/m3": _scale(1e9)},
    Quantity.O3: {"ug/m3": _same, "kg/m3": _scale(1e9)},
    Quantity.NOISE_LAEQ: {"dB": _same, "Bspl": _scale(10.0)},
    Quantity.RAINFALL: {"mm": _same, "m": _scale(1000.0)},
    Quantity.TEMPERATURE: {"Cel": _same, "K": lambda value: value - 273.15},
    Quantity.HUMIDITY: {"%RH": _same, "%": _same},
    Quantity.WIND_SPEED: {"m/s": _same, "km/h": _scale(1 / 3.6)},
    Quantity.SMOKE: {"/": _same, "count": _same},
    Quantity.CONTACT_OPEN: {"/": _same, "count": _same},
    Quantity.BATTERY: {"%EL": _same, "%": _same},
    Quantity.SIGNAL: {"dBm": _same, "dBW": lambda value: value + 30.0},
}


def split_name(name: str, *, device: str = "") -> tuple[str, str] | None:
    """(device, quantity) of a resolved name, or None when it names no device (and no device token does)."""
    cut = max(name.rfind(sep) for sep in SEPARATORS)
    if cut < 0:
        return (device, name) if device else None
    named, quantity = name[:cut], name[cut + 1:]
    urn = DEVICE_URN.fullmatch(named)
    if urn:
        named = urn.group(1)
    if not named or not quantity:
        return None
    return named, quantity


def _moment(seconds: float, now: datetime) -> datetime | None:
    if seconds < RELATIVE_LIMIT:
        try:
            return now + timedelta(seconds=seconds)
        except (OverflowError, ValueError):
            return None
    if seconds >= LATEST_EPOCH:
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)


class _Base:
    __slots__ = ("name", "time", "unit", "value")

    def __init__(self) -> None:
        self.name, self.time, self.unit, self.value = "", 0.0, "", 0.0


def _refuse_pack(detail: str, raw: str, device: str) -> Parsed:
    return Parsed(rejected=[Rejected(reason=DeadLetterReason.MALFORMED, detail=detail[:_EXCERPT], device=device,
                                     payload=raw[:500])])


def _pack_problem(document: list) -> str:
    """Why the whole pack must be refused (RFC 8428 4.4: unknown must-understand field, newer version), or ''."""
    for record in document:
        if not isinstance(record, dict):
            continue
        for label in record:
            if isinstance(label, str) and label.endswith("_") and label not in KNOWN_FIELDS:
                return f"champ « {label[:40]} » à comprendre obligatoirement, non pris en charge"
        version = record.get("bver")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool) or version < 1):
            return f"version SenML invalide : {version!r}"[:_EXCERPT]
        if isinstance(version, int) and version > SUPPORTED_VERSION:
            return f"version SenML {version} non prise en charge (au plus {SUPPORTED_VERSION})"
    return ""


def _apply_base(record: dict, base: _Base) -> str:
    """Take the record's base fields into `base`; the problem found, or ''."""
    if "bn" in record:
        if not isinstance(record["bn"], str) or len(record["bn"]) > 200:
            return "« bn » doit être un texte"
        base.name = record["bn"]
    for label, attribute in (("bt", "time"), ("bv", "value")):
        if label in record:
            if not finite(record[label]):
                return f"« {label} » doit être un nombre"
            setattr(base, attribute, float(record[label]))
    if "bu" in record:
        if not isinstance(record["bu"], str) or len(record["bu"]) > 20:
            return "« bu » doit être un texte"
        base.unit = record["bu"]
    return ""


def _value(record: dict, base: _Base) -> tuple[float | None, str, str]:
    """(value, reason, detail) of a record: the value, or why there is none."""
    if "v" in record:
        if not finite(record["v"]):
            return None, DeadLetterReason.WRONG_TYPE, f"v: {record['v']!r}"
        return base.value + float(record["v"]), "", ""
    if "vb" in record:
        if not isinstance(record["vb"], bool):
            return None, DeadLetterReason.WRONG_TYPE, f"vb: {record['vb']!r}"
        return (1.0 if record["vb"] else 0.0), "", ""
    if "vs" in record or "vd" in record:
        return None, DeadLetterReason.WRONG_TYPE, "valeur texte ou binaire (vs, vd) : un nombre est attendu"
    if "s" in record:
        return None, DeadLetterReason.WRONG_TYPE, "somme (s) sans valeur : non prise en charge"
    if base.value:
        return base.value, "", ""
    return None, DeadLetterReason.MALFORMED, "aucune valeur (v, vb)"


def _resolve(record: dict, base: _Base, *, device: str, now: datetime) -> Reading | Rejected:
    def refuse(reason: str, detail: str, named: str = device) -> Rejected:
        return Rejected(reason=reason, detail=detail[:_EXCERPT], device=named[:64],
                        payload=json.dumps(record, default=str)[:500])

    problem = _apply_base(record, base)
    if problem:
        return refuse(DeadLetterReason.MALFORMED, problem)
    own = record.get("n", "")
    if not isinstance(own, str) or len(own) > 200:
        return refuse(DeadLetterReason.MALFORMED, "« n » doit être un texte")
    name = base.name + own
    if not NAME.fullmatch(name):
        return refuse(DeadLetterReason.MALFORMED, f"nom SenML invalide : {name[:80]!r}")
    parts = split_name(name, device=device)
    if parts is None:
        return refuse(DeadLetterReason.MALFORMED, f"le nom {name[:80]!r} ne désigne aucun capteur")
    named, quantity = parts
    if device and named != device:
        return refuse(DeadLetterReason.FORBIDDEN, "un capteur ne peut écrire que ses propres mesures", named)
    if len(named) > 64:
        return refuse(DeadLetterReason.UNKNOWN_DEVICE, "identifiant trop long", named)
    time = record.get("t", 0.0)
    if not finite(time):
        return refuse(DeadLetterReason.TIME_INVALID, f"t: {time!r}", named)
    observed = _moment(base.time + float(time), now)
    if observed is None:
        return refuse(DeadLetterReason.TIME_INVALID, f"temps {base.time + float(time)!r}", named)
    value, reason, detail = _value(record, base)
    if value is None:
        return refuse(reason, f"{quantity[:40]}: {detail}", named)
    unit = record.get("u", base.unit)
    if not isinstance(unit, str):
        return refuse(DeadLetterReason.MALFORMED, "« u » doit être un texte", named)
    accepted = UNITS.get(quantity)
    if accepted is None:
        return refuse(DeadLetterReason.UNKNOWN_QUANTITY, quantity[:40], named)
    if unit:
        convert = accepted.get(unit)
        if convert is None:
            expected = ", ".join(accepted)
            return refuse(DeadLetterReason.WRONG_TYPE,
                          f"unité « {unit[:20]} » incompatible avec {quantity} (attendu : {expected})", named)
        value = convert(value)
    if not math.isfinite(value):
        return refuse(DeadLetterReason.WRONG_TYPE, f"{quantity}: valeur hors limites", named)
    return Reading(device=named, quantity=quantity, observed_at=observed, value=value)


def parse_senml(raw: bytes | str, *, device: str = "", now: datetime) -> Parsed:
    """Readings of a SenML JSON pack; `device` is the sender's own identifier when a device token was used (its
    records may then omit the device and may not name another one). Relative times resolve against `now`."""
    document, refused = load_json(raw, device=device)
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if refused is not None:
        return Parsed(rejected=[refused])
    if not isinstance(document, list) or not document:
        return _refuse_pack("un pack SenML est un tableau JSON d'enregistrements non vide", text, device)
    if len(document) > MAX_MESSAGES_PER_BATCH:
        return Parsed(rejected=[Rejected(reason=DeadLetterReason.OVERSIZE, detail=f"{len(document)} enregistrements",
                                         device=device, payload=text[:500])])
    problem = _pack_problem(document)
    if problem:
        return _refuse_pack(problem, text, device)
    parsed = Parsed()
    base = _Base()
    for record in document:
        if not isinstance(record, dict):
            parsed.rejected.append(Rejected(reason=DeadLetterReason.MALFORMED, detail="enregistrement non objet",
                                            device=device))
            continue
        outcome = _resolve(record, base, device=device, now=now)
        if isinstance(outcome, Reading):
            parsed.readings.append(outcome)
        else:
            parsed.rejected.append(outcome)
    return parsed
