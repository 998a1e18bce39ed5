"""The imports' endpoints (kvote.api.catalog_imports): a file or JSON rows in, the preview out,
apply once; only the supplier's staff; an id under the other path is 404. Runs once
kvote.catalog.imports (issue 15, another branch) is merged."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kvote.api.tests.core_helpers import Api
from kvote.catalog.models import CatalogueImport, Variant
from kvote.people.models import User
from tests.factories import CategoryFactory, CompanyFactory, UserFactory, member

pytestmark = pytest.mark.django_db

HEADER = "product_number,product_name,category,item_number,colour,size,list_price,stock\n"


def catalogue_csv(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


ROW = {
    "product_number": "API-1",
    "product_name": "Jakke",
    "category": "jakker",
    "item_number": "API-1-M",
    "colour": "Sort",
    "size": "M",
    "list_price": "499.00",
    "stock": 3,
}


@pytest.fixture
def staff() -> User:
    return UserFactory(company=None, is_staff=True, language="en")


@pytest.fixture
def api(staff: User) -> Api:
    CategoryFactory(slug="jakker", name="Jakker")
    return Api(staff)


def upload(api: Api, path: str, content: bytes, **form: str) -> Any:
    return api.client.post(
        "/api/v1" + path,
        {"file": SimpleUploadedFile("katalog.csv", content, "text/csv"), **form},
        headers=api.headers,
    )


def test_a_file_is_previewed_then_applied_once(api: Api) -> None:
    started = upload(
        api, "/catalog/imports", catalogue_csv("API-1,Jakke,jakker,API-1-M,Sort,M,499.00,3")
    )
    assert started.status_code == 201, started.content
    body = started.json()
    assert (body["status"], body["mode"], body["filename"]) == (
        "previewed",
        "upsert",
        "katalog.csv",
    )
    assert body["counts"]["new"] >= 1 and body["errors"] == [] and body["progress"] is None
    assert not Variant.objects.filter(item_number="API-1-M").exists()  # a preview writes nothing
    looked = api.get(f"/catalog/imports/{body['id']}")
    assert looked.json()["status"] == "previewed"
    applied = api.post(f"/catalog/imports/{body['id']}/apply")
    assert (applied.status_code, applied.json()["status"]) == (200, "applied")
    assert Variant.objects.get(item_number="API-1-M").stock == 3
    again = api.post(f"/catalog/imports/{body['id']}/apply")
    assert (again.status_code, again.json()["code"]) == (409, "import_already_applied")


def test_json_rows_work_too_and_bad_rows_are_listed(api: Api) -> None:
    good = api.post("/catalog/imports", {"rows": [ROW], "mode": "upsert"})
    assert (good.status_code, good.json()["status"]) == (201, "previewed")
    bad = api.post("/catalog/imports", {"rows": [{**ROW, "list_price": "lots"}]})
    assert (bad.status_code, bad.json()["status"]) == (201, "invalid")
    assert bad.json()["errors"][0]["column"] == "list_price"
    refused = api.post(f"/catalog/imports/{bad.json()['id']}/apply")
    assert (refused.status_code, refused.json()["code"]) == (409, "import_invalid")


@pytest.mark.parametrize(
    "body",
    [{}, {"rows": "x"}, {"rows": [ROW], "mode": "all"}, {"rows": [[1]]}, [], "text", None],
)
def test_bad_json_bodies_are_400(api: Api, body: Any) -> None:
    response = api.post("/catalog/imports", body)
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "malformed_json"}
    assert not CatalogueImport.objects.exists()


def test_a_file_that_is_no_csv_is_400_and_a_missing_file_too(api: Api) -> None:
    assert upload(api, "/catalog/imports", b"\x00\x01\x02PK").status_code == 400
    missing = api.client.post("/api/v1/catalog/imports", {"mode": "upsert"}, headers=api.headers)
    assert missing.status_code == 400
    bad_mode = upload(api, "/catalog/imports", catalogue_csv(), mode="everything")
    assert (bad_mode.status_code, bad_mode.json()["fields"]) == (400, {"mode": "upsert or full"})


def test_an_id_under_the_other_path_is_404(api: Api) -> None:
    catalogue = api.post("/catalog/imports", {"rows": [ROW]}).json()["id"]
    assert api.get(f"/catalog/price-lists/{catalogue}").status_code == 404
    assert api.post(f"/catalog/price-lists/{catalogue}/apply").status_code == 404
    assert api.get("/catalog/imports/987654321").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/catalog/imports",
        "/catalog/imports/1",
        "/catalog/imports/1/apply",
        "/catalog/price-lists",
        "/catalog/price-lists/1",
        "/catalog/price-lists/1/apply",
    ],
)
def test_customers_are_403_and_anonymous_401(path: str) -> None:
    customer = Api(member(CompanyFactory(), is_company_admin=True))
    call = customer.get if path.endswith("/1") else customer.post
    response = call(path) if call == customer.get else call(path, {"rows": [ROW]})
    assert (response.status_code, response.json()["code"]) == (403, "catalogue_not_allowed")
    anonymous = Client().post("/api/v1" + path)
    assert anonymous.status_code in {401, 405}


@pytest.mark.parametrize("count", [3, 300])
def test_reading_an_import_is_a_fixed_number_of_queries(
    api: Api, count: int, django_assert_num_queries: Any
) -> None:
    rows = [{**ROW, "item_number": f"API-1-{n}", "size": f"S{n}"} for n in range(count)]
    found = api.post("/catalog/imports", {"rows": rows}).json()["id"]
    api.get(f"/catalog/imports/{found}")
    with django_assert_num_queries(2):  # token, the import (progress is in the cache)
        assert api.get(f"/catalog/imports/{found}").status_code == 200
