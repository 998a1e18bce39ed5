"""Product pictures (kvote.catalog.images): fetched by the job queue from a real HTTP server on
loopback (ok, 404, slow, too big, not a picture, a host not allowed, redirects), rendered,
served from /media/, shown in the back office and on the catalogue's pages."""

import os
import subprocess
import sys
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image
from pytest_django import DjangoAssertNumQueries, Settings

from kvote.catalog.images import (
    FETCH_JOB,
    PLACEHOLDER,
    RENDER_JOB,
    colour_pictures,
    image_url_error,
    product_images_refresh,
    product_images_set,
    product_pictures,
)
from kvote.catalog.models import Favourite, ImageStatus, Product, ProductImage
from kvote.common.errors import ServiceError
from kvote.jobs.models import Job, JobStatus
from kvote.jobs.services import jobs_run_due
from kvote.people.models import User
from kvote.settings import s3_media_storage
from tests.factories import ProductFactory, UserFactory, VariantFactory, ready_image
from tests.http_server import LoopbackServer, Route, serve

pytestmark = pytest.mark.django_db

MAX_BYTES = 200_000
TIMEOUT = 0.3


def jpeg(width: int, height: int, *, orientation: int | None = None) -> bytes:
    picture = Image.new("RGB", (width, height), (200, 60, 40))
    picture.paste((20, 40, 160), (0, 0, width // 2, height // 3))
    buffer = BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    picture.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def png(width: int, height: int) -> bytes:
    picture = Image.new("RGBA", (width, height), (0, 128, 0, 0))
    picture.paste((0, 128, 0, 255), (10, 10, width - 10, height - 10))
    buffer = BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


JPEG_ROTATED = jpeg(1200, 900, orientation=6)  # shown upright as 900 × 1200
PNG_SMALL = png(300, 200)


@pytest.fixture
def elsewhere() -> Iterator[LoopbackServer]:
    """A second server, not in KVOTE_IMAGE_HOSTS."""
    with serve({"/ok.jpg": Route(body=JPEG_ROTATED)}) as server:
        yield server


@pytest.fixture
def server(settings: Settings, elsewhere: LoopbackServer) -> Iterator[LoopbackServer]:
    routes = {
        "/ok.jpg": Route(body=JPEG_ROTATED, headers={"Content-Type": "image/jpeg"}),
        "/ok.png": Route(body=PNG_SMALL, headers={"Content-Type": "image/png"}),
        "/slow.jpg": Route(body=JPEG_ROTATED, delay=TIMEOUT * 5),
        "/big.jpg": Route(body=JPEG_ROTATED + b"\0" * MAX_BYTES),
        "/big-stream.jpg": Route(body=JPEG_ROTATED + b"\0" * MAX_BYTES, send_length=False),
        "/text.jpg": Route(body=b"just words\n" * 20, headers={"Content-Type": "image/jpeg"}),
        "/busy.jpg": Route(status=503, body=b"busy"),
        "/moved.jpg": Route.redirect("/ok.png"),
        "/away.jpg": Route.redirect(elsewhere.url("/ok.jpg")),
    }
    with serve(routes) as loopback:
        settings.KVOTE_IMAGE_HOSTS = [loopback.host]
        settings.KVOTE_IMAGE_FETCH_TIMEOUT = TIMEOUT
        settings.KVOTE_IMAGE_MAX_BYTES = MAX_BYTES
        yield loopback


@pytest.fixture
def product() -> Product:
    product: Product = ProductFactory(name="Vinterjakke", name_en="Winter jacket")
    VariantFactory(product=product, colour="Sort", colour_en="Black", size="M")
    VariantFactory(product=product, colour="Marine", colour_en="Navy", size="M")
    return product


@pytest.fixture
def staff() -> User:
    return UserFactory(company=None, is_staff=True, is_superuser=True, language="en")


def run_jobs() -> None:
    with translation.override("en"):
        jobs_run_due(worker="test", limit=100)


def fetched(product: Product, server: LoopbackServer, path: str) -> ProductImage:
    """The product's picture from `path`, after the worker ran."""
    product_images_set(product_id=product.pk, urls=[server.url(path)])
    run_jobs()
    return ProductImage.objects.get(product=product, source_url=server.url(path))


def opened(name: str) -> Image.Image:
    with default_storage.open(name) as file:
        picture = Image.open(BytesIO(file.read()))
        picture.load()
        return picture


class TestFetch:
    def test_a_jpeg_is_kept_and_rendered_upright_in_three_sizes_as_webp_and_jpeg(
        self, server: LoopbackServer, product: Product
    ) -> None:
        image = fetched(product, server, "/ok.jpg")
        assert image.status == ImageStatus.READY, image.error
        assert image.error == ""
        with default_storage.open(image.original.name) as file:
            assert file.read() == JPEG_ROTATED
        sizes = {name: (r["width"], r["height"]) for name, r in image.renditions.items()}
        # The EXIF orientation is applied (1200 × 900 stored, 900 × 1200 upright); never upscaled.
        assert sizes == {"card": (300, 400), "page": (600, 800), "zoom": (900, 1200)}
        for name, rendition in image.renditions.items():
            assert rendition["webp"].startswith(f"products/renditions/{image.pk}/")
            webp, jpg = opened(rendition["webp"]), opened(rendition["jpeg"])
            assert (webp.format, jpg.format) == ("WEBP", "JPEG")
            assert webp.size == jpg.size == sizes[name]
            assert jpg.mode == "RGB"
        assert Job.objects.get(kind=FETCH_JOB).status == JobStatus.DONE

    def test_a_small_png_is_not_upscaled_and_its_sizes_share_files(
        self, server: LoopbackServer, product: Product
    ) -> None:
        image = fetched(product, server, "/ok.png")
        assert image.status == ImageStatus.READY, image.error
        assert image.original.name.endswith(".png")
        renditions = image.renditions
        assert renditions["card"] == renditions["page"] == renditions["zoom"]
        assert (renditions["card"]["width"], renditions["card"]["height"]) == (300, 200)
        flat = opened(renditions["card"]["jpeg"])
        assert flat.mode == "RGB"
        assert min(flat.getpixel((2, 2))) > 240  # transparency on white (JPEG: nearly)

    @pytest.mark.parametrize(
        ("path", "error"),
        [
            ("/missing.jpg", "The server answered 404 Not Found."),
            ("/text.jpg", "This is not a JPEG, PNG, WebP or GIF picture."),
            ("/big.jpg", "The picture is larger than 195.3\xa0KB."),
            ("/big-stream.jpg", "The picture is larger than 195.3\xa0KB."),
        ],
    )
    def test_a_permanent_problem_fails_the_picture_not_the_job(
        self, server: LoopbackServer, product: Product, path: str, error: str
    ) -> None:
        image = fetched(product, server, path)
        assert (image.status, image.error) == (ImageStatus.FAILED, error)
        assert not image.original
        assert image.renditions == {}
        job = Job.objects.get(kind=FETCH_JOB)
        assert (job.status, job.attempts) == (JobStatus.DONE, 1)  # not tried again

    def test_a_slow_server_fails_the_picture_and_the_job_tries_again(
        self, server: LoopbackServer, product: Product
    ) -> None:
        image = fetched(product, server, "/slow.jpg")
        assert (image.status, image.error) == (
            ImageStatus.FAILED,
            "The server did not answer in time.",
        )
        job = Job.objects.get(kind=FETCH_JOB)
        assert (job.status, job.attempts, job.max_attempts) == (JobStatus.PENDING, 1, 3)

    def test_a_busy_server_is_tried_again_and_then_it_works(
        self, server: LoopbackServer, product: Product
    ) -> None:
        image = fetched(product, server, "/busy.jpg")
        assert (image.status, image.error) == (
            ImageStatus.FAILED,
            "The server answered 503 Service Unavailable.",
        )
        server.routes["/busy.jpg"] = Route(body=PNG_SMALL)
        Job.objects.update(run_after=timezone.now())
        run_jobs()
        image.refresh_from_db()
        assert (image.status, image.error) == (ImageStatus.READY, "")
        job = Job.objects.get(kind=FETCH_JOB)
        assert (job.status, job.attempts) == (JobStatus.DONE, 2)

    def test_a_host_not_allowed_is_never_asked(
        self, server: LoopbackServer, elsewhere: LoopbackServer, product: Product
    ) -> None:
        product_images_set(product_id=product.pk, urls=[elsewhere.url("/ok.jpg")])
        run_jobs()
        image = ProductImage.objects.get(product=product)
        assert image.status == ImageStatus.FAILED
        assert image.error == f"Pictures are not fetched from {elsewhere.host} (KVOTE_IMAGE_HOSTS)."
        assert elsewhere.hits["/ok.jpg"] == 0

    def test_the_same_host_on_another_port_or_by_another_name_is_not_allowed(
        self, server: LoopbackServer, product: Product
    ) -> None:
        other_name = server.url("/ok.jpg").replace("127.0.0.1", "localhost")
        product_images_set(product_id=product.pk, urls=[other_name])
        run_jobs()
        assert ProductImage.objects.get(product=product).status == ImageStatus.FAILED
        assert server.hits["/ok.jpg"] == 0

    def test_a_redirect_within_the_host_is_followed_one_elsewhere_is_refused(
        self, server: LoopbackServer, elsewhere: LoopbackServer, product: Product
    ) -> None:
        product_images_set(product_id=product.pk, urls=[server.url("/moved.jpg")])
        run_jobs()
        assert ProductImage.objects.get(product=product).status == ImageStatus.READY

        image = fetched(product, server, "/away.jpg")
        assert (image.status, image.error) == (
            ImageStatus.FAILED,
            "The server redirected to another host.",
        )
        assert elsewhere.hits["/ok.jpg"] == 0

    def test_a_failed_picture_never_fails_the_import_and_the_page_shows_the_placeholder(
        self, server: LoopbackServer, product: Product, buyer: User
    ) -> None:
        with transaction.atomic():  # the import's transaction
            product_images_set(product_id=product.pk, urls=[server.url("/missing.jpg")])
            product.name = "Vinterjakke 2"
            product.save()
        run_jobs()
        product.refresh_from_db()
        assert product.name == "Vinterjakke 2"
        client = Client()
        client.force_login(buyer)
        html = client.get(reverse("catalog:product", args=[product.pk])).content.decode()
        assert f'src="/static/{PLACEHOLDER}"' in html

    def test_the_scheme_and_length_of_an_address_are_checked_before_anything_is_kept(
        self, product: Product
    ) -> None:
        for url in ["ftp://pictures.example/a.jpg", "file:///etc/passwd", "pictures.example/a"]:
            assert image_url_error(url) == "An image address must start with http:// or https://."
            with pytest.raises(ServiceError) as refused:
                product_images_set(product_id=product.pk, urls=[url])
            assert refused.value.code == "image_url_invalid"
        too_long = "https://pictures.example/" + "a" * 1000
        assert "at most 1000 characters" in image_url_error(too_long)
        assert image_url_error("https://pictures.example/a.jpg") == ""
        assert not ProductImage.objects.exists()
        assert not Job.objects.exists()


class TestImagesSet:
    def urls(self, *names: str) -> list[str]:
        return [f"https://pictures.example/{name}.jpg" for name in names]

    def listed(self, product: Product) -> list[tuple[int, str]]:
        return [
            (image.position, image.source_url.rsplit("/", 1)[1])
            for image in ProductImage.objects.filter(product=product).exclude(source_url="")
        ]

    def test_keeps_order_adds_new_and_removes_the_unlisted(self, product: Product) -> None:
        product_images_set(product_id=product.pk, urls=self.urls("a", "b", "c"))
        assert self.listed(product) == [(0, "a.jpg"), (1, "b.jpg"), (2, "c.jpg")]
        assert Job.objects.filter(kind=FETCH_JOB).count() == 3
        kept = ProductImage.objects.get(source_url=self.urls("a")[0]).pk

        product_images_set(product_id=product.pk, urls=self.urls("c", "a", "d"))
        assert self.listed(product) == [(0, "c.jpg"), (1, "a.jpg"), (2, "d.jpg")]
        assert ProductImage.objects.get(source_url=self.urls("a")[0]).pk == kept
        assert Job.objects.filter(kind=FETCH_JOB).count() == 4  # one for d
        assert ProductImage.objects.get(source_url=self.urls("d")[0]).status == "pending"

        product_images_set(product_id=product.pk, urls=[])
        assert self.listed(product) == []

    def test_the_same_list_again_changes_nothing_in_one_query(
        self, product: Product, django_assert_num_queries: DjangoAssertNumQueries
    ) -> None:
        product_images_set(product_id=product.pk, urls=self.urls("a", "b"))
        with django_assert_num_queries(1):
            product_images_set(product_id=product.pk, urls=self.urls("a", "b"))
        assert Job.objects.count() == 2

    def test_blanks_and_repeats_count_once(self, product: Product) -> None:
        a, b = self.urls("a", "b")
        product_images_set(product_id=product.pk, urls=[f" {a} ", "", a, b, a])
        assert self.listed(product) == [(0, "a.jpg"), (1, "b.jpg")]

    def test_uploaded_pictures_are_left_alone(self, product: Product) -> None:
        uploaded = ProductImage.objects.create(product=product, position=5, original="x.jpg")
        product_images_set(product_id=product.pk, urls=self.urls("a"))
        product_images_set(product_id=product.pk, urls=[])
        uploaded.refresh_from_db()
        assert uploaded.position == 5

    def test_a_removed_picture_takes_its_files_after_commit(
        self, server: LoopbackServer, product: Product, django_capture_on_commit_callbacks: Any
    ) -> None:
        image = fetched(product, server, "/ok.jpg")
        names = [image.original.name] + [r["jpeg"] for r in image.renditions.values()]
        assert all(default_storage.exists(name) for name in names)
        with django_capture_on_commit_callbacks(execute=True):
            product_images_set(product_id=product.pk, urls=[])
            assert all(default_storage.exists(name) for name in names)  # not before commit
        assert not any(default_storage.exists(name) for name in names)

    def test_nothing_is_kept_when_the_import_rolls_back(self, product: Product) -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            product_images_set(product_id=product.pk, urls=self.urls("a"))
            raise RuntimeError("the import failed")
        assert not ProductImage.objects.exists()
        assert not Job.objects.exists()


class TestPictures:
    def test_alt_text_in_the_language_else_the_name_and_colour(self, product: Product) -> None:
        own = ready_image(product, 0)
        own.alt, own.alt_en = "Forfra", "Front"
        own.save()
        ready_image(product, 1, colour="Marine")
        bare = ProductFactory()
        with translation.override("en"):
            pictures = product_pictures(product_ids=[product.pk, bare.pk])
        assert [p.alt for p in pictures[product.pk]] == ["Front", "Winter jacket, Navy"]
        with translation.override("nb"):
            pictures = product_pictures(product_ids=[product.pk])
        assert [p.alt for p in pictures[product.pk]] == ["Forfra", "Vinterjakke, Marine"]
        (placeholder,) = pictures_of_bare = product_pictures(product_ids=[bare.pk])[bare.pk]
        assert pictures_of_bare and not placeholder.ready
        assert placeholder.url == f"/static/{PLACEHOLDER}"
        assert (placeholder.width, placeholder.height) == (800, 800)

    def test_srcsets_name_every_size_once(self, product: Product) -> None:
        ready_image(product)
        (picture,) = product_pictures(product_ids=[product.pk])[product.pk]
        assert picture.ready
        assert picture.url.endswith("-page.jpg")
        assert picture.webp_srcset.count("w, ") == 2
        assert picture.webp_srcset.endswith("-zoom.webp 1600w")
        assert picture.jpeg_srcset.startswith("/media/products/renditions/")
        assert (picture.width, picture.height) == (800, 800)

    def test_pending_and_failed_pictures_are_the_placeholder(self, product: Product) -> None:
        ProductImage.objects.create(product=product, source_url="https://a.example/1.jpg")
        ProductImage.objects.create(
            product=product, source_url="https://a.example/2.jpg", status=ImageStatus.FAILED
        )
        (picture,) = product_pictures(product_ids=[product.pk])[product.pk]
        assert not picture.ready

    def test_one_query_for_any_number_of_products(
        self, django_assert_num_queries: DjangoAssertNumQueries
    ) -> None:
        products = [ProductFactory() for _ in range(6)]
        for product in products:
            for position in range(3):
                ready_image(product, position)
        with django_assert_num_queries(1):
            pictures = product_pictures(product_ids=[p.pk for p in products])
        assert [len(found) for found in pictures.values()] == [3] * 6

    def test_a_lines_picture_is_its_colours_else_the_products_else_the_placeholder(
        self, product: Product, django_assert_num_queries: DjangoAssertNumQueries
    ) -> None:
        ready_image(product, 0)
        ready_image(product, 1, colour="Marine")
        bare = ProductFactory()
        pairs = [(product.pk, "Marine"), (product.pk, "Sort"), (bare.pk, "Sort")]
        with django_assert_num_queries(1):
            found = colour_pictures(pairs=pairs + pairs)
        assert found[(product.pk, "Marine")].colour == "Marine"
        assert found[(product.pk, "Sort")].colour == ""  # the product's first
        assert found[(product.pk, "Sort")].ready
        assert not found[(bare.pk, "Sort")].ready
        assert len(found) == 3


class TestMedia:
    def test_renditions_are_served_with_their_type_and_a_long_cache(
        self, server: LoopbackServer, product: Product, settings: Settings
    ) -> None:
        settings.DEBUG = False
        image = fetched(product, server, "/ok.jpg")
        card = image.renditions["card"]
        for name, content_type in [(card["webp"], "image/webp"), (card["jpeg"], "image/jpeg")]:
            response = Client().get(default_storage.url(name))
            assert response.status_code == 200
            assert response["Content-Type"] == content_type
            assert "max-age=31536000" in response["Cache-Control"]
            with default_storage.open(name) as file:
                assert b"".join(response.streaming_content) == file.read()

    def test_missing_files_and_paths_out_of_the_folder_are_not_found(self, media_dir: Path) -> None:
        (media_dir.parent / "secret.txt").write_text("secret")
        for path in [
            "/media/products/none.jpg",
            "/media/../secret.txt",
            "/media/%2e%2e/secret.txt",
            "/media/products",
            "/media/%00.jpg",
        ]:
            assert Client().get(path).status_code == 404, path

    def test_a_file_that_is_no_picture_is_a_download(self) -> None:
        name = default_storage.save("products/note.html", BytesIO(b"<script>alert(1)</script>"))
        response = Client().get(default_storage.url(name))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment")


class TestBackOffice:
    @pytest.fixture
    def client(self, staff: User) -> Client:
        client = Client()
        client.force_login(staff)
        return client

    def test_the_product_page_shows_the_thumbnail_status_and_error(
        self, client: Client, server: LoopbackServer, product: Product
    ) -> None:
        image = fetched(product, server, "/ok.jpg")
        ProductImage.objects.create(
            product=product, source_url="https://a.example/x.jpg", status="failed", error="Gone."
        )
        html = client.get(reverse("admin:catalog_product_change", args=[product.pk])).content
        text = html.decode()
        assert default_storage.url(image.renditions["card"]["jpeg"]) in text
        assert "Gone." in text
        assert 'name="images-0-original"' in text

    def test_an_upload_is_rendered_by_the_job_queue(self, client: Client, product: Product) -> None:
        bare: Product = ProductFactory(name="Bukse")
        data: dict[str, Any] = {
            "code": bare.code,
            "category": bare.category_id,
            "list_price": "500.00",
            "is_active": "on",
            "name": bare.name,
            "variants-TOTAL_FORMS": "0",
            "variants-INITIAL_FORMS": "0",
            "images-TOTAL_FORMS": "1",
            "images-INITIAL_FORMS": "0",
            "images-0-original": SimpleUploadedFile("front.png", PNG_SMALL, "image/png"),
            "images-0-position": "0",
            "images-0-alt": "Forfra",
        }
        url = reverse("admin:catalog_product_change", args=[bare.pk])
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:3000]
        image = ProductImage.objects.get(product=bare)
        assert (image.status, image.alt) == (ImageStatus.PENDING, "Forfra")
        assert Job.objects.get().kind == RENDER_JOB
        run_jobs()
        image.refresh_from_db()
        assert image.status == ImageStatus.READY, image.error
        assert image.renditions["card"]["width"] == 300

    def test_an_upload_that_is_no_picture_is_refused_and_nothing_is_kept(
        self, client: Client
    ) -> None:
        product: Product = ProductFactory()
        response = client.post(
            reverse("admin:catalog_productimage_add"),
            {
                "product": product.pk,
                "original": SimpleUploadedFile("front.jpg", b"no picture", "image/jpeg"),
                "position": "0",
            },
        )
        assert response.status_code == 200
        assert "This is not a JPEG, PNG, WebP or GIF picture." in response.content.decode()
        assert not ProductImage.objects.exists()

    def test_the_list_filters_by_status_and_fetches_again(
        self, client: Client, server: LoopbackServer, product: Product
    ) -> None:
        image = fetched(product, server, "/busy.jpg")
        changelist = reverse("admin:catalog_productimage_changelist")
        assert image.source_url in client.get(changelist, {"status": "failed"}).content.decode()
        assert image.source_url not in client.get(changelist, {"status": "ready"}).content.decode()

        server.routes["/busy.jpg"] = Route(body=PNG_SMALL)
        response = client.post(
            changelist, {"action": "refresh", "_selected_action": [image.pk]}, follow=True
        )
        assert "1 picture will be fetched or rendered again." in response.content.decode()
        image.refresh_from_db()
        assert image.status == ImageStatus.PENDING
        Job.objects.filter(status=JobStatus.PENDING).update(run_after=timezone.now())
        run_jobs()
        image.refresh_from_db()
        assert image.status == ImageStatus.READY

    def test_only_the_suppliers_staff_may_fetch_again(self, buyer: User) -> None:
        with pytest.raises(ServiceError):
            product_images_refresh(actor=buyer, image_ids=[])


class TestPages:
    @pytest.fixture
    def client(self, buyer: User) -> Client:
        client = Client()
        client.force_login(buyer)
        return client

    def test_the_card_and_the_page_show_the_placeholder_then_the_rendition(
        self, client: Client, server: LoopbackServer, product: Product
    ) -> None:
        product_images_set(product_id=product.pk, urls=[server.url("/ok.jpg")])
        placeholder = f'src="/static/{PLACEHOLDER}"'
        page_url = reverse("catalog:product", args=[product.pk])
        for url in (reverse("catalog:list"), page_url):
            html = client.get(url).content.decode()
            assert placeholder in html
            assert 'width="800" height="800"' in html

        run_jobs()
        image = ProductImage.objects.get(product=product)
        card, page = image.renditions["card"], image.renditions["page"]
        html = client.get(reverse("catalog:list")).content.decode()
        assert placeholder not in html
        assert f'<source type="image/webp" srcset="/media/{card["webp"]} 300w,' in html
        assert f'src="/media/{page["jpeg"]}"' in html
        assert 'width="600" height="800" alt="Winter jacket" loading="lazy"' in html
        html = client.get(page_url).content.decode()
        assert f'src="/media/{page["jpeg"]}"' in html
        assert 'alt="Winter jacket" decoding="async"' in html  # the first is not lazy

    def test_the_gallery_shows_the_chosen_colours_pictures_first(
        self, client: Client, product: Product
    ) -> None:
        ready_image(product, 0)
        ready_image(product, 1, colour="Marine")
        url = reverse("catalog:product", args=[product.pk])
        pictures = client.get(url, {"colour": "Sort"}).context["page"].pictures
        assert [p.colour for p in pictures] == ["", "Marine"]
        pictures = client.get(url, {"colour": "Marine"}).context["page"].pictures
        assert [p.colour for p in pictures] == ["Marine", ""]
        html = client.get(
            url, {"colour": "Marine"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="variant-panel"
        ).content.decode()
        assert '<div id="gallery" class="kv-gallery" hx-swap-oob="true">' in html

    @pytest.mark.parametrize("products", [1, 12])
    def test_query_counts_do_not_grow_with_products_or_pictures(
        self,
        client: Client,
        buyer: User,
        products: int,
        django_assert_num_queries: DjangoAssertNumQueries,
    ) -> None:
        made = []
        for _ in range(products):
            product: Product = ProductFactory()
            VariantFactory(product=product)
            for position in range(3):
                ready_image(product, position)
            Favourite.objects.create(company=buyer.company, user=buyer, product=product)
            made.append(product)
        # session, user (with the company and its assortment setting), cart count,
        # categories, count, products, colours, pictures, own employee, kit
        # (kvote.catalog.entitlements)
        with django_assert_num_queries(10):
            response = client.get(reverse("catalog:list"))
        assert len(response.context["products"]) == products
        # session, user (with the company's assortment setting), cart count, favourites,
        # colours, pictures
        with django_assert_num_queries(6):
            client.get(reverse("catalog:favourites"))
        # session, user (with the company's assortment setting and whether the buyer is a
        # budget holder), cart count, product, variants, the recipients (with their sizes),
        # price, pictures, own employee, kit
        with django_assert_num_queries(10):
            response = client.get(reverse("catalog:product", args=[made[0].pk]))
        assert len(response.context["page"].pictures) == 3


class TestSettings:
    ENV = {
        "KVOTE_S3_BUCKET": "kvote-media",
        "KVOTE_S3_ENDPOINT_URL": "https://s3.example.net",
        "KVOTE_S3_REGION": "eu-north-1",
        "KVOTE_S3_ACCESS_KEY": "AKIAEXAMPLE",
        "KVOTE_S3_SECRET_KEY": "not-a-secret",
    }

    def test_s3_builds_an_s3_storage_that_signs_without_the_network(self) -> None:
        entry, origin = s3_media_storage(self.ENV)
        storage = storages.create_storage(entry)
        assert type(storage).__name__ == "S3Storage"
        assert storage.bucket_name == "kvote-media"
        url = storage.url("products/renditions/1/a-card.webp")
        assert url.startswith(
            "https://s3.example.net/kvote-media/products/renditions/1/a-card.webp?"
        )
        assert "Signature" in url
        assert origin == "https://s3.example.net"

    def test_a_custom_domain_serves_unsigned_and_is_allowed_by_the_policy(self) -> None:
        env = {**self.ENV, "KVOTE_S3_CUSTOM_DOMAIN": "cdn.example.net"}
        entry, origin = s3_media_storage(env)
        url = storages.create_storage(entry).url("products/a.webp")
        assert url == "https://cdn.example.net/products/a.webp"
        assert origin == "https://cdn.example.net"
        code = (
            "import django; django.setup()\n"
            "from django.conf import settings\n"
            "from django.core.files.storage import default_storage\n"
            "print(type(default_storage._wrapped if default_storage._setup() is None else 0))\n"
            "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])\n"
            "print(default_storage.url('x.jpg'))\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={
                **os.environ,
                **env,
                "KVOTE_MEDIA_STORAGE": "s3",
                "DJANGO_SETTINGS_MODULE": "kvote.settings",
            },
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        lines = result.stdout.splitlines()
        assert lines[-3] == "<class 'storages.backends.s3.S3Storage'>"
        assert lines[-2] == "[\"'self'\", 'data:', 'https://cdn.example.net']"
        assert lines[-1] == "https://cdn.example.net/x.jpg"

    def test_a_missing_bucket_is_refused(self) -> None:
        with pytest.raises(RuntimeError, match="KVOTE_S3_BUCKET"):
            s3_media_storage({})
