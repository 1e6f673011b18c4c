"""Photo bounds: pixels and pixels per byte checked from the header, a bounded decoding pool, no metadata kept."""

import io
import threading
import time

import pytest
from PIL import Image

from confiance.reports import photos
from confiance.reports.errors import ReportError, ReportErrorCode
from confiance.reports.photos import MAX_PIXELS, photo_process


def png(size, colour=(255, 255, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG", optimize=True)
    return out.getvalue()


def noisy_jpeg(size) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(out, format="JPEG", quality=90)
    return out.getvalue()


def test_the_7000_pixel_bomb_is_refused_from_its_header_without_decoding():
    bomb = png((7000, 7000))
    assert len(bomb) < 200_000  # 49 million pixels in a few hundred kilobytes
    started = time.perf_counter()
    for _ in range(3):
        with pytest.raises(ReportError) as refused:
            photo_process(bomb, name="bombe.png")
        assert refused.value.code == ReportErrorCode.PHOTO_TOO_LARGE and refused.value.status_code == 413
    assert time.perf_counter() - started < 1.0  # decoding one took seconds and 150 MB


def test_pixels_per_byte_ratio_refuses_a_small_file_declaring_many_pixels():
    flat = png((3000, 3000))  # 9 MP, under the pixel cap, but a few kilobytes
    assert MAX_PIXELS >= 3000 * 3000 and photos.MAX_PIXELS_PER_BYTE * len(flat) < 3000 * 3000
    with pytest.raises(ReportError) as refused:
        photo_process(flat, name="plat.png")
    assert refused.value.code == ReportErrorCode.PHOTO_INVALID and "octets" in refused.value.message


def test_real_photos_and_small_flat_images_pass():
    assert photo_process(noisy_jpeg((1600, 1200))).width == 1600
    assert photo_process(png((800, 600))).width == 800  # under 1 MP: cheap whatever its size


def test_exif_xmp_and_comment_are_all_stripped():
    image = Image.effect_noise((120, 80), 50).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"
    exif[0x8825] = {2: (48.0, 33.0, 0.0)}
    out = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">SecretXmpAuthor</x:xmpmeta>'
    image.save(out, format="JPEG", exif=exif, comment=b"SecretJpegComment", xmp=xmp)
    original = out.getvalue()
    opened = Image.open(io.BytesIO(original))
    assert opened.info.get("comment") == b"SecretJpegComment" and b"SecretXmpAuthor" in original
    processed = photo_process(original)
    for content in (processed.content, processed.thumbnail):
        for secret in (b"SecretCameraMaker", b"SecretJpegComment", b"SecretXmpAuthor", b"Exif", b"http://ns.adobe"):
            assert secret not in content
        info = Image.open(io.BytesIO(content)).info
        assert "comment" not in info and "xmp" not in info and "exif" not in info and "icc_profile" not in info


def test_decodes_are_bounded_per_process(settings, monkeypatch):
    settings.CONFIANCE_PHOTO_DECODES = 1
    settings.CONFIANCE_PHOTO_DECODE_WAIT_SECONDS = 1
    monkeypatch.setattr(photos, "_decode_slots", None)  # rebuilt from the settings
    slots = photos._slots()
    assert slots.acquire(timeout=1)  # another request is decoding
    try:
        started = time.perf_counter()
        with pytest.raises(ReportError) as busy:
            photo_process(noisy_jpeg((200, 100)))
        assert busy.value.code == ReportErrorCode.PHOTO_BUSY and time.perf_counter() - started >= 0.9
        bomb = png((7000, 7000))
        with pytest.raises(ReportError) as refused:  # refused from the header: no slot needed
            photo_process(bomb)
        assert refused.value.code == ReportErrorCode.PHOTO_TOO_LARGE
    finally:
        slots.release()
    results = []
    threads = [threading.Thread(target=lambda: results.append(photo_process(noisy_jpeg((300, 200))).width))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [300, 300, 300]  # they waited their turn, one at a time
    monkeypatch.setattr(photos, "_decode_slots", None)
