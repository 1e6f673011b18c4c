"""Address API under /api/v1/addresses: the search of the address box, the street labels of the drawn map.

Both are public (the citizen form uses them) and rate-limited per client address."""

from django.utils.translation import gettext as _
from ninja import Router

from confiance.addresses.errors import AddressesError, AddressesErrorCode
from confiance.addresses.schemas import AddressOut, StreetLabelOut
from confiance.addresses.selectors import MAX_RESULTS, address_search, street_labels_in
from confiance.core.parsing import ParseError, parse_bbox, parse_int
from confiance.core.ratelimits import rate_limited

router = Router(tags=["adresses"])


@router.get("/", response=list[AddressOut], auth=None, url_name="addresses-search",
            summary="Recherche d'adresses (Base Adresse Nationale)")
@rate_limited("address_search")
def search(request, q: str = "", limit: str = ""):
    """Addresses or streets matching `q`, best first (accents and case ignored); `limit` from 1 to 20."""
    try:
        count = parse_int(limit, minimum=1, maximum=MAX_RESULTS) or 8
    except ParseError as error:
        raise AddressesError(AddressesErrorCode.QUERY_INVALID, _("Paramètre limit : %(error)s")
                             % {"error": error}) from None
    return address_search(text=q, limit=count)


@router.get("/streets", response=list[StreetLabelOut], auth=None, url_name="addresses-streets",
            summary="Noms des voies dans une emprise")
@rate_limited("basemap")
def streets(request, bbox: str = ""):
    """One label per street (its name, a point, its direction) in `bbox` = ouest,sud,est,nord."""
    try:
        box = parse_bbox(bbox, max_span=0.5)
    except ParseError as error:
        raise AddressesError(AddressesErrorCode.QUERY_INVALID, str(error)) from None
    if box is None:
        raise AddressesError(AddressesErrorCode.QUERY_INVALID, _("Paramètre bbox requis : ouest,sud,est,nord."))
    return street_labels_in(bbox=box)
