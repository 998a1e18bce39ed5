"""The demo's product pictures, drawn with Pillow: a garment silhouette in the garment's colour on
a light background, so the demo looks like a shop without downloading anything.

A handful of shapes cover the catalogue (`SHAPES`): tops (jackets, softshell, fleece, T-shirts,
polos, sweaters, hoodies, shirts, vests, parkas; with or without sleeves, hood, collar, zip,
pockets, quilting, checks), bottoms (trousers and shorts, with knee and holster pockets), footwear
(shoe, boot, winter boot, rubber boot), gloves, helmet, beanie, ear defenders and glasses. Hi-vis
garments get grey reflective bands. Tops and bottoms are drawn from the front and the back.

`picture_draw(garment, colour_hex, view)` gives the PNG bytes of one picture (SIZE × SIZE); it
is deterministic, so the bytes may be cached by what they are drawn from (`picture_key`). Where
the pictures are kept and attached to products: kvote.demo.picture_store.
"""

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageChops, ImageDraw, ImageFilter

# Bump when a drawing changes, so cached pictures are drawn again.
DRAWING_VERSION = 3
SIZE = 800  # the picture's side in pixels (a square, as the catalogue's picture boxes)
SUPERSAMPLE = 2  # drawn this many times larger, then scaled down: smooth edges

FRONT, BACK = "front", "back"
BACKGROUND_TOP = (246, 245, 242)
BACKGROUND_BOTTOM = (233, 231, 226)
REFLECTIVE = (200, 205, 211)
REFLECTIVE_SHINE = (232, 235, 238)

RGB = tuple[int, int, int]
Point = tuple[float, float]


@dataclass(frozen=True)
class Garment:
    """What to draw: a shape and its details (each shape reads the ones it knows)."""

    shape: str  # top, bottom, shoe, glove, helmet, beanie, ear_defenders, glasses
    sleeves: str = "long"  # top: long, short, none
    hem: float = 84  # top: where the hem is (0-100 from the top of the picture)
    collar: str = "crew"  # top: crew, polo, shirt, stand, hood
    zip: bool = False
    pockets: tuple[str, ...] = ()  # top: chest, side, kangaroo; bottom: knee, holster
    hivis: bool = False
    quilted: bool = False
    checked: bool = False
    rib: bool = False  # top: ribbed hem and cuffs
    short: bool = False  # bottom: shorts
    height: str = "low"  # shoe: low, boot, winter, rubber

    @property
    def views(self) -> tuple[str, ...]:
        return (FRONT, BACK) if self.shape in {"top", "bottom"} else (FRONT,)


JACKET = Garment("top", collar="stand", zip=True, pockets=("side", "chest"))
SHAPES: dict[str, Garment] = {
    # Jackets
    "AAPW-1001": Garment("top", collar="hood", zip=True, pockets=("side", "chest"), quilted=True),
    "AAPW-1002": Garment("top", collar="stand", zip=True, pockets=("side",)),
    "AAPW-1003": Garment("top", collar="hood", zip=True, pockets=("side",), hem=86),
    "AAPW-1004": Garment("top", collar="stand", zip=True, pockets=("side",), rib=True),
    "AAPW-1005": JACKET,
    "AAPW-1006": Garment("top", sleeves="none", collar="stand", zip=True, quilted=True,
                         pockets=("side",)),
    # Trousers
    "AAPW-1101": Garment("bottom", pockets=("knee", "holster")),
    "AAPW-1102": Garment("bottom"),
    "AAPW-1103": Garment("bottom", pockets=("knee",)),
    "AAPW-1104": Garment("bottom", short=True, pockets=("holster",)),
    "AAPW-1105": Garment("bottom"),
    "AAPW-1106": Garment("bottom", pockets=("knee",)),
    # Tops
    "AAPW-1201": Garment("top", sleeves="short", hem=80),
    "AAPW-1202": Garment("top", sleeves="short", hem=80, collar="polo"),
    "AAPW-1203": Garment("top", collar="crew", rib=True, hem=82),
    "AAPW-1204": Garment("top", collar="hood", zip=True, rib=True, hem=82, pockets=("kangaroo",)),
    "AAPW-1205": Garment("top", collar="shirt", checked=True, hem=84, pockets=("chest",)),
    "AAPW-1206": Garment("top", collar="crew", hem=82),
    # Hi-vis
    "AAPW-1301": Garment("top", sleeves="none", collar="crew", hivis=True, hem=80),
    "AAPW-1302": Garment("top", collar="stand", zip=True, hivis=True, pockets=("chest",)),
    "AAPW-1303": Garment("top", sleeves="short", hivis=True, hem=80),
    "AAPW-1304": Garment("bottom", hivis=True, pockets=("knee",)),
    "AAPW-1305": Garment("top", collar="hood", zip=True, hivis=True, hem=92, pockets=("side",)),
    # Footwear
    "AAPW-1401": Garment("shoe", height="low"),
    "AAPW-1402": Garment("shoe", height="boot"),
    "AAPW-1403": Garment("shoe", height="winter"),
    "AAPW-1404": Garment("shoe", height="rubber"),
    # Protective equipment
    "AAPW-1501": Garment("glove", quilted=True),
    "AAPW-1502": Garment("glove", rib=True),
    "AAPW-1503": Garment("glove", checked=True),
    "AAPW-1504": Garment("helmet"),
    "AAPW-1505": Garment("ear_defenders"),
    "AAPW-1506": Garment("glasses"),
    "AAPW-1507": Garment("beanie", hivis=True),
}  # fmt: skip


def picture_key(garment: Garment, colour_hex: str, view: str) -> str:
    """What a drawing is made from, as a short digest (the cache's name for it)."""
    made_of = f"{DRAWING_VERSION}|{SIZE}|{garment!r}|{colour_hex.lower()}|{view}"
    return hashlib.sha256(made_of.encode()).hexdigest()[:20]


def picture_image(garment: Garment, colour_hex: str, view: str = FRONT) -> Image.Image:
    """One picture of `garment` in `colour_hex` seen from `view` (RGB, SIZE × SIZE)."""
    painter = _Painter(_rgb(colour_hex))
    DRAWERS[garment.shape](painter, garment, view)
    return painter.finish()


def picture_draw(garment: Garment, colour_hex: str, view: str = FRONT) -> bytes:
    """The same as PNG bytes."""
    out = BytesIO()
    picture_image(garment, colour_hex, view).save(out, "PNG", compress_level=1)
    return out.getvalue()


# Colours --------------------------------------------------------------------------------------


def _rgb(colour_hex: str) -> RGB:
    text = colour_hex.lstrip("#")
    if len(text) != 6:
        return (107, 114, 128)
    return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))


def mix(a: RGB, b: RGB, share: float) -> RGB:
    """`a` with `share` of `b` mixed in."""
    return (
        round(a[0] + (b[0] - a[0]) * share),
        round(a[1] + (b[1] - a[1]) * share),
        round(a[2] + (b[2] - a[2]) * share),
    )


def lightness(colour: RGB) -> float:
    return (0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]) / 255


WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)


# The painter ----------------------------------------------------------------------------------


class _Painter:
    """Draws in units of 0–100 on a supersampled canvas; remembers the garment's outline (a
    mask) for the shading, the checks and the shadow."""

    def __init__(self, fill: RGB) -> None:
        self.px = SIZE * SUPERSAMPLE
        self.scale = self.px / 100
        self.fill = fill
        dark = lightness(fill) < 0.32
        # Seams and details: lighter on dark cloth, darker on light cloth.
        self.detail = mix(fill, WHITE, 0.26) if dark else mix(fill, BLACK, 0.28)
        self.inner = mix(fill, BLACK, 0.45) if not dark else mix(fill, WHITE, 0.10)
        self.line = mix(fill, BLACK, 0.55) if lightness(fill) > 0.2 else (8, 8, 8)
        self.width = max(2, round(0.45 * self.scale))
        self.canvas = _layers().background.copy()
        self.draw = ImageDraw.Draw(self.canvas)
        self.mask = Image.new("L", (self.px, self.px), 0)
        self.mask_draw = ImageDraw.Draw(self.mask)
        self.shadow_box: tuple[float, float, float, float] | None = None

    def p(self, points: Sequence[Point]) -> list[tuple[float, float]]:
        return [(x * self.scale, y * self.scale) for x, y in points]

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (x0 * self.scale, y0 * self.scale, x1 * self.scale, y1 * self.scale)

    def shadow(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.shadow_box = (x0, y0, x1, y1)

    def polygon(
        self, points: Sequence[Point], fill: RGB | None = None, *, body: bool = True
    ) -> None:
        pts = self.p(points)
        self.draw.polygon(pts, fill=fill or self.fill, outline=self.line, width=self.width)
        if body:
            self.mask_draw.polygon(pts, fill=255)

    def rounded(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        radius: float,
        fill: RGB | None = None,
        *,
        body: bool = True,
        outline: bool = True,
    ) -> None:
        box = self.box(x0, y0, x1, y1)
        r = radius * self.scale
        self.draw.rounded_rectangle(
            box,
            r,
            fill=fill or self.fill,
            outline=self.line if outline else None,
            width=self.width,
        )
        if body:
            self.mask_draw.rounded_rectangle(box, r, fill=255)

    def ellipse(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        fill: RGB | None = None,
        *,
        body: bool = True,
    ) -> None:
        box = self.box(x0, y0, x1, y1)
        self.draw.ellipse(box, fill=fill or self.fill, outline=self.line, width=self.width)
        if body:
            self.mask_draw.ellipse(box, fill=255)

    def chord(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        start: float,
        end: float,
        fill: RGB | None = None,
    ) -> None:
        box = self.box(x0, y0, x1, y1)
        self.draw.chord(
            box, start, end, fill=fill or self.fill, outline=self.line, width=self.width
        )
        self.mask_draw.chord(box, start, end, fill=255)

    def lines(self, points: Sequence[Point], colour: RGB | None = None, width: float = 0.4) -> None:
        self.draw.line(
            self.p(points), fill=colour or self.detail, width=max(1, round(width * self.scale)),
            joint="curve",
        )  # fmt: skip

    def stitches(self, start: Point, end: Point, colour: RGB | None = None) -> None:
        """A dashed seam from `start` to `end`."""
        (x0, y0), (x1, y1) = start, end
        length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        steps = max(1, int(length / 1.6))
        for n in range(0, steps, 2):
            a, b = n / steps, min(1.0, (n + 1) / steps)
            self.lines([_lerp(start, end, a), _lerp(start, end, b)], colour, 0.25)

    def dot(self, x: float, y: float, radius: float, colour: RGB) -> None:
        self.draw.ellipse(self.box(x - radius, y - radius, x + radius, y + radius), fill=colour)

    def checks(self, colour: RGB, every: float = 6.0, width: float = 1.2) -> None:
        """A checked pattern over what is drawn so far (the flannel shirt)."""
        layer = Image.new("RGB", (self.px, self.px), colour)
        stripes = Image.new("L", (self.px, self.px), 0)
        draw = ImageDraw.Draw(stripes)
        step, w = every * self.scale, width * self.scale
        position = 0.0
        while position < self.px:
            draw.rectangle((position, 0, position + w, self.px), fill=120)
            draw.rectangle((0, position, self.px, position + w), fill=120)
            draw.rectangle((position + step / 2, 0, position + step / 2 + w / 3, self.px), fill=70)
            position += step
        self.canvas.paste(layer, mask=ImageChops.multiply(stripes, self.mask))

    def finish(self) -> Image.Image:
        """Shade the garment (light from the left), lay its shadow, scale down."""
        layers = _layers()
        self.canvas.paste(layers.white, mask=ImageChops.multiply(layers.light, self.mask))
        self.canvas.paste(layers.black, mask=ImageChops.multiply(layers.dark, self.mask))
        picture = self.canvas.reduce(SUPERSAMPLE)
        if self.shadow_box is not None:
            picture = _with_shadow(picture, self.mask.reduce(SUPERSAMPLE), self.shadow_box)
        return picture


@dataclass(frozen=True)
class _Layers:
    """What every drawing starts from, made once per process."""

    background: Image.Image
    light: Image.Image  # how much white to lay over the garment, from the left
    dark: Image.Image  # how much black, from the right
    white: Image.Image
    black: Image.Image


@functools.cache
def _layers() -> _Layers:
    px = SIZE * SUPERSAMPLE
    down = Image.linear_gradient("L").resize((px, px))
    across = down.rotate(90)  # 255 on the left, 0 on the right
    background = Image.composite(
        Image.new("RGB", (px, px), BACKGROUND_BOTTOM),
        Image.new("RGB", (px, px), BACKGROUND_TOP),
        down,
    )
    return _Layers(
        background=background,
        light=across.point(lambda v: round(v * 0.16)),
        dark=across.point(lambda v: round((255 - v) * 0.20)),
        white=Image.new("RGB", (px, px), WHITE),
        black=Image.new("RGB", (px, px), BLACK),
    )


def _with_shadow(
    picture: Image.Image, mask: Image.Image, box: tuple[float, float, float, float]
) -> Image.Image:
    """A soft shadow on the floor under the garment (an ellipse, blurred small and scaled up),
    kept out from under the garment itself."""
    small = 100
    shadow = Image.new("L", (small, small), 0)
    ImageDraw.Draw(shadow).ellipse(box, fill=70)
    shadow = shadow.filter(ImageFilter.GaussianBlur(2.2)).resize((SIZE, SIZE))
    shadow = ImageChops.subtract(shadow, mask)
    base = Image.new("RGB", (SIZE, SIZE), (120, 116, 108))
    picture.paste(base, mask=shadow)
    return picture


# Tops -----------------------------------------------------------------------------------------


def _edge_x(top: Point, bottom: Point, y: float) -> float:
    (x0, y0), (x1, y1) = top, bottom
    return x0 + (x1 - x0) * (y - y0) / (y1 - y0)


def _lerp(a: Point, b: Point, t: float) -> Point:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def _curve(a: Point, control: Point, b: Point, steps: int = 10) -> list[Point]:
    """A quadratic Bézier curve from `a` to `b`."""
    points = []
    for n in range(steps + 1):
        t = n / steps
        points.append(_lerp(_lerp(a, control, t), _lerp(control, b, t), t))
    return points


def _mirror(points: Sequence[Point]) -> list[Point]:
    return [(100 - x, y) for x, y in points]


def _band(
    pt: _Painter, left: tuple[Point, Point], right: tuple[Point, Point], y0: float, y1: float
) -> None:
    """A reflective band from y0 to y1 between two edges (each given by two points)."""
    quad = [
        (_edge_x(*left, y0), y0),
        (_edge_x(*right, y0), y0),
        (_edge_x(*right, y1), y1),
        (_edge_x(*left, y1), y1),
    ]
    pt.polygon(quad, REFLECTIVE, body=False)
    middle = (y0 + y1) / 2
    pt.lines(
        [(_edge_x(*left, middle) + 0.6, middle), (_edge_x(*right, middle) - 0.6, middle)],
        REFLECTIVE_SHINE,
        0.5,
    )


def _sleeve_band(pt: _Painter, outer: tuple[Point, Point], inner: tuple[Point, Point]) -> None:
    for t0, t1 in ((0.62, 0.70), (0.78, 0.86)):
        quad = [
            _lerp(*outer, t0),
            _lerp(*inner, t0 - 0.05),
            _lerp(*inner, t1 - 0.05),
            _lerp(*outer, t1),
        ]
        pt.polygon(quad, REFLECTIVE, body=False)


def draw_top(pt: _Painter, g: Garment, view: str) -> None:
    front = view == FRONT
    hem = g.hem
    neck_l, neck_r = (41.5, 17.0), (58.5, 17.0)
    shoulder = (29.0, 21.0) if g.sleeves != "none" else (36.0, 18.5)
    armpit = (31.0, 41.0)
    hem_l = (31.0 if g.sleeves != "none" else 31.5, hem)
    pt.shadow(24, hem - 2.5, 76, hem + 5)

    if g.collar == "hood":
        # Behind the body: the hood, lying on the shoulders (from the back it covers the neck).
        if front:
            pt.ellipse(37.5, 4.5, 62.5, 27)
        else:
            pt.ellipse(35.5, 3.5, 64.5, 33)
            pt.lines([(50, 5), (50, 32.5)], pt.detail, 0.35)

    # The sleeves, under the body.
    sleeve_outer: tuple[Point, Point] = ((29.0, 21.0), (16.0, 66.0))
    sleeve_inner: tuple[Point, Point] = ((31.5, 40.0), (25.0, 68.5))
    if g.sleeves == "long":
        for side in (lambda ps: list(ps), _mirror):
            (a, b), (c, d) = sleeve_outer, sleeve_inner
            pt.polygon(side([a, b, d, c]))
            if g.rib or g.quilted or g.hivis is False:
                cuff = side([_lerp(a, b, 0.91), b, d, _lerp(c, d, 0.87)])
                pt.polygon(cuff, mix(pt.fill, BLACK, 0.08) if g.rib else None)
                if g.rib:
                    for t in (0.2, 0.4, 0.6, 0.8):
                        pt.lines(side([_lerp(cuff[0], cuff[1], t), _lerp(cuff[3], cuff[2], t)]),
                                 pt.detail, 0.2)  # fmt: skip
            if g.hivis:
                outer, inner = (side([a, b]), side([c, d]))
                _sleeve_band(pt, (outer[0], outer[1]), (inner[0], inner[1]))
            seam_top, seam_end = side([_lerp(a, c, 0.5), _lerp(b, d, 0.5)])
            pt.stitches(seam_top, seam_end)
    elif g.sleeves == "short":
        for side in (lambda ps: list(ps), _mirror):
            sleeve = side([(29.0, 21.0), (19.5, 40.5), (28.5, 45.0), (31.5, 36.0)])
            pt.polygon(sleeve)
            pt.lines(side([(20.6, 38.3), (29.4, 42.6)]), pt.detail, 0.3)
            if g.hivis:
                pt.polygon(side([(21.3, 36.8), (29.9, 41.1), (30.3, 39.1), (22.2, 35.0)]),
                           REFLECTIVE, body=False)  # fmt: skip

    # The body.
    neckline = (
        _curve(neck_r, (50, 26 if g.collar in {"crew", "polo"} else 22), neck_l)
        if front
        else _curve(neck_r, (50, 19.5), neck_l)
    )
    if g.sleeves == "none":
        armhole = _curve(shoulder, (37.5, 33), (31.0, 42.0))
        left = [neck_l, *armhole, hem_l]
    else:
        left = [neck_l, shoulder, armpit, hem_l]
    right = _mirror(left)[::-1]
    body = [*left, *right, *neckline]
    pt.polygon(body)

    # Inside of the neck (seen over the front neckline).
    if g.collar in {"crew", "polo", "shirt"} or (g.collar == "hood" and front):
        back_neck = _curve(neck_l, (50, 19), neck_r)
        pt.polygon([*back_neck, *neckline], pt.inner, body=False)

    if g.checked:
        pt.checks(mix(pt.fill, BLACK, 0.45))

    if g.quilted:
        top_y = 30 if g.collar != "hood" else 32
        for y in range(int(top_y), int(hem - 3), 7):
            x_l = (
                31.3 if y > armpit[1] else max(_edge_x(shoulder, armpit, max(y, shoulder[1])), 31.0)
            )
            pt.stitches((x_l + 0.8, y), (100 - x_l - 0.8, y))

    if g.hivis:
        edge_l = (armpit, hem_l)
        edge_r = ((100 - armpit[0], armpit[1]), (100 - hem_l[0], hem_l[1]))
        for y0 in (hem - 22, hem - 12):
            _band(pt, edge_l, edge_r, y0, y0 + 4)
        if g.sleeves != "short":
            # Braces over the shoulders, front and back.
            for x in (39.5, 56.5):
                pt.polygon([(x, 17.4), (x + 4, 17.4), (x + 4, hem - 22), (x, hem - 22)],
                           REFLECTIVE, body=False)  # fmt: skip
                pt.lines([(x + 2, 18.5), (x + 2, hem - 23)], REFLECTIVE_SHINE, 0.5)

    if g.rib:
        rib_top = (_edge_x(armpit, hem_l, hem - 4.5), hem - 4.5)
        band = [rib_top, hem_l, (100 - hem_l[0], hem), (100 - rib_top[0], rib_top[1])]
        pt.polygon(band, mix(pt.fill, BLACK, 0.08), body=False)
        for n in range(1, 24):
            x = band[1][0] + (band[2][0] - band[1][0]) * n / 24
            pt.lines([(x, hem - 4.2), (x, hem - 0.4)], pt.detail, 0.18)
    else:
        pt.stitches((hem_l[0] + 1, hem - 2), (100 - hem_l[0] - 1, hem - 2))

    _collar(pt, g, front, neck_l, neck_r, neckline)
    if front:
        _front_details(pt, g, hem)
    else:
        # Yoke seam across the back, and a hanging loop.
        if g.collar != "hood":
            pt.stitches((33, 29), (67, 29))
        if g.hivis:
            pt.polygon([(33, 27), (67, 27), (67, 31), (33, 31)], REFLECTIVE, body=False)


def _collar(
    pt: _Painter,
    g: Garment,
    front: bool,
    neck_l: Point,
    neck_r: Point,
    neckline: list[Point],
) -> None:
    if g.collar == "crew":
        pt.lines(neckline, mix(pt.fill, BLACK, 0.15), 1.6)
        pt.lines([(x, y + 0.9) for x, y in neckline], pt.detail, 0.2)
    elif g.collar == "stand":
        top_l, top_r = (40.5, 12.0), (59.5, 12.0)
        if front:
            pt.polygon([top_l, top_r, neck_r, (50, 22), neck_l])
            pt.polygon([top_l, top_r, (58.6, 14.2), (41.4, 14.2)], pt.inner, body=False)
        else:
            pt.polygon([top_l, top_r, (59.2, 18.5), (40.8, 18.5)])
            pt.stitches((41, 15.5), (59, 15.5))
    elif g.collar in {"polo", "shirt"}:
        for side in (lambda ps: list(ps), _mirror):
            if front:
                pt.polygon(side([(41.0, 15.5), (50.0, 21.5), (45.0, 28.5), (38.5, 19.0)]))
            else:
                pt.polygon(side([(41.0, 15.5), (50.0, 15.5), (50.0, 21.0), (39.0, 20.5)]))
    elif g.collar == "hood" and front:
        # The hood's drawcords.
        for x in (46.5, 53.5):
            pt.lines([(x, 21), (x, 33)], pt.detail, 0.55)
            pt.dot(x, 33.3, 0.8, pt.detail)


def _front_details(pt: _Painter, g: Garment, hem: float) -> None:
    top = 12.5 if g.collar == "stand" else 22.0
    if g.zip:
        tape = mix(pt.fill, BLACK, 0.3) if lightness(pt.fill) > 0.3 else mix(pt.fill, WHITE, 0.3)
        pt.lines([(50, top), (50, hem - 0.3)], tape, 0.9)
        pt.rounded(49.2, top + 1.0, 50.8, top + 4.5, 0.5, (160, 163, 168), body=False)
    if g.collar == "polo":
        pt.lines([(48.2, 22), (48.2, 34), (51.8, 34), (51.8, 22)], pt.detail, 0.25)
        for y in (25, 29, 33):
            pt.dot(50, y - 0.5, 0.7, pt.detail)
    if g.collar == "shirt":
        pt.lines([(50, 24), (50, hem)], pt.detail, 0.25)
        for y in range(26, int(hem) - 2, 8):
            pt.dot(51.3, y, 0.75, mix(pt.fill, WHITE, 0.6))
    if "chest" in g.pockets:
        x0 = 55.5 if g.zip or g.collar == "shirt" else 55.0
        pt.rounded(x0, 29, x0 + 8.5, 39, 0.8, mix(pt.fill, BLACK, 0.04), body=False)
        pt.polygon([(x0, 29), (x0 + 8.5, 29), (x0 + 8.5, 32.5), (x0, 32.5)], body=False)
    if "side" in g.pockets:
        top_y = hem - 22
        for side in (lambda ps: list(ps), _mirror):
            pt.lines(side([(35.5, top_y), (38.5, top_y + 11)]), mix(pt.fill, BLACK, 0.35), 0.7)
            if g.zip and not g.hivis:
                start, end = side([(36.5, top_y), (39.5, top_y + 11)])
                pt.stitches(start, end)
    if "kangaroo" in g.pockets:
        top_y = hem - 21
        pocket = [(38.0, top_y), (62.0, top_y), (65.0, hem - 6), (35.0, hem - 6)]
        pt.lines([*pocket, pocket[0]], pt.detail, 0.3)


# Bottoms --------------------------------------------------------------------------------------


def draw_bottom(pt: _Painter, g: Garment, view: str) -> None:
    front = view == FRONT
    foot = 57.0 if g.short else 93.0
    waist_l, waist_r = (33.5, 19.5), (66.5, 19.5)
    outer_l = (waist_l, (31.0 if not g.short else 31.5, foot))
    inner_l = ((50.0, 42.0), (47.0 if not g.short else 47.8, foot))
    outer_r = ((100 - outer_l[0][0], outer_l[0][1]), (100 - outer_l[1][0], foot))
    inner_r = ((100 - inner_l[0][0], inner_l[0][1]), (100 - inner_l[1][0], foot))
    pt.shadow(22, foot - 2, 78, foot + 4)
    pt.polygon([waist_l, waist_r, outer_r[1], inner_r[1], (50, 42), inner_l[1], outer_l[1]])
    # The waistband and its belt loops.
    pt.polygon([(33.5, 13.5), (66.5, 13.5), (66.6, 19.8), (33.4, 19.8)])
    for x in (36, 44, 56, 64):
        pt.rounded(x - 0.8, 12.8, x + 0.8, 20.6, 0.3, mix(pt.fill, BLACK, 0.1), body=False)
    # Hems.
    for outer, inner in ((outer_l, inner_l), (outer_r, inner_r)):
        y = foot - 3
        pt.stitches((_edge_x(*outer, y) + 0.6, y), (_edge_x(*inner, y) - 0.6, y))
    if front:
        pt.lines(_curve((50, 19.8), (50, 34), (53.5, 36)), pt.detail, 0.3)
        pt.dot(50, 16.6, 0.8, (170, 172, 176))
        for side in (lambda ps: list(ps), _mirror):
            pt.lines(side(_curve((36, 19.8), (37, 28), (42.5, 29))), pt.detail, 0.35)
    else:
        pt.lines([(33.6, 26), (50, 31), (66.4, 26)], pt.detail, 0.3)
        for x0 in (36.5, 53.5):
            pt.rounded(x0, 31.5, x0 + 10, 42, 0.8, mix(pt.fill, BLACK, 0.04), body=False)
            pt.lines([(x0, 34.5), (x0 + 10, 34.5)], pt.detail, 0.3)
    if "knee" in g.pockets and not g.short:
        contrast = mix(pt.fill, BLACK, 0.35) if lightness(pt.fill) > 0.2 else (58, 58, 60)
        for outer, inner in ((outer_l, inner_l), (outer_r, inner_r)):
            y0, y1 = 57.0, 70.0
            quad = [
                (_edge_x(*outer, y0) + (0.6 if outer is outer_l else -0.6), y0),
                (_edge_x(*inner, y0) + (-0.8 if outer is outer_l else 0.8), y0),
                (_edge_x(*inner, y1) + (-0.8 if outer is outer_l else 0.8), y1),
                (_edge_x(*outer, y1) + (0.6 if outer is outer_l else -0.6), y1),
            ]
            pt.polygon(quad, contrast, body=False)
            pt.stitches(
                (quad[0][0] + (1 if outer is outer_l else -1), y0 + 1.2),
                (quad[1][0] + (-1 if outer is outer_l else 1), y0 + 1.2),
                mix(contrast, WHITE, 0.3),
            )
    if "holster" in g.pockets and front:
        for side in (lambda ps: list(ps), _mirror):
            pocket = side([(29.5, 21.5), (38.5, 21.5), (39, 37), (31, 38.5)])
            pt.polygon(pocket, mix(pt.fill, BLACK, 0.12), body=False)
            pt.polygon(side([(29.5, 21.5), (38.5, 21.5), (38.7, 26), (29.8, 26)]), body=False)
    if g.hivis:
        for y0 in (foot - 20, foot - 12):
            _band(pt, outer_l, inner_l, y0, y0 + 3.5)
            _band(pt, inner_r, outer_r, y0, y0 + 3.5)


# Footwear, gloves, headwear -------------------------------------------------------------------


def draw_shoe(pt: _Painter, g: Garment, view: str) -> None:
    sole = (62, 62, 64) if lightness(pt.fill) < 0.2 else mix(pt.fill, BLACK, 0.55)
    pt.shadow(14, 76, 90, 84)
    shaft_top = {"low": 50.0, "boot": 26.0, "winter": 24.0, "rubber": 12.0}[g.height]
    front_x = {"low": 41.0, "boot": 44.0, "winter": 45.0, "rubber": 48.0}[g.height]
    toe = [*_curve((80, 61), (86, 63), (86, 71))]
    if g.height == "low":
        upper = [
            (19.5, 71),
            *_curve((19.0, 58), (19.5, 52), (25, 52)),
            *_curve((25, 52), (31, 55), (37, 50)),
            (41.5, 47.5),
            (44, 49.5),
            *_curve((45, 51), (64, 55), (80, 61)),
            *toe,
        ]
    else:
        shaft_front = shaft_top + (36 if g.height == "rubber" else 22)
        upper = [
            (19.5, 71),
            (19.0, shaft_top + 3),
            (21.0, shaft_top),
            (front_x, shaft_top),
            (front_x + 1.5, shaft_top + 4),
            (front_x + 2, shaft_front),
            *_curve((front_x + 2, shaft_front), (front_x + 8, 57), (80, 61)),
            *toe,
        ]
    pt.polygon(upper)
    # The sole, with its tread.
    pt.rounded(16.5, 69.5, 88, 77.5, 3.2, sole)
    pt.lines([(18, 72.5), (86.5, 72.5)], mix(sole, WHITE, 0.25), 0.35)
    for x in range(20, 86, 5):
        pt.rounded(x, 76.8, x + 2.6, 78.6, 0.5, sole, body=False, outline=False)
    if g.height == "rubber":
        pt.rounded(18.2, 10.0, 49.6, 15.5, 1.2, mix(pt.fill, BLACK, 0.2), body=False)
        pt.lines([(19.5, 60), (84, 64)], pt.detail, 0.3)
        return
    # Toe cap and heel counter.
    pt.lines(_curve((70, 57.5), (67, 64), (70, 70)), pt.detail, 0.5)
    pt.lines(_curve((19.2, 58), (27, 59), (29, 70)), pt.detail, 0.35)
    # Laces.
    start = (front_x - 1, shaft_top + 3) if g.height != "low" else (42, 49)
    end = (62, 56)
    hooks = 7 if g.height != "low" else 4
    for n in range(hooks):
        hook_x, hook_y = _lerp(start, end, n / max(1, hooks - 1))
        pt.lines(
            [(hook_x - 2.2, hook_y - 1.4), (hook_x + 2.2, hook_y + 1.4)], (196, 184, 160), 0.55
        )
        pt.dot(hook_x - 2.4, hook_y - 1.6, 0.55, (176, 176, 180))
    if g.height == "winter":
        fur = (236, 229, 214)
        pt.rounded(18.0, shaft_top - 3.5, front_x + 2.5, shaft_top + 4.5, 3, fur, body=False)
        for x in range(20, int(front_x) + 1, 3):
            pt.lines([(x, shaft_top - 2.5), (x + 1, shaft_top + 3.5)], (214, 205, 188), 0.3)
    elif g.height == "boot":
        pt.rounded(18.6, shaft_top - 1, front_x + 1.2, shaft_top + 3.5, 1.6,
                   mix(pt.fill, WHITE, 0.12), body=False)  # fmt: skip


def draw_glove(pt: _Painter, g: Garment, view: str) -> None:
    pt.shadow(30, 90, 70, 96)
    coating = (44, 52, 64)
    cuff_fill = mix(pt.fill, BLACK, 0.25) if g.rib else mix(pt.fill, BLACK, 0.08)
    cuff_top = 68.0 if g.rib else 72.0
    pt.rounded(35.5, cuff_top, 64.5, 93, 2.5, cuff_fill)
    # Thumb: a thick rounded stroke, with the outline under it.
    thumb = [(38.5, 64.0), (31.0, 53.0), (27.5, 45.5)]
    for width, colour in ((10.2, pt.line), (9.0, pt.fill)):
        pt.draw.line(pt.p(thumb), fill=colour, width=round(width * pt.scale), joint="curve")
        x, y = thumb[-1]
        r = width / 2
        pt.draw.ellipse(pt.box(x - r, y - r, x + r, y + r), fill=colour)
    pt.mask_draw.line(pt.p(thumb), fill=255, width=round(10.2 * pt.scale))
    pt.rounded(34.5, 40, 65.5, 74, 8)
    fingers = ((38.0, 19.0), (45.0, 13.0), (52.0, 15.0), (59.0, 22.0))
    for x, top in fingers:
        pt.rounded(x - 3.3, top, x + 3.3, 48, 3.3)
        pt.lines([(x - 2.4, top + 14), (x + 2.4, top + 14)], pt.detail, 0.25)
        if g.quilted:
            pt.rounded(x - 3.3, top, x + 3.3, top + 9, 3.3, coating, body=False)
    if g.quilted:
        x, y = thumb[-1]
        pt.draw.ellipse(pt.box(x - 4.5, y - 4.5, x + 4.5, y + 4.5), fill=coating)
    if g.checked:
        for n in range(90):
            x = 36 + (n * 37 % 29)
            y = 42 + (n * 53 % 30)
            pt.dot(x, y, 0.35, pt.detail)
    pt.lines([(36, cuff_top + 1.5), (64, cuff_top + 1.5)], pt.detail, 0.3)
    if g.rib:
        pt.rounded(52, cuff_top + 4, 66, cuff_top + 10, 1.2, (40, 40, 42), body=False)
    else:
        for x in range(38, 63, 2):
            pt.lines([(x, cuff_top + 3), (x, 91)], pt.detail, 0.18)


def draw_helmet(pt: _Painter, g: Garment, view: str) -> None:
    pt.shadow(18, 70, 82, 78)
    strap = (60, 62, 66)
    pt.lines(_curve((30, 60), (50, 86), (70, 60)), strap, 1.0)
    pt.chord(24, 22, 76, 88, 180, 360)
    pt.polygon([(20, 55), (80, 55), (78, 60.5), (22, 60.5)])
    pt.polygon([(20, 55), (14, 57.5), (22, 60.5)])
    for x0, x1 in ((40, 42), (50, 50), (60, 58)):
        pt.lines(_curve((x0, 23.5 if x0 == 50 else 25), ((x0 + x1) / 2, 35), (x1, 54.5)),
                 pt.detail, 0.7)  # fmt: skip
    pt.rounded(44, 44, 56, 50, 1, mix(pt.fill, BLACK, 0.1), body=False)


def draw_beanie(pt: _Painter, g: Garment, view: str) -> None:
    pt.shadow(22, 70, 78, 78)
    pt.chord(28, 18, 72, 92, 180, 360)
    for x in (36, 43, 50, 57, 64):
        pt.lines(_curve((x, 56), (x + (x - 50) * 0.15, 35), (50 + (x - 50) * 0.3, 20)),
                 pt.detail, 0.25)  # fmt: skip
    pt.rounded(26.5, 52, 73.5, 72, 4)
    for x in range(29, 72, 2):
        pt.lines([(x, 53.5), (x, 70.5)], pt.detail, 0.18)
    if g.hivis:
        pt.polygon([(26.8, 59), (73.2, 59), (73.2, 64.5), (26.8, 64.5)], REFLECTIVE, body=False)
        pt.lines([(27.5, 61.7), (72.5, 61.7)], REFLECTIVE_SHINE, 0.6)


def draw_ear_defenders(pt: _Painter, g: Garment, view: str) -> None:
    pt.shadow(18, 80, 82, 88)
    band = (52, 54, 58)
    pt.draw.arc(pt.box(27, 14, 73, 70), 195, 345, fill=pt.line, width=round(6.4 * pt.scale))
    pt.draw.arc(pt.box(27.6, 14.6, 72.4, 69.4), 196, 344, fill=band, width=round(5.2 * pt.scale))
    pt.mask_draw.arc(pt.box(27, 14, 73, 70), 195, 345, fill=255, width=round(6.4 * pt.scale))
    for x in (28.5, 71.5):
        pt.rounded(x - 2.2, 36, x + 2.2, 50, 0.8, (150, 152, 156))
    for x0 in (18.0, 66.0):
        pt.rounded(x0, 46, x0 + 16, 80, 7)
        cushion = (x0 + 11.5, 49, x0 + 16.5, 77) if x0 < 50 else (x0 - 0.5, 49, x0 + 4.5, 77)
        pt.rounded(*cushion, 2.5, (70, 72, 76), body=False)
        pt.rounded(x0 + 4, 56, x0 + 12, 70, 3, mix(pt.fill, WHITE, 0.1), body=False)


def draw_glasses(pt: _Painter, g: Garment, view: str) -> None:
    pt.shadow(16, 64, 84, 70)
    frame = (55, 65, 81)
    lens = mix(pt.fill, (170, 200, 225), 0.35)
    for side in (lambda ps: list(ps), _mirror):
        outline = side([(16, 38), (47, 38), (47.5, 46), (44, 56), (32, 59), (20, 56), (16, 47)])
        pt.polygon(outline, lens)
        pt.lines(side([(22, 42), (30, 42), (24, 52)]), (248, 250, 252), 0.5)
    pt.polygon([(13, 35.5), (87, 35.5), (87, 40), (13, 40)], frame)
    pt.polygon([(46, 40), (54, 40), (52.5, 45), (47.5, 45)], frame)
    for x in (12.0, 86.5):
        pt.rounded(x, 35, x + 2, 45, 0.6, frame)


DRAWERS = {
    "top": draw_top,
    "bottom": draw_bottom,
    "shoe": draw_shoe,
    "glove": draw_glove,
    "helmet": draw_helmet,
    "beanie": draw_beanie,
    "ear_defenders": draw_ear_defenders,
    "glasses": draw_glasses,
}
