"""Photos of reports: type, size and pixel count checked from the header, decoded a few at a time, re-encoded as
JPEG with nothing but the pixels (no EXIF, no XMP, no comment, no ICC profile)."""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from confiance.reports.errors import ReportError, ReportErrorCode

T = TypeVar("T")
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
MAX_SIDE = 2048
THUMBNAIL_SIDE = 320
# About 16 MP: a 4928 x 3264 camera photo passes; decoding one costs at most ~64 MB (RGBA).
MAX_PIXELS = 16_000_000
# A file that declares many pixels for few bytes (a "decompression bomb": 7000 x 7000 in 143 KB) is refused before
# decoding; photos are 1 to 10 pixels per byte. Images under SMALL_PIXELS are cheap to decode whatever their size.
MAX_PIXELS_PER_BYTE = 100
SMALL_PIXELS = 1_000_000
_decode_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()


def _slots() -> threading.BoundedSemaphore:
    """At most CONFIANCE_PHOTO_DECODES photos decoded at once in this process."""
    global _decode_slots
    with _slots_lock:
        if _decode_slots is None:
            _decode_slots = threading.BoundedSemaphore(settings.CONFIANCE_PHOTO_DECODES)
        return _decode_slots


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
    # A new image holds the pixels only: Pillow would write the source's comment (and XMP) kept in `info`.
    pristine = Image.new(copy.mode, copy.size)
    pristine.paste(copy)
    out = io.BytesIO()
    pristine.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _too_large(label: str, name: str, width: int, height: int) -> ReportError:
    return ReportError(ReportErrorCode.PHOTO_TOO_LARGE,
                       _("%(photo)s a trop de pixels (%(width)s x %(height)s ; au plus %(max)s millions).")
                       % {"photo": label, "width": width, "height": height, "max": MAX_PIXELS // 1_000_000},
                       details={"name": name, "width": width, "height": height, "max_pixels": MAX_PIXELS},
                       status_code=413)


def photo_process(data: bytes, *, name: str = "") -> ProcessedPhoto:
    """Check an uploaded image from its bytes and re-encode it; raise ReportError with a translated message."""
    limit = settings.CONFIANCE_REPORT_PHOTO_MAX_BYTES
    label = name or _("la photo")
    if len(data) > limit:
        raise ReportError(ReportErrorCode.PHOTO_TOO_LARGE,
                          _("%(photo)s dépasse la taille maximale (%(max)s Mo).")
                          % {"photo": label, "max": limit // (1024 * 1024)},
                          details={"name": name, "size": len(data), "max": limit}, status_code=413)
    # The header only: a bomb is refused before a pixel is decoded or a decoding slot is taken.
    image = _guarded(lambda: _opened(data, label=label, name=name), label=label, name=name)
    slots = _slots()
    if not slots.acquire(timeout=settings.CONFIANCE_PHOTO_DECODE_WAIT_SECONDS):
        raise ReportError(ReportErrorCode.PHOTO_BUSY,
                          _("Trop de photos en cours de traitement : réessayez dans un instant."),
                          details={"name": name}, status_code=503)
    try:
        _guarded(image.load, label=label, name=name)
        if image.width * image.height > MAX_PIXELS:  # the decoder's size, should a header have lied
            raise _too_large(label, name, image.width, image.height)
        return _processed(image)
    finally:
        slots.release()


def _guarded(step: Callable[[], T], *, label: str, name: str) -> T:
    """Run a step of Pillow, its failures (and bomb warnings) turned into a ReportError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return step()
    except ReportError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise ReportError(ReportErrorCode.PHOTO_INVALID, _("%(photo)s n'est pas une image lisible.") % {"photo": label},
                          details={"name": name}) from exc


def _opened(data: bytes, *, label: str, name: str) -> Image.Image:
    """The image, its header checked (format, pixels, pixels per byte) before any pixel is decoded."""
    probe = Image.open(io.BytesIO(data))  # reads the header only
    if probe.format not in ACCEPTED_FORMATS:
        raise ReportError(ReportErrorCode.PHOTO_INVALID,
                          _("%(photo)s n'est pas une image acceptée (JPEG, PNG, WebP ou GIF).") % {"photo": label},
                          details={"name": name, "format": probe.format})
    width, height = probe.size
    pixels = width * height
    if pixels > MAX_PIXELS:
        raise _too_large(label, name, width, height)
    if pixels > SMALL_PIXELS and pixels > MAX_PIXELS_PER_BYTE * len(data):
        raise ReportError(ReportErrorCode.PHOTO_INVALID,
                          _("%(photo)s déclare %(width)s x %(height)s pixels pour %(size)s octets : ce n'est pas "
                            "une photo.") % {"photo": label, "width": width, "height": height, "size": len(data)},
                          details={"name": name, "width": width, "height": height, "size": len(data)})
    probe.verify()
    return Image.open(io.BytesIO(data))


def _processed(image: Image.Image) -> ProcessedPhoto:
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
