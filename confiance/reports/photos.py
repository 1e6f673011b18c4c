"""Photos of reports: type and size checked from the content, re-encoded as JPEG without metadata."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from confiance.reports.errors import ReportError, ReportErrorCode

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
MAX_SIDE = 2048
THUMBNAIL_SIDE = 320
MAX_PIXELS = 50_000_000


@dataclass(frozen=True)
class ProcessedPhoto:
    content: bytes
    thumbnail: bytes
    width: int
    height: int
    sha256: str


def _encode(image: Image.Image, side: int, quality: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif, no icc profile, no comment: only pixels leave this function.
    copy.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def photo_process(data: bytes, *, name: str = "") -> ProcessedPhoto:
    """Check an uploaded image from its bytes and re-encode it; raise ReportError with a translated message."""
    limit = settings.CONFIANCE_REPORT_PHOTO_MAX_BYTES
    label = name or _("la photo")
    if len(data) > limit:
        raise ReportError(ReportErrorCode.PHOTO_TOO_LARGE,
                          _("%(photo)s dépasse la taille maximale (%(max)s Mo).")
                          % {"photo": label, "max": limit // (1024 * 1024)},
                          details={"name": name, "size": len(data), "max": limit}, status_code=413)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            fmt = probe.format
            if fmt not in ACCEPTED_FORMATS:
                raise ReportError(ReportErrorCode.PHOTO_INVALID,
                                  _("%(photo)s n'est pas une image acceptée (JPEG, PNG, WebP ou GIF).")
                                  % {"photo": label},
                                  details={"name": name, "format": fmt})
            if probe.width * probe.height > MAX_PIXELS:
                raise ReportError(ReportErrorCode.PHOTO_TOO_LARGE, _("%(photo)s a trop de pixels.") % {"photo": label},
                                  details={"name": name}, status_code=413)
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except ReportError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise ReportError(ReportErrorCode.PHOTO_INVALID, _("%(photo)s n'est pas une image lisible.") % {"photo": label},
                          details={"name": name}) from exc
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    content = _encode(image, MAX_SIDE, 85)
    width, height = Image.open(io.BytesIO(content)).size
    return ProcessedPhoto(
        content=content, thumbnail=_encode(image, THUMBNAIL_SIDE, 75), width=width, height=height,
        sha256=hashlib.sha256(content).hexdigest(),
    )
