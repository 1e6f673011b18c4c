"""What a screenshot must show, checked on its pixels: the page fits the screen's width (nothing to scroll sideways
on a phone), and every map on it is drawn (streets, outlines, markers), not a grey or blank square."""

from collections import Counter
from pathlib import Path

from PIL import Image

# A map whose most common colour covers more than this share of its pixels, or that has fewer distinct colours, is
# taken for an empty square: Leaflet's grey background, or a white box where a base layer failed.
MAX_DOMINANT_SHARE = 0.9
MIN_COLOURS = 24

MAP_BOXES = """() => [...document.querySelectorAll('.leaflet-container')].map((element) => {
  const box = element.getBoundingClientRect();
  return {id: element.id, x: box.left + window.scrollX, y: box.top + window.scrollY, width: box.width,
          height: box.height, visible: element.offsetParent !== null};
})"""


def map_colours(image: Image.Image, box: dict) -> tuple[float, int]:
    """(share of the most common colour, number of distinct colours) in the map's box, on a coarse grid."""
    left, top = max(0, int(box["x"])), max(0, int(box["y"]))
    right, bottom = min(image.width, int(box["x"] + box["width"])), min(image.height, int(box["y"] + box["height"]))
    crop = image.crop((left, top, right, bottom)).convert("RGB")
    crop.thumbnail((200, 200))  # enough pixels to count colours, few enough to stay fast
    counts = Counter(crop.get_flattened_data())
    total = sum(counts.values())
    return counts.most_common(1)[0][1] / total, len(counts)


MAPS_DRAWN = """() => [...document.querySelectorAll('.leaflet-container')]
  .filter((element) => element.offsetParent !== null)
  .every((element) => element.dataset.basemap === 'tiles' || element.dataset.basemapRoads !== undefined)"""


def assert_screenshot(page, path: Path, where: str) -> None:
    """Take a full-page screenshot of `page` into `path` once its maps have drawn their base, then check it: as wide
    as the viewport, and no map an empty square."""
    page.wait_for_function(MAPS_DRAWN, timeout=15000)
    page.wait_for_timeout(300)  # the roads fetched are painted on the next frames
    page.screenshot(path=str(path), full_page=True)
    width = page.viewport_size["width"]
    with Image.open(path) as image:
        image.load()
    assert image.width <= width, f"{where}: the page is {image.width} px wide on a {width} px screen"
    for box in page.evaluate(MAP_BOXES):
        if not box["visible"] or box["width"] < 40 or box["height"] < 40:
            continue
        dominant, colours = map_colours(image, box)
        assert dominant <= MAX_DOMINANT_SHARE and colours >= MIN_COLOURS, \
            f"{where}: map #{box['id']} looks empty ({dominant:.0%} of one colour, {colours} colours)"
