"""Catalogue search that forgives: the one home of what a search finds, in what order, and
which colour and size a found product's card opens.

What it compares is folded (kvote.common.text `fold_text`/`fold_code`: case, accents, å/ø/æ
typed as aa/oe/ae, punctuation) and kept in generated columns the database computes on every
write (Product.search_name/search_text/search_code, Variant.search_text/search_code/
search_size), so a product written by any path (form, import, raw update) is found at once.

A product is found when
- the whole query, as a code without spaces and dashes (when it has a digit, as every number
  has), is its product number or one of its active variants' item numbers, or (from three
  characters) part of one («NL 1001»,
  «nl1001navxl», «NL-1001-NAV-XL», «1001nav»), or
- there is one active variant for which every word of the query is found in the product's
  text (name, English name, product number, descriptions) or in that variant (item number,
  colour, English colour, size). Colour and size words must so name the SAME variant: a
  product with marine only in M and XL only in black is no hit for «marine XL».

A word is found in a text when it is in it anywhere (compound words: «jakke» finds
«Vinterjakke», «jak» finds «jakke») — except a word of one or two characters, which must be a
whole word («xl» is no hit for «flexlite», «m» none for «marine»). A size is also found by its
code: «s/m» and «sm» both find the size S/M.

Order (both databases): an exact product or item number first, then a product or item number
that starts with the query, then names that start with it, then names holding every word, then
the rest; within those, on PostgreSQL, full text rank (SearchRank of the folded name, prefix
matching: «jak» ranks «Jakke Basis»); then the catalogue's own order (category, name).

The 'simple' text search configuration, not 'norwegian': the columns are already folded
(«rød» is "roed"), which the Norwegian stemmer and stop words do not expect, and 'simple' keeps
sizes and codes («xl», «1001») as words; so PostgreSQL ranks exactly what both databases match.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When

from kvote.catalog.models import PRODUCT_SEARCH_NAME, PRODUCT_SEARCH_TEXT, Product, Variant
from kvote.common.text import fold_code, fold_text, search_text

MAX_WORDS = 8  # more words are ignored (the query is at most SEARCH_MAX characters anyway)
MIN_CODE = 3  # the whole query counts as a code from this many characters
SHORT_WORD = 2  # words this long or shorter must be whole words


@dataclass(frozen=True)
class Search:
    """A query as search reads it: `words` folded, `code` the whole query as a code."""

    text: str
    words: tuple[str, ...]
    code: str

    @classmethod
    def parse(cls, query: str) -> "Search":
        text = search_text(query)
        folded = fold_text(text)
        words = tuple(dict.fromkeys(folded.split()))[:MAX_WORDS]
        return cls(text=text, words=words, code=fold_code(folded))

    @property
    def is_empty(self) -> bool:
        """No query at all: the whole catalogue, in its own order."""
        return not self.text

    @property
    def is_code(self) -> bool:
        """Whether the query may be a product or item number: they all have a digit. (Words
        without one are still found in numbers, word by word: «nav» in AAPW-1001-NAV-XL.)"""
        return any(char.isdigit() for char in self.code)

    @property
    def finds_nothing(self) -> bool:
        """A query with nothing searchable in it (only punctuation): no product matches."""
        return bool(self.text) and not self.words


def _in_text(field: str, word: str) -> Q:
    """`word` found in a folded column (" a b c "), as the module's docstring says."""
    if len(word) <= SHORT_WORD:
        return Q(**{f"{field}__contains": f" {word} "})
    return Q(**{f"{field}__contains": word})


def _word_in_product(word: str, prefix: str = "") -> Q:
    return _in_text(f"{prefix}search_name", word) | _in_text(f"{prefix}search_text", word)


def _word_in_variant(word: str) -> Q:
    return Q(search_size=word) | _in_text("search_text", word)


def _products_with(variants: QuerySet[Variant]) -> Q:
    """Products with an active variant among `variants`: one set-wise semi-join, not a
    subquery per product (5 000 products: a few milliseconds instead of a hundred)."""
    return Q(pk__in=variants.filter(is_active=True).values("product_id"))


def _code_hit(search: Search) -> Q:
    """The whole query is a product or item number, or (from MIN_CODE characters) in one."""
    exact = Q(search_code=search.code) | _products_with(
        Variant.objects.filter(search_code=search.code)
    )
    if len(search.code) < MIN_CODE:
        return exact
    return (
        exact
        | Q(search_code__contains=search.code)
        | _products_with(Variant.objects.filter(search_code__contains=search.code))
    )


def _words_hit(search: Search) -> Q:
    """One active variant for which every word is in the product or in the variant.

    First what that needs of each word alone (in the product, or in some active variant of
    it: set-wise semi-joins, cheap), then the one variant (EXISTS over the variants, their
    short columns tried before the product's long ones)."""
    each = Q()
    same = Variant.objects.filter(product=OuterRef("pk"), is_active=True)
    for word in search.words:
        each &= _word_in_product(word) | _products_with(
            Variant.objects.filter(_word_in_variant(word))
        )
        same = same.filter(_word_in_variant(word) | _word_in_product(word, "product__"))
    return each & Q(Exists(same))


def _tier(search: Search) -> Case:
    exact = Q(search_code=search.code) | _products_with(
        Variant.objects.filter(search_code=search.code)
    )
    starts = Q(search_code__startswith=search.code) | _products_with(
        Variant.objects.filter(search_code__startswith=search.code)
    )
    name_words = Q()
    for word in search.words:
        name_words &= _in_text("search_name", word)
    whens = []
    if search.is_code:
        whens.append(When(exact, then=Value(0)))
    if search.is_code and len(search.code) >= MIN_CODE:
        whens.append(When(starts, then=Value(1)))
    whens += [
        When(search_name__startswith=f" {' '.join(search.words)}", then=Value(2)),
        When(name_words, then=Value(3)),
    ]
    return Case(*whens, default=Value(4), output_field=IntegerField())


def _text_rank(search: Search) -> SearchRank:
    """PostgreSQL's full text rank of the folded name for the words as prefixes (the name
    only: ranking the descriptions too cost 40 ms for 1 300 hits of 5 000 products, and the
    tiers already put names before descriptions). The words
    hold no tsquery syntax (folding made every quote, operator and bracket a space); each is
    quoted all the same."""
    vector = SearchVector("search_name", config="simple")
    raw = " | ".join(f"'{word}':*" for word in search.words if "'" not in word and "\\" not in word)
    return SearchRank(vector, SearchQuery(raw, search_type="raw", config="simple"))


def search_products(products: QuerySet[Product], query: str) -> QuerySet[Product]:
    """`products` that match `query`, most relevant first (the module's docstring); without a
    query, `products` in the catalogue's order."""
    search = Search.parse(query)
    order = ["category__position", "name", "pk"]
    if search.is_empty:
        return products.order_by(*order)
    if search.finds_nothing:
        return products.none()
    hit = _code_hit(search) | _words_hit(search) if search.is_code else _words_hit(search)
    products = products.filter(hit).annotate(search_tier=_tier(search))
    if connection.vendor == "postgresql":
        products = products.annotate(search_rank=_text_rank(search))
        return products.order_by("search_tier", F("search_rank").desc(), *order)
    return products.order_by("search_tier", *order)


# Which variant a found product's card opens: in Python, on the card's variants (no query
# more), with the same rules on the same folded columns.


@dataclass(frozen=True)
class VariantText:
    """What search compares of one active variant (Variant's search columns and colours)."""

    colour: str
    colour_en: str
    size: str
    search_text: str
    search_code: str
    search_size: str


def _found(word: str, folded: str) -> bool:
    if len(word) <= SHORT_WORD:
        return f" {word} " in folded
    return word in folded


def _product_text(product: Product) -> str:
    """Product.search_name and search_text, folded here from the fields they are made of
    (the same rule: the columns themselves stay unread, deferred)."""
    return "".join(
        f" {fold_text(' '.join(str(getattr(product, f)) for f in fields))} "
        for fields in (PRODUCT_SEARCH_NAME, PRODUCT_SEARCH_TEXT)
    )


def _names_colour(word: str, variant: VariantText) -> bool:
    return any(
        _found(word, f" {fold_text(name)} ") for name in (variant.colour, variant.colour_en) if name
    )


def _names_size(word: str, variant: VariantText) -> bool:
    return word == variant.search_size or _found(word, f" {fold_text(variant.size)} ")


def chosen_variant(
    search: Search, product: Product, variants: Sequence[VariantText]
) -> dict[str, str]:
    """The product page's `colour` and `size` parameters for a found product's card: the
    variant the query named (its item number, or its colour and/or size words), only what it
    named; {} when it named none (or without a query)."""
    if not search.words or not variants:
        return {}
    exact = [v for v in variants if search.is_code and v.search_code == search.code]
    if exact:
        return {"colour": exact[0].colour, "size": exact[0].size}
    in_product = {w for w in search.words if _found(w, _product_text(product))}
    best: tuple[int, VariantText] | None = None
    for variant in variants:
        named = [
            w for w in search.words if w == variant.search_size or _found(w, variant.search_text)
        ]
        if set(search.words) - in_product - set(named):
            continue  # not every word is found in the product or this variant
        if best is None or len(named) > best[0]:
            best = (len(named), variant)
    if best is None:
        return {}
    variant = best[1]
    chosen = {}
    if any(_names_colour(w, variant) for w in search.words):
        chosen["colour"] = variant.colour
    if any(_names_size(w, variant) for w in search.words):
        chosen["size"] = variant.size
    return chosen


def variant_link(chosen: dict[str, str]) -> str:
    """The product page's query string for `chosen_variant`'s answer ("" or "?colour=…")."""
    return f"?{urlencode(chosen)}" if chosen else ""


def variant_texts(variants: Iterable[Variant]) -> list[VariantText]:
    return [
        VariantText(
            colour=v.colour,
            colour_en=v.colour_en,
            size=v.size,
            search_text=v.search_text,
            search_code=v.search_code,
            search_size=v.search_size,
        )
        for v in variants
    ]
