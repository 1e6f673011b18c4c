"""The citizen form after a refusal: each error placed next to its field and listed in a summary at the top
(GOV.UK's error summary pattern), and the map brought back to where the citizen left it."""

from __future__ import annotations

import math

from django import forms

from confiance.core.errors import ApplicationError
from confiance.core.geo import valid_lat_lon
from confiance.reports.errors import ReportErrorCode

LOCATION_FIELDS = ("lat", "lon")
MAP_ANCHOR = "report-map"
# The fields of the form in page order: the summary lists errors as the citizen meets the fields.
FIELD_ORDER = ("lat", "lon", "address", "service_code", "attributes", "description", "photos", "name", "email",
               "phone", "consent")
# Service refusals that belong to one field although their details do not name it.
FIELD_OF_CODE = {
    ReportErrorCode.LOCATION_INVALID: "lat", ReportErrorCode.OUTSIDE_TERRITORY: "lat",
    ReportErrorCode.WRONG_JURISDICTION: "lat", ReportErrorCode.CATEGORY_UNKNOWN: "service_code",
    ReportErrorCode.DESCRIPTION_TOO_LONG: "description", ReportErrorCode.PHOTO_INVALID: "photos",
    ReportErrorCode.PHOTO_TOO_LARGE: "photos", ReportErrorCode.TOO_MANY_PHOTOS: "photos",
}
MAX_ZOOM = 19


def service_error_place(form: forms.Form, error: ApplicationError, attribute_errors: dict[str, str]) -> None:
    """Put a refusal of the service next to the field it is about (a question of the category included)."""
    details = error.details if isinstance(error.details, dict) else {}
    attribute = details.get("attribute")
    if isinstance(attribute, str) and attribute:
        attribute_errors[attribute] = str(error.message)
        return
    field = details.get("field") or FIELD_OF_CODE.get(error.code)
    form.add_error(field if field in form.fields else None, error.message)


def location_errors(form: forms.Form) -> list[str]:
    """The errors of the position (latitude, longitude), each once: they are shown under the map."""
    found: list[str] = []
    for name in LOCATION_FIELDS:
        for message in form.errors.get(name, []):
            if message not in found:
                found.append(message)
    return found


def error_summary(form: forms.Form, attribute_errors: dict[str, str], *,
                  photos_lost: str = "") -> list[tuple[str, str]]:
    """(anchor, message) for each error, in the order of the page; the anchor is "" for a form-wide error."""
    entries = [("", str(message)) for message in form.non_field_errors()]
    for name in FIELD_ORDER:
        if name in LOCATION_FIELDS:
            if name == "lat":
                entries += [(MAP_ANCHOR, message) for message in location_errors(form)]
        elif name == "attributes":
            entries += [(f"attr-{code}", message) for code, message in attribute_errors.items()]
        else:
            entries += [(form[name].auto_id, str(message)) for message in form.errors.get(name, [])]
            if name == "photos" and photos_lost and not form.errors.get(name):
                entries.append((form[name].auto_id, photos_lost))
    return entries


def map_view_parse(raw: str) -> str:
    """The map's centre and zoom as the page sent them ("lat,lon,zoom"), normalised; "" when unreadable."""
    parts = (raw or "")[:64].split(",")
    if len(parts) != 3:
        return ""
    try:
        lat, lon, zoom = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        return ""
    if not (valid_lat_lon(lat, lon) and math.isfinite(lat) and 1 <= zoom <= MAX_ZOOM):
        return ""
    return f"{lat:.5f},{lon:.5f},{zoom}"
