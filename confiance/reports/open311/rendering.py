"""Open311 bodies in JSON or XML (by the path's extension), errors in Open311's own format, rows as the standard
names them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from lxml import etree

from confiance.reports.choices import ReportStatus
from confiance.reports.models import Category, CategoryAttribute, ReportUpdate

# Status of an update, as FixMyStreet's Open311 update extension names them.
FMS_STATUS = {
    ReportStatus.NEW: "OPEN", ReportStatus.TO_PROCESS: "INVESTIGATING", ReportStatus.SCHEDULED: "ACTION_SCHEDULED",
    ReportStatus.IN_PROGRESS: "IN_PROGRESS", ReportStatus.TRANSFERRED: "NOT_COUNCILS_RESPONSIBILITY",
    ReportStatus.DONE: "FIXED", ReportStatus.REJECTED: "NO_FURTHER_ACTION", ReportStatus.DUPLICATE: "DUPLICATE",
    ReportStatus.CLOSED: "CLOSED",
}
# Characters XML 1.0 cannot carry (control characters, lone surrogates); dropped from echoed input.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
XML_ITEM = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


def _xml_value(parent: etree._Element, key: str, value: Any) -> None:
    element = etree.SubElement(parent, key)
    if isinstance(value, dict):
        for child_key, child_value in value.items():
            _xml_value(element, child_key, child_value)
    elif isinstance(value, list):
        for item in value:
            _xml_value(element, XML_ITEM.get(key, "item"), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = XML_FORBIDDEN.sub("", str(value))


def render(data: Any, fmt: str, *, root: str, item: str = "", status: int = 200) -> HttpResponse:
    """The body in the asked format: a list under `root` with one `item` per entry, or an object."""
    if fmt == "xml":
        element = etree.Element(root)
        if isinstance(data, list):
            for entry in data:
                _xml_value(element, item, entry)
        else:
            for key, value in data.items():
                _xml_value(element, key, value)
        body = etree.tostring(element, xml_declaration=True, encoding="utf-8")
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return HttpResponse(json.dumps(data, ensure_ascii=False), status=status,
                        content_type="application/json; charset=utf-8")


def error_response(fmt: str, status: int, description: str) -> HttpResponse:
    """An Open311 error: a list of {code, description}."""
    return render([{"code": status, "description": description}], fmt, root="errors", item="error", status=status)


def iso(moment: datetime | None, zone: tzinfo | None = None) -> str | None:
    """ISO 8601 in the platform's time zone (pass `zone` when writing many: looking it up costs)."""
    if moment is None:
        return None
    return moment.astimezone(zone or timezone.get_current_timezone()).isoformat(timespec="seconds")


def service_row(category: Category) -> dict[str, Any]:
    """A service type, as GET services lists it."""
    return {"service_code": category.service_code, "service_name": category.name,
            "description": category.description or None, "metadata": bool(getattr(category, "has_attributes", False)),
            "type": "realtime", "keywords": category.keywords or None, "group": category.group or None}


def attribute_row(attribute: CategoryAttribute, index: int) -> dict[str, Any]:
    """An extra question of a service definition."""
    return {"variable": True, "code": attribute.code, "datatype": attribute.datatype, "required": attribute.required,
            "datatype_description": attribute.datatype_description or None, "order": index + 1,
            "description": attribute.description,
            "values": [{"key": str(v.get("key")), "name": str(v.get("name"))} for v in attribute.values or []]}


def request_rows(rows: list[dict[str, Any]], media_url: Callable[[int], str]) -> list[dict[str, Any]]:
    """Service requests from the Open311 search's rows; `media_url` makes a photo's absolute link."""
    zone = timezone.get_current_timezone()
    return [{
        "service_request_id": str(row["id"]),
        "status": "open" if row["is_open"] else "closed",
        "detailed_status": row["status"],
        "status_notes": row["status_notes"] or None,
        "service_name": row["service_name"],
        "service_code": row["service_code"],
        "description": None if row["description_hidden"] else (row["description"] or None),
        "agency_responsible": row["agency_responsible"] or None,
        "service_notice": row["notice"] or None,
        "requested_datetime": iso(row["created_at"], zone),
        "updated_datetime": iso(row["updated_at"], zone),
        "expected_datetime": iso(row["expected_at"], zone),
        "address": row["address"] or None,
        "address_id": None,
        "zipcode": None,
        "lat": row["lat"],
        "long": row["lon"],
        "media_url": media_url(row["photo_id"]) if row["photo_id"] else None,
        "jurisdiction_id": row["insee_code"],
    } for row in rows]


def update_row(update: ReportUpdate) -> dict[str, Any]:
    """A public update of a report, as FixMyStreet's extension names its fields."""
    status = update.status or update.report.status
    return {
        "update_id": str(update.pk),
        "service_request_id": str(update.report_id),
        "status": FMS_STATUS.get(status, "OPEN"),
        "external_status_code": status,
        "updated_datetime": iso(update.created_at),
        "description": update.public_message or str(ReportStatus(status).label),
        "media_url": None,
    }
