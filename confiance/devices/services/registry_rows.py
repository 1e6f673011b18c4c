"""Reading a registry file (CSV or GeoJSON) into checked rows, before any write; every fault names its line.

Columns (CSV header, or GeoJSON feature properties; the location of a GeoJSON feature is its Point geometry), in
docs/devices.md section "Registre":

    type                      `device` (default) or `gateway`
    identifier                the identifier the device sends (letters, digits, - and _), unique
    name                      shown to the operators
    commune                   INSEE code (or `--commune` for the whole file)
    kind                      a `DeviceKind` (water_level, air_quality, noise, rain...)
    quantities                `water_level:m;battery:%` (the unit may be omitted; if given, the platform's)
    lat, lon                  WGS84, inside the commune (devices)
    reporting_interval_s      expected seconds between two messages (default 300)
    gateway                   identifier of the device's gateway (same commune; may be defined in the same file)
    model, manufacturer, address, owner, mqtt_client_id, firmware_version, expected_firmware_version
    default_credentials       1/0 (oui/non, true/false): the device still has the maker's password
    active                    1/0 (default 1)

Parsing never raises: what is wrong becomes a `RowError` naming the line (CSV) or the feature (GeoJSON).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from confiance.core.geo import valid_lat_lon
from confiance.devices.choices import QUANTITY_UNITS, DeviceKind, Quantity
from confiance.devices.models import IDENTIFIER_MAX_LENGTH

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MIN_INTERVAL_S, MAX_INTERVAL_S = 1, 7 * 24 * 3600
IDENTIFIER_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
TRUE_WORDS = {"1", "true", "oui", "yes", "vrai", "on"}
FALSE_WORDS = {"0", "false", "non", "no", "faux", "off", ""}
TEXT_LIMITS = {"name": 200, "model": 120, "manufacturer": 120, "address": 300, "owner": 200, "mqtt_client_id": 120,
               "firmware_version": 40, "expected_firmware_version": 40}
KNOWN_COLUMNS = {"type", "identifier", "name", "commune", "kind", "quantities", "lat", "lon", "reporting_interval_s",
                 "gateway", "default_credentials", "active", *TEXT_LIMITS}


@dataclass(frozen=True)
class RowError:
    where: str
    identifier: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"where": self.where, "identifier": self.identifier, "message": self.message}

    def __str__(self) -> str:
        who = f" ({self.identifier})" if self.identifier else ""
        return f"{self.where}{who} : {self.message}"


@dataclass
class RegistryRow:
    """One checked gateway or device, as the file describes it (the commune still to be resolved)."""

    where: str
    is_gateway: bool
    identifier: str
    commune: str
    fields: dict[str, Any]
    lat: float | None = None
    lon: float | None = None
    quantities: dict[str, str] = field(default_factory=dict)
    gateway: str = ""


@dataclass
class ParsedFile:
    rows: list[RegistryRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool | int | float):
        return str(raw)
    return str(raw).strip() if isinstance(raw, str) else ""


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        try:
            value = float(_text(raw).replace(",", "."))
        except ValueError:
            return None
    return value if math.isfinite(value) else None


def _flag(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    word = _text(raw).lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


def parse_quantities(raw: Any) -> tuple[dict[str, str], list[str]]:
    """`{quantity: unit}` from `water_level:m;battery:%`, a list of such items or of {quantity, unit}, or a dict."""
    items: list[tuple[str, str | None]] = []
    if isinstance(raw, dict):
        items = [(_text(key), None if value is None else _text(value)) for key, value in raw.items()]
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict):
                items.append((_text(item.get("quantity")), None if item.get("unit") is None else _text(item["unit"])))
            else:
                name, sep, unit = _text(item).partition(":")
                items.append((name.strip(), unit.strip() if sep else None))
    else:
        for part in re.split(r"[;|]", _text(raw)):
            if part.strip():
                name, sep, unit = part.partition(":")
                items.append((name.strip(), unit.strip() if sep else None))
    quantities: dict[str, str] = {}
    faults: list[str] = []
    for name, given in items[:len(Quantity.values) + 1]:
        if name not in Quantity.values:
            faults.append(_("grandeur inconnue « %(name)s » (grandeurs : %(known)s)")
                          % {"name": name[:40], "known": ", ".join(Quantity.values)})
            continue
        expected = QUANTITY_UNITS[name]
        if given is not None and given != expected:
            faults.append(_("unité « %(unit)s » refusée pour %(name)s : l'unité de la plateforme est « %(expected)s »")
                          % {"unit": given[:20], "name": name, "expected": expected})
            continue
        if name in quantities:
            faults.append(_("grandeur %(name)s en double") % {"name": name})
            continue
        quantities[name] = expected
    return quantities, faults


def _load(data: bytes | str, fmt: str) -> tuple[list[tuple[str, dict[str, Any]]], str]:
    """The raw rows with where each comes from ("ligne 3", "entité n° 2"), or a reason the file is unreadable."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_BYTES:
        return [], _("fichier trop volumineux (%(size)d octets, au plus %(max)d)") % {"size": len(raw),
                                                                                      "max": MAX_BYTES}
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], _("le fichier n'est pas en UTF-8")
    if fmt == "auto":
        fmt = "geojson" if text.lstrip().startswith("{") else "csv"
    if fmt == "geojson":
        return _load_geojson(text)
    if fmt != "csv":
        return [], _("format inconnu : %(fmt)s (csv ou geojson)") % {"fmt": fmt[:20]}
    return _load_csv(text)


def _load_csv(text: str) -> tuple[list[tuple[str, dict[str, Any]]], str]:
    if not text.strip():
        return [], _("le fichier est vide")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in reader.fieldnames or []]
        if "identifier" not in header:
            return [], _("en-tête CSV sans colonne « identifier » (colonnes : %(known)s)") % {
                "known": ", ".join(sorted(KNOWN_COLUMNS))}
        reader.fieldnames = header
        rows: list[tuple[str, dict[str, Any]]] = []
        for record in reader:
            if len(rows) >= MAX_ROWS:
                return [], _("trop de lignes (au plus %(max)d)") % {"max": MAX_ROWS}
            if not any(_text(value) for key, value in record.items() if key is not None):
                continue
            rows.append((_("ligne %(n)d") % {"n": reader.line_num}, {key: value for key, value in record.items()
                                                                       if key is not None}))
    except csv.Error as error:
        return [], _("CSV illisible : %(error)s") % {"error": str(error)[:200]}
    return rows, ""


def _load_geojson(text: str) -> tuple[list[tuple[str, dict[str, Any]]], str]:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        return [], _("le fichier n'est pas du JSON lisible (%(error)s)") % {"error": str(error)[:200]}
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" \
            or not isinstance(document.get("features"), list):
        return [], _("une FeatureCollection GeoJSON est attendue")
    if len(document["features"]) > MAX_ROWS:
        return [], _("trop d'entités (au plus %(max)d)") % {"max": MAX_ROWS}
    rows: list[tuple[str, dict[str, Any]]] = []
    for index, feature in enumerate(document["features"], start=1):
        where = _("entité n° %(n)d") % {"n": index}
        if not isinstance(feature, dict) or not isinstance(feature.get("properties") or {}, dict):
            rows.append((where, {"_fault": _("entité GeoJSON invalide")}))
            continue
        record = dict(feature.get("properties") or {})
        geometry = feature.get("geometry")
        if isinstance(geometry, dict) and geometry.get("type") == "Point" \
                and isinstance(geometry.get("coordinates"), list) and len(geometry["coordinates"]) >= 2:
            record["lon"], record["lat"] = geometry["coordinates"][0], geometry["coordinates"][1]
        elif geometry is not None:
            record["_fault"] = _("la géométrie doit être un point (Point)")
        rows.append((where, record))
    return rows, ""


def _check(where: str, record: dict[str, Any], commune_default: str) -> tuple[RegistryRow | None, list[RowError]]:
    identifier = _text(record.get("identifier"))
    errors: list[RowError] = []

    def fail(message: str) -> None:
        errors.append(RowError(where, identifier[:IDENTIFIER_MAX_LENGTH], message))

    if record.get("_fault"):
        fail(record["_fault"])
    kind_of_row = _text(record.get("type")).lower() or "device"
    if kind_of_row not in {"device", "gateway", "capteur", "passerelle"}:
        fail(_("type « %(type)s » inconnu (device ou gateway)") % {"type": kind_of_row[:20]})
    is_gateway = kind_of_row in {"gateway", "passerelle"}
    if not identifier:
        fail(_("identifiant manquant"))
    elif len(identifier) > IDENTIFIER_MAX_LENGTH or not IDENTIFIER_RE.match(identifier):
        fail(_("identifiant invalide : lettres, chiffres, - et _ seulement, %(max)d caractères au plus")
             % {"max": IDENTIFIER_MAX_LENGTH})
    commune = _text(record.get("commune")) or commune_default
    if not commune:
        fail(_("commune manquante (colonne « commune » ou option --commune)"))
    elif commune_default and commune != commune_default:
        fail(_("commune %(code)s différente de celle de l'import (%(expected)s)")
             % {"code": commune[:10], "expected": commune_default})
    fields: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        value = _text(record.get(name))
        if len(value) > limit:
            fail(_("%(column)s trop long (%(limit)d caractères au plus)") % {"column": name, "limit": limit})
        fields[name] = value[:limit]
    if not fields["name"]:
        fields["name"] = identifier[:200]
    for name, default in (("default_credentials", False), ("active", True)):
        flag = _flag(record.get(name)) if _text(record.get(name)) else default
        if flag is None:
            fail(_("%(column)s : 1 ou 0 attendu, pas « %(value)s »") % {"column": name,
                                                                       "value": _text(record.get(name))[:20]})
        fields[name] = bool(flag)
    row = RegistryRow(where=where, is_gateway=is_gateway, identifier=identifier, commune=commune, fields=fields)
    if is_gateway:
        fields.pop("address"), fields.pop("manufacturer")
        return (None if errors else row), errors
    kind = _text(record.get("kind")) or DeviceKind.OTHER
    if kind not in DeviceKind.values:
        fail(_("type de capteur « %(kind)s » inconnu (types : %(known)s)")
             % {"kind": kind[:30], "known": ", ".join(DeviceKind.values)})
    fields["kind"] = kind
    interval_raw = record.get("reporting_interval_s")
    interval = _number(interval_raw) if _text(interval_raw) else 300.0
    if interval is None or interval != int(interval) or not MIN_INTERVAL_S <= interval <= MAX_INTERVAL_S:
        fail(_("intervalle d'émission invalide « %(value)s » : un nombre entier de secondes entre %(min)d et %(max)d")
             % {"value": _text(interval_raw)[:20], "min": MIN_INTERVAL_S, "max": MAX_INTERVAL_S})
    else:
        fields["reporting_interval_s"] = int(interval)
    lat, lon = _number(record.get("lat")), _number(record.get("lon"))
    if lat is None or lon is None or not valid_lat_lon(lat, lon):
        fail(_("position manquante ou invalide (lat, lon en WGS84)"))
    row.lat, row.lon = lat, lon
    quantities, faults = parse_quantities(record.get("quantities"))
    for fault in faults:
        fail(fault)
    if not quantities and not faults:
        fail(_("aucune grandeur mesurée (colonne « quantities », ex. water_level:m;battery:%)"))
    row.quantities = quantities
    row.gateway = _text(record.get("gateway"))
    return (None if errors else row), errors


def parse_registry_file(data: bytes | str, *, fmt: str = "auto", commune: str = "") -> ParsedFile:
    """Every row checked on its own; identifiers repeated in the file are refused, naming the first occurrence."""
    parsed = ParsedFile()
    records, reason = _load(data, fmt)
    if reason:
        parsed.errors.append(RowError(_("fichier"), "", reason))
        return parsed
    if not records:
        parsed.errors.append(RowError(_("fichier"), "", _("aucune ligne à importer")))
        return parsed
    seen: dict[tuple[bool, str], str] = {}
    for where, record in records:
        row, errors = _check(where, record, commune.strip())
        parsed.errors.extend(errors)
        if row is None:
            continue
        key = (row.is_gateway, row.identifier)
        if key in seen:
            parsed.errors.append(RowError(where, row.identifier, _("identifiant en double (déjà en %(where)s)")
                                          % {"where": seen[key]}))
            continue
        seen[key] = where
        parsed.rows.append(row)
    return parsed
