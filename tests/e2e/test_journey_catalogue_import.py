"""Journey: the supplier imports a new collection, and a customer sees it with pictures and stock.

The supplier's staff (admin@kvote.example) log in to the back office, open the imports, upload
the demo's sample file «ny-kolleksjon.csv» (kvote.demo.sample_import, written for this live
server: its picture addresses name it, and KVOTE_IMAGE_HOSTS allows it), see the preview with
its counts, and apply it. The job queue then runs (here, in the test, until no job is left): the
worker fetches each picture from the live server and makes its renditions. A customer
(ansatt1@nordlys.example) finds the new winter jacket by searching, sees its picture (a rendition
under /media/products/, loaded) on the card and on the product page, and the stock of each size:
in stock, few left, and made to order. On a desktop and on a phone; every page checked by axe.
"""

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from kvote.catalog.models import CatalogueImport, ImageStatus, ImportStatus, ProductImage
from kvote.demo.sample_import import NEW_PRODUCTS, sample_files_write
from kvote.jobs.services import jobs_run_due
from tests.e2e.conftest import LoginFn
from tests.e2e.helpers import PASSWORD, assert_accessible, assert_fits_width, choose_variant, t

LANG = "nb"
STAFF = "admin@kvote.example"
CUSTOMER = "ansatt1@nordlys.example"
JACKET = NEW_PRODUCTS[0]  # Vinterjakke Polar: black and red, S–XXL; red XXL made to order


def _(msgid: str, **values: object) -> str:
    return t(LANG, msgid, **values)


@pytest.fixture
def sample_file(settings: Any, live_server: Any, tmp_path: Path) -> Path:
    """The sample file, its pictures addressed from (and allowed from) the live server."""
    settings.KVOTE_BASE_URL = live_server.url
    settings.KVOTE_IMAGE_HOSTS = [urlsplit(live_server.url).netloc]
    csv, _xlsx = sample_files_write(
        base_url=live_server.url, today=timezone.localdate(), directory=tmp_path
    )
    return csv


def staff_imports(page: Page, sample_file: Path) -> None:
    """Back office: log in, open the imports, upload the file, check the preview, apply."""
    page.goto("/admin/")
    page.get_by_label(re.compile(r"^(E-post|Email)")).fill(STAFF)
    page.get_by_label(re.compile(r"^(Passord|Password)")).fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.locator("#content-main a[href$='/catalog/catalogueimport/']").first.click()
    page.get_by_role("link", name=_("Import a file")).click()
    assert_accessible(page, preload=False)  # the admin's forms.css @imports widgets.css
    page.get_by_label(_("File"), exact=True).set_input_files(str(sample_file))
    page.get_by_role("button", name=_("Upload and preview")).click()

    # The preview: what the file would add, nothing wrong, nothing written yet.
    expect(page.locator("h1")).to_contain_text(sample_file.name)
    counts = page.locator(".kvote-import-counts")
    rows = sum(len(p.colours) * len(p.sizes) for p in NEW_PRODUCTS)
    expect(counts).to_contain_text(re.compile(rf"{rows}\s+{_('new')}"))
    expect(counts).to_contain_text(re.compile(rf"{len(NEW_PRODUCTS)}\s+{_('new products')}"))
    expect(counts).to_contain_text(re.compile(rf"0\s+{_('bad rows')}"))
    assert_accessible(page)
    assert_fits_width(page)
    imported = CatalogueImport.objects.get()
    assert imported.status == ImportStatus.PREVIEWED
    assert not ProductImage.objects.filter(product__code=JACKET.code).exists()

    page.get_by_role("button", name=_("Apply")).click()
    expect(page.locator("#content-main")).to_contain_text(_("Applied"))
    assert_accessible(page)
    imported.refresh_from_db()
    assert imported.status == ImportStatus.APPLIED


def worker_runs() -> None:
    """The job queue, until no job is left: the pictures are fetched from the live server."""
    for _round in range(20):
        if not jobs_run_due(limit=50):
            break
    pictures = ProductImage.objects.filter(product__code__in=[p.code for p in NEW_PRODUCTS])
    assert sorted(pictures.values_list("status", flat=True)) == [ImageStatus.READY] * sum(
        len(p.colours) for p in NEW_PRODUCTS
    ), list(pictures.values_list("status", "error"))


def assert_picture_loaded(img: Locator) -> None:
    img.scroll_into_view_if_needed()
    expect(img).to_have_attribute("src", re.compile(r"/media/products/renditions/\d+/"))
    img.evaluate("i => i.decode ? i.decode().catch(() => null) : null")
    assert img.evaluate("i => i.complete && i.naturalWidth") > 0, img.get_attribute("src")


def customer_finds_it(page: Page, login: LoginFn) -> None:
    login(page, CUSTOMER)
    page.goto("/catalog/")
    page.get_by_label(_("Search"), exact=True).fill("Polar")
    page.get_by_role("button", name=_("Search"), exact=True).click()
    cards = page.locator(".kv-card")
    expect(cards).to_have_count(1)
    expect(cards.first.get_by_role("heading")).to_have_text(JACKET.name)
    assert_picture_loaded(cards.first.locator("img").first)
    assert_accessible(page)
    assert_fits_width(page)

    cards.first.get_by_role("link", name=JACKET.name).click()
    expect(page.get_by_role("heading", level=1, name=JACKET.name)).to_be_visible()
    assert_picture_loaded(page.locator(".kv-gallery img, main img").first)
    # Stock per size: the smallest size nearly sold out, the others in stock, red XXL made to
    # order (the sample file's stock).
    stock = page.locator("[data-stock]")
    for colour, size, label in (
        ("Svart", "S", _("Few left (%(count)d)", count=3)),
        ("Svart", "L", _("In stock")),
        ("Rød", "XXL", "Bestillingsvare"),
    ):
        choose_variant(page, LANG, colour, size)
        expect(stock).to_contain_text(label)
    assert_accessible(page)
    assert_fits_width(page)


def test_the_supplier_imports_a_collection_and_a_customer_sees_it_on_a_desktop(
    page: Page, login: LoginFn, sample_file: Path
) -> None:
    staff_imports(page, sample_file)
    worker_runs()
    page.context.clear_cookies()
    customer_finds_it(page, login)


def test_the_supplier_imports_a_collection_and_a_customer_sees_it_on_a_phone(
    phone_page: Page, login: LoginFn, sample_file: Path
) -> None:
    staff_imports(phone_page, sample_file)
    worker_runs()
    phone_page.context.clear_cookies()
    customer_finds_it(phone_page, login)
