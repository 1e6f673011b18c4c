"""Writes of addresses: the import of a Base Adresse Nationale file (CSV, semicolon separated)."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.addresses.errors import AddressesError, AddressesErrorCode
from confiance.addresses.models import Address, AddressImport, search_text
from confiance.core.actors import Acting
from confiance.privacy.services import audit_record
from confiance.territory.models import Commune

# The columns of the BAN's "adresses" CSV files; those read here must be present, the others may be.
BAN_COLUMNS = ("id", "id_fantoir", "numero", "rep", "nom_voie", "code_postal", "code_insee", "nom_commune",
               "code_insee_ancienne_commune", "nom_ancienne_commune", "x", "y", "lon", "lat", "type_position",
               "alias", "nom_ld", "libelle_acheminement", "nom_afnor", "source_position", "source_nom_voie",
               "certification_commune", "cad_parcelles")
REQUIRED_COLUMNS = ("id", "numero", "nom_voie", "code_postal", "code_insee", "nom_commune", "lon", "lat")
BATCH_SIZE = 2000
MAX_ERRORS = 50  # errors named in the refusal; the import reads on to count them all
MAX_LINE_CHARS = 5000
UPDATED_FIELDS = ["commune", "number", "suffix", "street", "place_name", "postal_code", "city", "lat", "lon",
                  "street_key", "search_key", "updated_at"]
_NUMBER = re.compile(r"[0-9]{1,5}")
_POSTAL_CODE = re.compile(r"[0-9]{5}")
_DECIMAL = re.compile(r"[-+]?[0-9]{1,3}([.,][0-9]{1,15})?")


@dataclass
class AddressImportResult:
    """What an import did: rows created, rows already known (refreshed), rows of communes not served, and the
    addresses of the communes the file covers that it no longer lists (removed)."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    lines: int = 0
    removed: int = 0
    communes: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class LineError:
    line: int
    message: str


def _text(row: dict[str, str], column: str, limit: int) -> str:
    value = (row.get(column) or "").strip()
    if len(value) > limit:
        raise ValueError(_("%(column)s trop long (%(limit)s caractères au plus)") % {"column": column,
                                                                                     "limit": limit})
    return value


def _degrees(row: dict[str, str], column: str, bound: float) -> float:
    raw = (row.get(column) or "").strip()
    if not _DECIMAL.fullmatch(raw) or not math.isfinite(value := float(raw.replace(",", "."))) \
            or not -bound <= value <= bound:
        raise ValueError(_("%(column)s invalide : « %(value)s »") % {"column": column, "value": raw[:40]})
    return value


def address_from_row(row: dict[str, str], communes: dict[str, int], now: Any) -> Address | None:
    """The address of one CSV row; None for a commune the platform does not serve; ValueError when unreadable."""
    ban_id = _text(row, "id", 80)
    if not ban_id:
        raise ValueError(_("identifiant (colonne id) manquant"))
    number_text = _text(row, "numero", 5)
    if not _NUMBER.fullmatch(number_text):
        raise ValueError(_("numéro invalide : « %(value)s »") % {"value": number_text})
    street = _text(row, "nom_voie", 200) or _text(row, "nom_ld", 200)
    if not street:
        raise ValueError(_("nom de voie (colonne nom_voie) manquant"))
    postal_code = _text(row, "code_postal", 5)
    if not _POSTAL_CODE.fullmatch(postal_code):
        raise ValueError(_("code postal invalide : « %(value)s »") % {"value": postal_code})
    lat, lon = _degrees(row, "lat", 90), _degrees(row, "lon", 180)
    commune_id = communes.get(_text(row, "code_insee", 5))
    place_name, city = _text(row, "nom_ld", 200), _text(row, "nom_commune", 200)
    if not city:
        raise ValueError(_("nom de commune (colonne nom_commune) manquant"))
    if commune_id is None:
        return None
    street_key = search_text(street)[:200]
    search_key = f" {street_key} {search_text(place_name)} {postal_code} {search_text(city)} "
    return Address(ban_id=ban_id, commune_id=commune_id, number=int(number_text), suffix=_text(row, "rep", 20),
                   street=street, place_name=place_name, postal_code=postal_code, city=city, lat=lat, lon=lon,
                   street_key=street_key, search_key=f" {' '.join(search_key.split())[:446]} ",
                   updated_at=now)


def _decoded(stream: BinaryIO) -> Iterator[str]:
    """The file's lines as text, one at a time, so that a byte that is not UTF-8 is reported on its own line."""
    for number, raw in enumerate(stream):
        yield raw.decode("utf-8-sig" if number == 0 else "utf-8")


def _rows(stream: BinaryIO) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of each data line; the header checked first."""
    reader = csv.reader(_decoded(stream), delimiter=";")
    unreadable = _("ligne illisible : encodage UTF-8 attendu, ou guillemets mal fermés")
    try:
        header = [column.strip().lower() for column in next(reader, [])]
    except (csv.Error, UnicodeDecodeError):
        raise _refusal([LineError(1, unreadable)]) from None
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        hint = _(" ; le séparateur attendu est le point-virgule") if len(header) == 1 and "," in header[0] else ""
        raise _refusal([LineError(1, _("en-tête : colonnes manquantes : %(columns)s (format de la Base Adresse "
                                       "Nationale attendu%(hint)s)") % {"columns": ", ".join(missing), "hint": hint})])
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError):
            raise _refusal([LineError(reader.line_num + 1, unreadable)]) from None
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(header) or sum(map(len, values)) > MAX_LINE_CHARS or any("\x00" in v for v in values):
            yield line, {"__invalid__": _("ligne mal formée (trop de colonnes, trop longue ou caractère nul)")}
            continue
        yield line, dict(zip(header, values, strict=False))


def _refusal(errors: list[LineError], total: int | None = None) -> AddressesError:
    total = len(errors) if total is None else total
    first = errors[0]
    message = (_("Fichier d'adresses refusé, rien n'a été importé : ligne %(line)s : %(message)s.")
               % {"line": first.line, "message": first.message})
    if total > 1:
        message += " " + _("%(count)s ligne(s) en erreur au total.") % {"count": total}
    return AddressesError(AddressesErrorCode.IMPORT_INVALID, message, details={
        "errors": [{"line": error.line, "message": error.message} for error in errors], "total": total})


def _store(batch: dict[str, Address], result: AddressImportResult) -> None:
    known = set(Address.objects.filter(ban_id__in=list(batch)).values_list("ban_id", flat=True))
    Address.objects.bulk_create(list(batch.values()), update_conflicts=True, unique_fields=["ban_id"],
                                update_fields=UPDATED_FIELDS)
    result.updated += len(known)
    result.created += len(batch) - len(known)
    batch.clear()


def _import_rows(rows: Iterable[tuple[int, dict[str, str]]], result: AddressImportResult, now: Any) -> list[LineError]:
    communes = dict(Commune.objects.values_list("insee_code", "id"))
    errors: list[LineError] = []
    batch: dict[str, Address] = {}
    for line, row in rows:
        result.lines += 1
        try:
            if "__invalid__" in row:
                raise ValueError(row["__invalid__"])
            address = address_from_row(row, communes, now)
        except ValueError as error:
            errors.append(LineError(line, str(error)))
            continue
        if address is None:
            result.skipped += 1
            continue
        result.communes.add(address.commune_id)
        batch[address.ban_id] = address  # a repeated id: the last line wins, as in a re-import
        if len(batch) >= BATCH_SIZE and not errors:
            _store(batch, result)
    if batch and not errors:
        _store(batch, result)
    return errors


def addresses_import(*, actor: Acting | None, path: Path) -> AddressImportResult:
    """Import (or refresh) the addresses of a BAN CSV file, read line by line and stored in batches; keyed on the
    BAN id, so importing the same file again changes nothing. Rows of communes the platform does not serve are
    skipped. A commune the file covers is replaced by it: its addresses the file no longer lists (renumbered,
    merged, deleted from the BAN) are removed, and the search stops proposing them; communes the file does not
    mention keep theirs. All or nothing: any unreadable line refuses the whole file, naming the lines."""
    path = Path(path)
    if not path.is_file():
        raise AddressesError(AddressesErrorCode.IMPORT_INVALID, _("Fichier introuvable : %(path)s") % {"path": path})
    result = AddressImportResult()
    now = timezone.now()
    with transaction.atomic(), path.open("rb") as stream:
        errors = _import_rows(_rows(stream), result, now)
        if errors:
            raise _refusal(errors[:MAX_ERRORS], total=len(errors))
        if not result.created + result.updated:
            raise AddressesError(AddressesErrorCode.IMPORT_INVALID, _(
                "Aucune adresse des communes servies dans ce fichier (%(skipped)s ligne(s) d'autres communes).")
                % {"skipped": result.skipped})
        # Every address the file lists was stored with updated_at = now: the older ones of its communes are gone.
        result.removed, _by_model = Address.objects.filter(
            commune_id__in=result.communes, updated_at__lt=now).delete()
        AddressImport.objects.create(file_name=path.name[:300], created=result.created, updated=result.updated,
                                     skipped=result.skipped, removed=result.removed)
        audit_record(actor=actor, action="addresses.import", extra={
            "file": path.name, "created": result.created, "updated": result.updated, "skipped": result.skipped,
            "removed": result.removed})
    return result
