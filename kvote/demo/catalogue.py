"""The demo catalogue as plain data: colours, sizes, categories and about 35 workwear products
with Norwegian names and English twins. Item numbers are `<product>-<colour>-<size>`.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Colour:
    code: str
    name: str
    name_en: str
    hex: str


@dataclass(frozen=True)
class CategoryData:
    slug: str
    name: str
    name_en: str
    position: int


@dataclass(frozen=True)
class ProductData:
    code: str
    category: str
    name: str
    name_en: str
    description: str
    description_en: str
    list_price: Decimal
    colours: tuple[str, ...]
    sizes: tuple[str, ...]
    is_active: bool = True
    # (colour code, size) of variants that are sold out for good: shown nowhere in the portal.
    inactive_variants: tuple[tuple[str, str], ...] = ()

    def item_number(self, colour: str, size: str) -> str:
        return f"{self.code}-{colour}-{SIZE_CODES.get(size, size)}"


COLOURS = {
    c.code: c
    for c in (
        Colour("NAV", "Marine", "Navy", "#1f2a44"),
        Colour("BLK", "Svart", "Black", "#111111"),
        Colour("GRY", "Grå", "Grey", "#6b7280"),
        Colour("HVY", "Hi-vis gul", "Hi-vis yellow", "#e6f21a"),
        Colour("HVO", "Hi-vis oransje", "Hi-vis orange", "#ff7a00"),
        Colour("RED", "Rød", "Red", "#b91c1c"),
        Colour("GRN", "Grønn", "Green", "#2f6b3a"),
        Colour("WHT", "Hvit", "White", "#ffffff"),
        Colour("CLR", "Klar", "Clear", "#e5e7eb"),
    )
}

GARMENT = ("XS", "S", "M", "L", "XL", "XXL", "3XL")
GARMENT_S = ("S", "M", "L", "XL", "XXL", "3XL")
TROUSERS = ("C44", "C46", "C48", "C50", "C52", "C54", "C56", "C58")
SHOES = tuple(str(n) for n in range(36, 48))
GLOVES = ("7", "8", "9", "10", "11")
ONESIZE = ("Onesize",)

# Where a size sits in a size picker: garments XS..3XL, trousers C44..C58, shoes, gloves.
SIZE_POSITIONS = {
    **{size: n for n, size in enumerate(GARMENT, start=1)},
    **{size: n for n, size in enumerate(TROUSERS, start=1)},
    **{size: n for n, size in enumerate(SHOES, start=1)},
    **{size: n for n, size in enumerate(GLOVES, start=1)},
    "Onesize": 1,
}
SIZE_CODES = {"Onesize": "OS"}

CATEGORIES = (
    CategoryData("jakker", "Jakker", "Jackets", 10),
    CategoryData("bukser", "Bukser", "Trousers", 20),
    CategoryData("overdeler", "Overdeler", "Tops", 30),
    CategoryData("synlighet", "Synlighet", "Hi-vis", 40),
    CategoryData("fottoy", "Fottøy", "Footwear", 50),
    CategoryData("verneutstyr", "Verneutstyr", "Protective equipment", 60),
)


def _p(
    code: str,
    category: str,
    price: str,
    colours: str,
    sizes: tuple[str, ...],
    name: str,
    name_en: str,
    description: str,
    description_en: str,
    *,
    is_active: bool = True,
    inactive_variants: tuple[tuple[str, str], ...] = (),
) -> ProductData:
    return ProductData(
        code=code,
        category=category,
        name=name,
        name_en=name_en,
        description=description,
        description_en=description_en,
        list_price=Decimal(price),
        colours=tuple(colours.split()),
        sizes=sizes,
        is_active=is_active,
        inactive_variants=inactive_variants,
    )


# One product a block: code, category, list price excl. VAT, colours, sizes; name (nb, en);
# description (nb); description (en).
# fmt: off
PRODUCTS = (
    # Jakker / Jackets
    _p("AAPW-1001", "jakker", "1899.00", "NAV BLK", GARMENT,
       "Vinterjakke Arktis", "Winter jacket Arktis",
       "Vanntett og foret vinterjakke med avtakbar hette og mange lommer.",
       "Waterproof lined winter jacket with a detachable hood and plenty of pockets."),
    _p("AAPW-1002", "jakker", "999.00", "NAV BLK GRY", GARMENT,
       "Softshelljakke Bris", "Softshell jacket Bris",
       "Vindtett og pustende softshell med stretch, for vår og høst.",
       "Windproof, breathable stretch softshell for spring and autumn."),
    _p("AAPW-1003", "jakker", "749.00", "NAV GRN", GARMENT,
       "Regnjakke Vestland", "Rain jacket Vestland",
       "Helsveiset regnjakke i PU med hette og ventilasjon i ryggen.",
       "Fully welded PU rain jacket with a hood and back ventilation."),
    _p("AAPW-1004", "jakker", "549.00", "NAV BLK GRY", GARMENT,
       "Fleecejakke Fjell", "Fleece jacket Fjell",
       "Varm fleecejakke i resirkulert polyester, brukes alene eller som mellomlag.",
       "Warm fleece jacket in recycled polyester, on its own or as a mid layer."),
    _p("AAPW-1005", "jakker", "1249.00", "BLK GRY", GARMENT,
       "Håndverkerjakke Snekker", "Craftsman jacket Snekker",
       "Slitesterk håndverkerjakke med forsterkede albuer og lommer for verktøy.",
       "Hard-wearing craftsman jacket with reinforced elbows and tool pockets."),
    _p("AAPW-1006", "jakker", "699.00", "NAV BLK", GARMENT,
       "Isolert vest Tind", "Insulated vest Tind",
       "Lett, isolert vest som holder kroppen varm uten å hindre bevegelse.",
       "Light insulated vest that keeps the core warm without restricting movement."),
    # Bukser / Trousers
    _p("AAPW-1101", "bukser", "1149.00", "BLK GRY NAV", TROUSERS,
       "Håndverkerbukse Pro", "Craftsman trousers Pro",
       "Håndverkerbukse med kneputelommer, hengelommer og forsterket sete.",
       "Craftsman trousers with knee-pad pockets, holster pockets and a reinforced seat."),
    _p("AAPW-1102", "bukser", "599.00", "NAV BLK", TROUSERS,
       "Arbeidsbukse Basis", "Work trousers Basic",
       "Enkel og solid arbeidsbukse i polyester/bomull.",
       "Simple, sturdy work trousers in polyester/cotton."),
    _p("AAPW-1103", "bukser", "1049.00", "BLK GRY", TROUSERS,
       "Stretchbukse Flex", "Stretch trousers Flex",
       "Fireveis stretch der du trenger det, kneputelommer og lav vekt.",
       "Four-way stretch where you need it, knee-pad pockets and low weight."),
    _p("AAPW-1104", "bukser", "649.00", "BLK GRY", TROUSERS,
       "Håndverkershorts", "Craftsman shorts",
       "Shorts med hengelommer og lommer for tommestokk og kniv.",
       "Shorts with holster pockets and pockets for a folding rule and a knife."),
    _p("AAPW-1105", "bukser", "499.00", "NAV GRN", GARMENT,
       "Regnbukse Vestland", "Rain trousers Vestland",
       "Helsveiset regnbukse med justerbar strikk i livet.",
       "Fully welded rain trousers with an adjustable elastic waist."),
    _p("AAPW-1106", "bukser", "699.00", "BLK", TROUSERS,
       "Snekkerbukse Klassisk", "Carpenter trousers Classic",
       "Utgått modell, erstattet av Håndverkerbukse Pro.",
       "Discontinued, replaced by Craftsman trousers Pro.", is_active=False),
    # Overdeler / Tops
    _p("AAPW-1201", "overdeler", "149.00", "NAV BLK GRY WHT RED", GARMENT,
       "T-skjorte Bomull", "Cotton T-shirt",
       "Klassisk t-skjorte i kjemmet bomull, 180 g/m².",
       "Classic T-shirt in combed cotton, 180 g/m².",
       inactive_variants=(("RED", "XS"), ("RED", "3XL"))),
    _p("AAPW-1202", "overdeler", "299.00", "NAV BLK WHT", GARMENT,
       "Pikéskjorte", "Polo shirt",
       "Pikéskjorte med knappestolpe og ribbestrikket krage.",
       "Piqué polo shirt with a button placket and a ribbed collar."),
    _p("AAPW-1203", "overdeler", "399.00", "NAV GRY", GARMENT,
       "Genser rund hals", "Crew-neck sweatshirt",
       "Myk collegegenser med børstet innside.",
       "Soft sweatshirt with a brushed inside."),
    _p("AAPW-1204", "overdeler", "549.00", "NAV BLK GRY", GARMENT,
       "Hettegenser med glidelås", "Hooded zip sweatshirt",
       "Hettegenser med hel glidelås og to sidelommer.",
       "Hooded sweatshirt with a full zip and two side pockets."),
    _p("AAPW-1205", "overdeler", "449.00", "RED GRN", GARMENT_S,
       "Flanellskjorte", "Flannel shirt",
       "Rutete flanellskjorte i tykk bomull.",
       "Checked flannel shirt in heavy cotton."),
    _p("AAPW-1206", "overdeler", "599.00", "BLK", GARMENT,
       "Ullundertrøye Merino", "Merino base layer top",
       "Tynn undertrøye i merinoull som holder varmen også når den er fuktig.",
       "Thin merino wool base layer that stays warm even when damp."),
    # Synlighet / Hi-vis
    _p("AAPW-1301", "synlighet", "179.00", "HVY HVO", GARMENT_S,
       "Varselvest klasse 2", "Hi-vis vest class 2",
       "Varselvest etter EN ISO 20471 klasse 2, med ID-lomme.",
       "Hi-vis vest to EN ISO 20471 class 2, with an ID pocket."),
    _p("AAPW-1302", "synlighet", "2499.00", "HVY HVO", GARMENT,
       "Varseljakke klasse 3", "Hi-vis jacket class 3",
       "Vanntett og foret varseljakke, EN ISO 20471 klasse 3.",
       "Waterproof lined hi-vis jacket, EN ISO 20471 class 3.",
       inactive_variants=(("HVO", "3XL"),)),
    _p("AAPW-1303", "synlighet", "249.00", "HVY HVO", GARMENT,
       "Varsel-t-skjorte", "Hi-vis T-shirt",
       "Lett og pustende varsel-t-skjorte, klasse 2.",
       "Light, breathable hi-vis T-shirt, class 2."),
    _p("AAPW-1304", "synlighet", "1299.00", "HVY HVO", TROUSERS,
       "Varselbukse klasse 2", "Hi-vis trousers class 2",
       "Håndverkerbukse med refleks og kneputelommer, klasse 2.",
       "Craftsman trousers with reflective tape and knee-pad pockets, class 2."),
    _p("AAPW-1305", "synlighet", "2199.00", "HVY", GARMENT,
       "Varselparkas", "Hi-vis parka",
       "Lang, foret parkas for vinterarbeid ute, klasse 3.",
       "Long lined parka for outdoor work in winter, class 3."),
    # Fottøy / Footwear
    _p("AAPW-1401", "fottoy", "1199.00", "BLK", SHOES,
       "Vernesko S3 lav", "Safety shoe S3 low",
       "Lett vernesko med tåhette i kompositt og spikertrampsåle.",
       "Light safety shoe with a composite toe cap and a puncture-resistant sole."),
    _p("AAPW-1402", "fottoy", "1599.00", "BLK", SHOES,
       "Vernestøvlett S3", "Safety boot S3",
       "Vernestøvlett i skinn med god ankelstøtte.",
       "Leather safety boot with good ankle support."),
    _p("AAPW-1403", "fottoy", "1899.00", "BLK", SHOES,
       "Vinterstøvel S3 foret", "Lined winter boot S3",
       "Foret vinterstøvel med vanntett membran og isgrep.",
       "Lined winter boot with a waterproof membrane and ice grip."),
    _p("AAPW-1404", "fottoy", "899.00", "GRN", SHOES,
       "Gummistøvel S5", "Rubber boot S5",
       "Vernestøvel i gummi med stålhette, for vått arbeid.",
       "Rubber safety boot with a steel toe cap, for wet work."),
    # Verneutstyr / Protective equipment
    _p("AAPW-1501", "verneutstyr", "159.00", "GRY", GLOVES,
       "Arbeidshanske Grep", "Work glove Grip",
       "Allround arbeidshanske med nitrilbelegg for godt grep.",
       "All-round work glove with a nitrile coating for a good grip."),
    _p("AAPW-1502", "verneutstyr", "249.00", "BLK", GLOVES,
       "Vinterhanske foret", "Lined winter glove",
       "Vanntett og foret arbeidshanske for kalde dager.",
       "Waterproof lined work glove for cold days."),
    _p("AAPW-1503", "verneutstyr", "229.00", "GRY", GLOVES,
       "Kuttbeskyttende hanske", "Cut-resistant glove",
       "Hanske med kuttbeskyttelse nivå C etter EN 388.",
       "Glove with level C cut protection to EN 388."),
    _p("AAPW-1504", "verneutstyr", "349.00", "WHT HVO HVY", ONESIZE,
       "Vernehjelm", "Safety helmet",
       "Vernehjelm med sklireim og hakestropp, EN 397.",
       "Safety helmet with a ratchet harness and a chin strap, EN 397."),
    _p("AAPW-1505", "verneutstyr", "499.00", "BLK", ONESIZE,
       "Hørselvern", "Ear defenders",
       "Hørselvern med justerbar bøyle, SNR 30 dB.",
       "Ear defenders with an adjustable headband, SNR 30 dB."),
    _p("AAPW-1506", "verneutstyr", "149.00", "CLR", ONESIZE,
       "Vernebriller", "Safety glasses",
       "Lette vernebriller med antidugg.",
       "Light safety glasses with anti-fog coating."),
    _p("AAPW-1507", "verneutstyr", "179.00", "NAV BLK", ONESIZE,
       "Lue med refleks", "Beanie with reflective band",
       "Strikket lue med refleksbånd og fleecefôr.",
       "Knitted beanie with a reflective band and fleece lining."),
)
# fmt: on


# Stock: most sizes in stock, some few left, some out of stock with a restock in the coming
# weeks, and the biggest sizes now and then made to order. Drawn from the item number alone
# (and the day, for restock dates), so a reseed the same day gives the same stock.
BIG_SIZES = {"XXL", "3XL", "4XL", "5XL"}


def stock_of(item_number: str, size: str, today: date) -> dict[str, Any]:
    rng = random.Random(f"stock-{item_number}")
    draw = rng.random()
    if size in BIG_SIZES and draw < 0.15:
        return {"stock": 0, "restock_date": None, "lead_time_days": rng.choice((7, 10, 14, 21))}
    if draw < 0.10:
        restock = today + timedelta(days=rng.randint(5, 42))
        return {"stock": 0, "restock_date": restock, "lead_time_days": None}
    if draw < 0.22:
        return {"stock": rng.randint(1, 5), "restock_date": None, "lead_time_days": None}
    return {"stock": rng.randint(12, 240), "restock_date": None, "lead_time_days": None}
