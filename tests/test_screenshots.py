"""The screenshot checker of the browser tests tells a grey map square from a drawn one, on synthetic images."""

import random

from PIL import Image, ImageDraw

from tests.screenshots import MAX_DOMINANT_SHARE, MIN_COLOURS, map_colours

BOX = {"x": 50, "y": 40, "width": 300, "height": 200}


def page_with(draw_map) -> Image.Image:
    image = Image.new("RGB", (400, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 400, 30), fill="#1f3a5f")  # a header outside the map box: not counted
    draw_map(draw)
    return image


def looks_drawn(image: Image.Image) -> bool:
    dominant, colours = map_colours(image, BOX)
    return dominant <= MAX_DOMINANT_SHARE and colours >= MIN_COLOURS


def test_leaflet_grey_square_is_empty():
    image = page_with(lambda draw: draw.rectangle((50, 40, 350, 240), fill="#dddddd"))
    assert not looks_drawn(image)


def test_grey_square_with_zoom_buttons_and_attribution_is_still_empty():
    def grey(draw):
        draw.rectangle((50, 40, 350, 240), fill="#dddddd")
        draw.rectangle((60, 50, 90, 110), fill="white", outline="#aaaaaa")
        draw.text((200, 228), "Leaflet", fill="#333333")
    assert not looks_drawn(page_with(grey))


def test_streets_and_outlines_are_drawn():
    rng = random.Random(4)

    def streets(draw):
        draw.rectangle((50, 40, 350, 240), fill="#f2efe9")
        for _ in range(60):
            start = (rng.randint(50, 350), rng.randint(40, 240))
            end = (rng.randint(50, 350), rng.randint(40, 240))
            width = rng.choice((2, 3, 5))
            draw.line((start, end), fill="#b9b1a2", width=width + 2)
            draw.line((start, end), fill=rng.choice(("#ffffff", "#fde9a8", "#f7c48b")), width=width)
        draw.polygon([(70, 60), (300, 70), (320, 220), (90, 200)], outline="#7a5a9a")
    assert looks_drawn(page_with(streets))
