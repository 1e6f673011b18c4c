"""Point sets for analysis: projection to metres (pyproj) and the external CSV reader."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from django.utils.translation import gettext as _
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from confiance.analytics.errors import AnalysisInputError, AnalyticsErrorCode
from confiance.analytics.stats.temporal import local_days_and_hours

WGS84 = "EPSG:4326"
LAMBERT93 = "EPSG:2154"
# Metropolitan France and Corsica (Lambert-93's area of use, rounded outwards).
_FRANCE = (-9.9, 41.1, 10.4, 51.6)
MAX_IMPORT_ROWS = 500_000
# Above this share of unreadable rows an import is refused rather than partly kept.
MAX_REJECTED_SHARE = 0.05


@dataclass
class PointSet:
    """Events as arrays: WGS84, metres in `crs`, UTC times, a category label each."""

    lat: np.ndarray
    lon: np.ndarray
    x: np.ndarray
    y: np.ndarray
    time: np.ndarray  # datetime64[s], UTC
    category: np.ndarray  # str labels
    crs: str
    rejected: list[dict] = field(default_factory=list)
    zone: str = "Europe/Paris"
    date_only: bool = False  # no row gave an hour: times are calendar days in `zone`

    def __len__(self) -> int:
        return len(self.x)

    def days(self) -> np.ndarray:
        """Times as days since the first event: calendar days when only dates are known, else elapsed time."""
        seconds = self.time.astype("datetime64[s]").astype(np.int64)
        return elapsed_days(seconds, whole_days=self.date_only, zone=self.zone)


def elapsed_days(seconds: np.ndarray, *, whole_days: bool, zone: str = "Europe/Paris") -> np.ndarray:
    """Days since the first event. For dates without hours, calendar days in their zone (a daylight-saving
    change must not make 7 days into 6 days 23 hours); otherwise elapsed time in days."""
    seconds = np.asarray(seconds, dtype=np.int64)
    if len(seconds) == 0:
        return seconds.astype(float)
    if whole_days:
        days, _hours = local_days_and_hours(seconds, zone)
        return (days - days.min()).astype(float)
    return (seconds - seconds.min()) / 86400.0


@lru_cache(maxsize=32)
def transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def transform(source: str, target: str, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Arrays in, arrays out (pyproj would take a one-element array for a scalar point)."""
    a = np.atleast_1d(np.asarray(a, dtype=float))
    b = np.atleast_1d(np.asarray(b, dtype=float))
    if a.size == 1:
        first, second = transformer(source, target).transform(np.repeat(a, 2), np.repeat(b, 2))
        return np.asarray(first)[:1], np.asarray(second)[:1]
    first, second = transformer(source, target).transform(a, b)
    return np.asarray(first), np.asarray(second)


def metric_crs_for(lat: np.ndarray, lon: np.ndarray) -> str:
    """Lambert-93 in metropolitan France, else the UTM zone of the points' centre."""
    if len(lat) == 0:
        return LAMBERT93
    west, south, east, north = _FRANCE
    if lon.min() >= west and lon.max() <= east and lat.min() >= south and lat.max() <= north:
        return LAMBERT93
    centre_lon, centre_lat = float(np.median(lon)), float(np.median(lat))
    zone = int((centre_lon + 180) // 6) + 1
    return f"EPSG:{32600 + zone if centre_lat >= 0 else 32700 + zone}"


def project(lat: np.ndarray, lon: np.ndarray, crs: str | None = None) -> tuple[np.ndarray, np.ndarray, str]:
    """WGS84 to metres."""
    crs = crs or metric_crs_for(lat, lon)
    x, y = transform(WGS84, crs, lon, lat)
    return x, y, crs


def check_crs(code: str) -> CRS:
    try:
        crs = CRS.from_user_input(code)
    except CRSError as exc:
        raise AnalysisInputError(AnalyticsErrorCode.COORDINATES_INVALID,
                                 _("Système de coordonnées inconnu : %(code)s.") % {"code": code}) from exc
    return crs


def unproject(x: np.ndarray, y: np.ndarray, crs_code: str) -> tuple[np.ndarray, np.ndarray]:
    """Projected coordinates to WGS84, refusing points outside the system's area of use."""
    crs = check_crs(crs_code)
    if crs.is_geographic:
        raise AnalysisInputError(AnalyticsErrorCode.COORDINATES_INVALID, _(
            "%(code)s est un système en degrés : donnez les colonnes lat et lon.") % {"code": crs_code})
    lon, lat = transform(crs_code, WGS84, x, y)
    area = crs.area_of_use
    if area is not None:
        margin = 1.0
        outside = ~np.isfinite(lon) | ~np.isfinite(lat) | (lon < area.west - margin) | (lon > area.east + margin) | (
            lat < area.south - margin) | (lat > area.north + margin)
        if outside.mean() > 0.5 if len(lon) else False:
            raise AnalysisInputError(AnalyticsErrorCode.COORDINATES_INVALID, _(
                "Les coordonnées ne tombent pas dans la zone du système %(code)s (%(area)s) : "
                "vérifiez le système de coordonnées.") % {"code": crs_code, "area": area.name},
                outside=int(outside.sum()))
    return lat, lon


_X_NAMES = ("x", "coord_x", "easting")
_Y_NAMES = ("y", "coord_y", "northing")
_LAT_NAMES = ("lat", "latitude")
_LON_NAMES = ("lon", "long", "lng", "longitude")
_DATE_NAMES = ("date", "date_single", "occurrencedate", "datetime", "date_heure", "horodatage", "timestamp")
_TIME_NAMES = ("time", "heure", "hour", "occurrencehour")
_CATEGORY_NAMES = ("category", "categorie", "catégorie", "type", "mci", "nature")
_DATE_ONLY = re.compile(r"^(\d{1,2}/\d{1,2}/\d{4}|\d{4}[-/]\d{1,2}[-/]\d{1,2})$")
_DATE_RE = [
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), "dmy"),
    (re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$"), "ymd"),
]


def _pick(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def _parse_time(date_text: str, time_text: str | None, zone: ZoneInfo) -> datetime:
    """A date (dd/mm/yyyy, yyyy-mm-dd, or ISO date-time) and an optional hour or hh:mm column, read as wall
    time in `zone` unless the text carries its own offset; returned in UTC."""
    text = date_text.strip()
    local: datetime | None = None
    for pattern, order in _DATE_RE:
        match = pattern.match(text)
        if match:
            a, b, c = (int(v) for v in match.groups())
            day, month, year = (a, b, c) if order == "dmy" else (c, b, a)
            local = datetime(year, month, day)
            break
    if local is None:
        normalised = text.replace("/", "-")
        if re.search(r"[+-]\d\d$", normalised):
            normalised += ":00"
        parsed = datetime.fromisoformat(normalised.replace("Z", "+00:00"))
        local = parsed.astimezone(zone).replace(tzinfo=None) if parsed.tzinfo else parsed
        if time_text is not None and time_text.strip():
            local = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if time_text is not None and time_text.strip():
        value = time_text.strip()
        if ":" in value:
            hours, minutes = (int(v) for v in value.split(":")[:2])
        else:
            hours, minutes = int(float(value)), 0
        if not (0 <= hours < 24 and 0 <= minutes < 60):
            raise ValueError("hour")
        local += timedelta(hours=hours, minutes=minutes)
    if not 1900 <= local.year <= 2100:
        raise ValueError("year")
    return local.replace(tzinfo=zone).astimezone(UTC)


def read_events_csv(data: bytes | str, *, crs: str | None = None, category_filter: str | None = None,
                    tz: str = "Europe/Paris") -> PointSet:
    """Read x,y (with `crs`) or lat,lon, a date (and optional hour, wall time in `tz`) and a category per row."""
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise AnalysisInputError(AnalyticsErrorCode.IMPORT_INVALID, _("Fuseau horaire inconnu : %(tz)s.") % {
            "tz": tz}) from exc
    text = data.decode("utf-8-sig", errors="strict") if isinstance(data, bytes) else data
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise AnalysisInputError(AnalyticsErrorCode.IMPORT_INVALID, _("Le fichier est vide."))
    ix, iy = _pick(header, _X_NAMES), _pick(header, _Y_NAMES)
    ilat, ilon = _pick(header, _LAT_NAMES), _pick(header, _LON_NAMES)
    idate, itime, icat = _pick(header, _DATE_NAMES), _pick(header, _TIME_NAMES), _pick(header, _CATEGORY_NAMES)
    if idate is None:
        raise AnalysisInputError(AnalyticsErrorCode.IMPORT_INVALID, _(
            "Colonne de date introuvable (attendu : date, date_single, occurrencedate ou datetime)."),
            columns=header)
    geographic = ilat is not None and ilon is not None
    if not geographic and (ix is None or iy is None):
        raise AnalysisInputError(AnalyticsErrorCode.IMPORT_INVALID, _(
            "Colonnes de position introuvables : donnez x et y (avec leur système) ou lat et lon."), columns=header)
    if not geographic and not crs:
        raise AnalysisInputError(AnalyticsErrorCode.IMPORT_INVALID, _(
            "Des colonnes x et y sont données : indiquez leur système de coordonnées (par exemple EPSG:2154)."))
    if not geographic:
        check_crs(crs)
    first_col, second_col = (ilat, ilon) if geographic else (ix, iy)

    a_values: list[float] = []
    b_values: list[float] = []
    times: list[datetime] = []
    categories: list[str] = []
    rejected: list[dict] = []
    rows = 0
    timed = False
    for line_number, row in enumerate(reader, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        rows += 1
        if rows > MAX_IMPORT_ROWS:
            raise AnalysisInputError(AnalyticsErrorCode.IMPORT_INVALID, _(
                "Le fichier dépasse %(max)s lignes.") % {"max": MAX_IMPORT_ROWS})
        category = row[icat].strip() if icat is not None and icat < len(row) else ""
        if category_filter and category != category_filter:
            continue
        try:
            a = float(row[first_col])
            b = float(row[second_col])
            if not (np.isfinite(a) and np.isfinite(b)):
                raise ValueError("coordinates")
            if geographic and not (-90 <= a <= 90 and -180 <= b <= 180):
                raise ValueError("coordinates")
            hour_text = row[itime] if itime is not None and itime < len(row) else None
            moment = _parse_time(row[idate], hour_text, zone)
            timed = timed or bool(hour_text and hour_text.strip()) or not _DATE_ONLY.match(row[idate].strip())
        except (ValueError, IndexError):
            if len(rejected) < 1000:
                rejected.append({"line": line_number, "row": row[:6]})
            continue
        a_values.append(a)
        b_values.append(b)
        times.append(moment)
        categories.append(category[:100])
    total = len(a_values) + len(rejected)
    if total and len(rejected) / total > MAX_REJECTED_SHARE:
        raise AnalysisInputError(AnalyticsErrorCode.IMPORT_INVALID, _(
            "%(bad)s lignes sur %(total)s sont illisibles (coordonnées ou date) : rien n'est importé.") % {
            "bad": len(rejected), "total": total}, lines=[r["line"] for r in rejected[:20]])
    if not a_values:
        raise AnalysisInputError(AnalyticsErrorCode.TOO_FEW_EVENTS, _("Le fichier ne contient aucun événement."))
    first, second = np.array(a_values), np.array(b_values)
    if geographic:
        lat, lon = first, second
        x, y, metric = project(lat, lon)
    else:
        lat, lon = unproject(first, second, crs)
        metric_crs = check_crs(crs)
        if metric_crs.axis_info and metric_crs.axis_info[0].unit_name not in ("metre", "meter"):
            x, y, metric = project(lat, lon)
        else:
            x, y, metric = first, second, crs
    stamps = np.array([int(t.timestamp()) for t in times], dtype="int64").astype("datetime64[s]")
    return PointSet(lat=lat, lon=lon, x=x, y=y, time=stamps, category=np.array(categories, dtype=object),
                    crs=metric, rejected=rejected, zone=tz, date_only=not timed)
