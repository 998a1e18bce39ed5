"""The back office's import pages (kvote.catalog.admin_imports): a supplier staff member
uploads a catalogue or price list file, sees its preview (counts, changes, bad rows), applies
it; a large file goes through the job queue with a progress page; the history lists them all;
the exports download. Nobody but the supplier's staff reaches any of it."""

import csv
import html
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from kvote.catalog.models import CatalogueImport, ImportKind, ImportStatus, Product, Variant
from kvote.jobs.services import jobs_run_due
from kvote.people.models import User
from tests.factories import CompanyFactory, ProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db

HEADER = "product_number,product_name,item_number,colour,size,list_price\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff_user() -> User:
    """Supplier staff: a back office login of no company, and no superuser."""
    return UserFactory(company=None, is_staff=True, language="en")


@pytest.fixture
def staff(client: Client, staff_user: User) -> Client:
    client.force_login(staff_user)
    return client


@pytest.fixture
def jacket() -> Product:
    product = ProductFactory(code="P-1", name="Jakke", list_price=Decimal("500.00"))
    VariantFactory(product=product, item_number="P-1-M", colour="Marine", size="M")
    VariantFactory(product=product, item_number="P-1-L", colour="Marine", size="L")
    return product


def url(view: str, *args: object) -> str:
    return reverse(f"admin:catalog_catalogueimport_{view}", args=args)


def csv_file(text: str, name: str = "katalog.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def upload(client: Client, text: str, *, kind: str = "catalogue", mode: str = "upsert", **kw):
    return client.post(url("add"), {"kind": kind, "mode": mode, "file": csv_file(text, **kw)})


def page(client: Client, imp: CatalogueImport) -> str:
    response = client.get(url("change", imp.pk))
    assert response.status_code == 200
    return response.content.decode()


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# A file that adds one item number to the jacket and changes the price of the product.
GOOD = (
    HEADER
    + "P-1,Jakke,P-1-M,Marine,M,549.00\n"
    + "P-1,Jakke,P-1-L,Marine,L,549.00\n"
    + "P-1,Jakke,P-1-XL,Marine,XL,549.00\n"
)


def test_upload_shows_the_preview_and_apply_writes_it(staff, staff_user, jacket) -> None:
    response = upload(staff, GOOD)
    imp = CatalogueImport.objects.get()
    assert response.status_code == 302 and response["Location"] == url("change", imp.pk)
    assert imp.status == ImportStatus.PREVIEWED and imp.created_by == staff_user
    assert not Variant.objects.filter(item_number="P-1-XL").exists()  # a preview writes nothing

    text = page(staff, imp)
    assert '<td class="kvote-import-key">P-1-XL</td>' in text  # the new item number, as the key
    assert "500.00" in text and "549.00" in text  # old → new
    assert f'action="{url("apply", imp.pk)}"' in text
    assert 'http-equiv="refresh"' not in text

    response = staff.post(url("apply", imp.pk), follow=True)
    assert said(response) == ["The file was applied."]
    imp.refresh_from_db()
    assert imp.status == ImportStatus.APPLIED and imp.applied_by == staff_user
    assert Variant.objects.filter(item_number="P-1-XL", product=jacket).exists()
    jacket.refresh_from_db()
    assert jacket.list_price == Decimal("549.00")
    text = response.content.decode()
    assert staff_user.full_name in text and "Apply" not in _buttons(text)

    again = staff.post(url("apply", imp.pk), follow=True)  # applied once, never twice
    assert len(said(again)) == 1 and said(again) != ["The file was applied."]


def _buttons(text: str) -> str:
    return " ".join(
        part.split('"')[0] for part in text.split('type="submit" class="default" value="')[1:]
    )


def test_bad_rows_are_listed_and_nothing_can_be_applied(staff, jacket) -> None:
    upload(staff, HEADER + "P-1,Jakke,P-1-M,Marine,M,abc\nP-1,Jakke,P-1-M,Marine,M,549.00\n")
    imp = CatalogueImport.objects.get()
    assert imp.status == ImportStatus.INVALID
    text = page(staff, imp)
    assert "nothing can be applied until the file is fixed" in text
    first = imp.errors[0]
    assert html.escape(str(first["message"])) in text and f"<td>{first['row']}</td>" in text
    assert f'action="{url("apply", imp.pk)}"' not in text

    response = staff.post(url("apply", imp.pk), follow=True)  # a hand-made POST is refused too
    assert len(said(response)) == 1
    assert CatalogueImport.objects.get().status == ImportStatus.INVALID
    assert Variant.objects.filter(product=jacket).count() == 2


def test_a_stale_preview_is_refused_and_writes_nothing(staff, jacket) -> None:
    upload(staff, GOOD)
    imp = CatalogueImport.objects.get()
    Product.objects.filter(pk=jacket.pk).update(list_price=Decimal("510.00"))  # changed meanwhile

    response = staff.post(url("apply", imp.pk), follow=True)
    assert len(said(response)) == 1 and "upload the file again" in said(response)[0].lower()
    imp.refresh_from_db()
    assert imp.status != ImportStatus.APPLIED and imp.applied_at is None
    assert not Variant.objects.filter(item_number="P-1-XL").exists()
    assert "upload the file again" in page(staff, imp).lower()  # the page says why
    jacket.refresh_from_db()
    assert jacket.list_price == Decimal("510.00")


def test_an_unreadable_file_is_told_at_the_form_with_the_choices_kept(staff, jacket) -> None:
    response = upload(staff, "\x00\x01 no csv at all", kind="price_list", mode="full", name="x.pdf")
    assert response.status_code == 200
    assert not CatalogueImport.objects.exists()
    form = response.context["form"]
    assert form.errors["file"]
    text = response.content.decode()
    assert html.escape(form.errors["file"][0]) in text
    assert 'value="price_list" checked' in text.replace("required ", "") or (
        'value="price_list"' in text and form["kind"].value() == "price_list"
    )
    assert form["mode"].value() == "full"


def test_the_upload_form_lists_the_columns_and_starts_on_the_kind_asked_for(staff) -> None:
    response = staff.get(url("add"), {"kind": "price_list"})
    assert response.status_code == 200
    assert response.context["form"]["kind"].value() == "price_list"
    text = response.content.decode()
    for column in ("product_number", "item_number", "list_price", "customer_number"):
        assert f"<code>{column}</code>" in text
    assert url("export", "catalogue", "csv") in text
    assert 'accept=".csv,.xlsx,.json"' in text


def test_a_large_file_runs_in_the_job_queue_with_a_progress_page(staff, settings, jacket) -> None:
    settings.KVOTE_IMPORT_INLINE_BYTES = 1
    upload(staff, GOOD)
    imp = CatalogueImport.objects.get()
    assert imp.status == ImportStatus.QUEUED
    text = page(staff, imp)
    assert "<progress" in text and '<meta http-equiv="refresh" content="2">' in text

    assert jobs_run_due() >= 1
    imp.refresh_from_db()
    assert imp.status == ImportStatus.PREVIEWED
    text = page(staff, imp)
    assert "<progress" not in text and "P-1-XL" in text

    staff.post(url("apply", imp.pk))
    imp.refresh_from_db()
    if imp.status == ImportStatus.APPLYING:  # a large file is applied in the queue too
        assert "<progress" in page(staff, imp)
        jobs_run_due()
        imp.refresh_from_db()
    assert imp.status == ImportStatus.APPLIED
    assert Variant.objects.filter(item_number="P-1-XL").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["catalogue", "price_list"])
def test_the_exports_download_and_open(staff, jacket, kind, fmt) -> None:
    response = staff.get(url("export", kind, fmt))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=_delimiter(body)))
        assert rows[0] and (kind != "catalogue" or "item_number" in rows[0])
        if kind == "catalogue":
            assert {"P-1-M", "P-1-L"} <= {cell for row in rows for cell in row}
    else:
        sheet = load_workbook(io.BytesIO(body)).active
        assert sheet is not None and sheet.max_row >= 1


def _delimiter(body: bytes) -> str:
    first = body.decode("utf-8-sig").splitlines()[0]
    return ";" if first.count(";") > first.count(",") else ","


def test_an_export_of_no_such_kind_or_format_is_not_found(staff) -> None:
    assert staff.get(url("export", "stock", "csv")).status_code == 404
    assert staff.get(url("export", "catalogue", "pdf")).status_code == 404


def test_the_history_lists_every_import_newest_first_with_its_counts(staff, jacket) -> None:
    upload(staff, GOOD, name="first.csv")
    upload(staff, HEADER + "P-1,Jakke,P-1-M,Marine,M,abc\n", name="second.csv")
    response = staff.get(url("changelist"))
    text = response.content.decode()
    assert text.index("second.csv") < text.index("first.csv")
    assert "kvote-import-status--invalid" in text and "kvote-import-status--previewed" in text
    assert (
        staff.get(url("changelist"), {"status__exact": "invalid"}).context["cl"].result_count == 1
    )
    assert (
        staff.get(url("changelist"), {"kind__exact": "price_list"}).context["cl"].result_count == 0
    )


def test_an_applied_import_is_never_deleted(staff, jacket) -> None:
    upload(staff, GOOD)
    imp = CatalogueImport.objects.get()
    assert staff.get(url("delete", imp.pk)).status_code == 200  # a preview may be dropped
    staff.post(url("apply", imp.pk))
    assert staff.get(url("delete", imp.pk)).status_code == 403
    assert staff.post(url("delete", imp.pk), {"post": "yes"}).status_code == 403
    assert CatalogueImport.objects.filter(pk=imp.pk).exists()
    assert "delete_selected" not in staff.get(url("changelist")).content.decode()


def test_links_lead_to_the_imports(client) -> None:
    # The demo's back office login: supplier staff with every model's permission.
    staff = client
    staff.force_login(UserFactory(company=None, is_staff=True, is_superuser=True, language="en"))
    index = staff.get(reverse("admin:index")).content.decode()
    assert url("changelist") in index
    products = staff.get(reverse("admin:catalog_product_changelist")).content.decode()
    assert url("add") + "?kind=catalogue" in products
    prices = staff.get(reverse("admin:catalog_agreedprice_changelist")).content.decode()
    assert url("add") + "?kind=price_list" in prices


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("company_staff", 403),  # a customer's user with the staff flag
        ("company_admin", 302),  # a customer's company admin: no back office at all
        ("no_staff", 302),  # no company, no staff flag
        ("anonymous", 302),
    ],
)
def test_nobody_but_supplier_staff_reaches_the_import_pages(
    client, staff_user, jacket, who, expected
) -> None:
    imp = CatalogueImport.objects.create(
        kind=ImportKind.CATALOGUE,
        filename="x.csv",
        created_by=staff_user,
        status=ImportStatus.PREVIEWED,
    )
    company = CompanyFactory()
    users = {
        "company_staff": lambda: UserFactory(company=company, is_staff=True),
        "company_admin": lambda: UserFactory(company=company, is_company_admin=True),
        "no_staff": lambda: UserFactory(company=None),
    }
    if who in users:
        client.force_login(users[who]())
    gets = [
        url("changelist"),
        url("add"),
        url("change", imp.pk),
        url("export", "catalogue", "csv"),
        url("delete", imp.pk),
    ]
    for address in gets:
        response = client.get(address)
        assert response.status_code == expected, address
        if expected == 302:
            assert response["Location"].startswith(reverse("admin:login"))
    assert client.post(url("apply", imp.pk)).status_code == expected
    assert (
        client.post(
            url("add"), {"kind": "catalogue", "mode": "upsert", "file": csv_file(GOOD)}
        ).status_code
        == expected
    )
    imp.refresh_from_db()
    assert imp.status == ImportStatus.PREVIEWED and CatalogueImport.objects.count() == 1
    if who == "company_staff":
        index = client.get(reverse("admin:index")).content.decode()
        assert url("changelist") not in index


def test_no_such_import_goes_back_to_the_history(staff) -> None:
    for bad in ("999999", "abc", "99999999999999999999999"):
        response = staff.get(url("change", bad))
        assert response.status_code == 302
        assert staff.post(url("apply", bad)).status_code == 302


def test_the_pages_speak_norwegian_by_default(client, jacket) -> None:
    client.force_login(UserFactory(company=None, is_staff=True, language="nb"))
    text = client.get(url("add")).content.decode()
    with translation.override("nb"):
        assert html.escape(gettext("Upload and preview")) in text
        assert gettext("Upload and preview") != "Upload and preview"


# --- query counts --------------------------------------------------------------------------


def _imports(user: User, n: int) -> None:
    CatalogueImport.objects.bulk_create(
        CatalogueImport(
            kind=ImportKind.CATALOGUE if i % 2 else ImportKind.PRICE_LIST,
            filename=f"fil-{i}.csv",
            created_by=user,
            applied_by=user if i % 3 == 0 else None,
            status=ImportStatus.APPLIED if i % 3 == 0 else ImportStatus.PREVIEWED,
            counts={"rows": 3, "new": 1, "changed": 1, "deactivated": 0, "errors": 0},
        )
        for i in range(n)
    )


@pytest.mark.parametrize("n", [3, 30])
def test_the_history_reads_a_fixed_number_of_queries(
    staff, staff_user, n, django_assert_num_queries
) -> None:
    _imports(staff_user, n)
    with django_assert_num_queries(HISTORY_QUERIES):
        response = staff.get(url("changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == n


@pytest.mark.parametrize("status", [ImportStatus.PREVIEWED, ImportStatus.QUEUED])
def test_an_import_page_reads_a_fixed_number_of_queries(
    staff, staff_user, status, django_assert_num_queries
) -> None:
    imp = CatalogueImport.objects.create(
        kind=ImportKind.CATALOGUE,
        filename="x.csv",
        created_by=staff_user,
        status=status,
        counts={"rows": 250, "new": 250, "errors": 0},
        changes={"new": [{"key": f"N-{i}", "summary": "ny"} for i in range(200)]},
    )
    with django_assert_num_queries(IMPORT_PAGE_QUERIES[status]):
        text = page(staff, imp)
    if status == ImportStatus.PREVIEWED:
        assert "Only the first 200 of 250 are shown." in text


# session, user, then the count, the page and the filters' counts: the same for 3 and 30 imports
HISTORY_QUERIES = 7
# session, user, the import with who uploaded and applied it (progress is in the cache)
IMPORT_PAGE_QUERIES = {ImportStatus.PREVIEWED: 5, ImportStatus.QUEUED: 5}
