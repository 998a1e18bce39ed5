"""The public REST API v1 (issue #7): one NinjaAPI, its error handlers and its routers.

Docs at /api/v1/docs, the OpenAPI schema at /api/v1/openapi.json. Endpoints are thin: parse,
call one service or selector, shape the answer with the schemas of kvote.api.schemas.
"""

import json
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.parser import Parser

from kvote.api.approvals import router as approvals_router
from kvote.api.auth import AUTH
from kvote.api.auth import router as auth_router
from kvote.api.catalog import router as catalog_router
from kvote.api.catalog_admin import router as catalog_admin_router
from kvote.api.catalog_imports import router as catalog_imports_router
from kvote.api.company import router as company_router
from kvote.api.employees import router as employees_router
from kvote.api.errors import INVALID, ApiError, NulCharacterError, has_nul, install_handlers
from kvote.api.kits import employee_router as employee_kit_router
from kvote.api.kits import router as kits_router
from kvote.api.me import router as me_router
from kvote.api.orders import router as orders_router


class JsonParser(Parser):
    """JSON only: a body that is not a JSON document is refused (400 `malformed_json`). Text
    with NUL characters, which no database column holds, is refused too (400 `invalid`)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body.decode("utf-8"))
        if has_nul(data):
            raise NulCharacterError
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        for key, values in data.lists():
            if has_nul([key, *values]):
                raise ApiError(400, INVALID, _("Text cannot contain NUL characters."), {key: ""})
        return super().parse_querydict(data, list_fields, request)


api = NinjaAPI(
    title="Kvote API",
    version="1",
    description=(
        "The public REST API of Kvote. Authenticate with `POST /api/v1/auth/token`, then send "
        "`Authorization: Bearer <token>`. Money is a string with two decimals (NOK, excl. VAT "
        "unless named otherwise); lists are `{items, count}` with `limit` and `offset`; errors "
        "are `{code, message}` (plus `fields` for invalid input)."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=AUTH,
    parser=JsonParser(),
)
install_handlers(api)

api.add_router("/auth", auth_router)
api.add_router("/me", me_router)
api.add_router("", catalog_router)
api.add_router("/catalog", catalog_admin_router)
api.add_router("/catalog", catalog_imports_router)
api.add_router("/orders", orders_router)
api.add_router("/approvals", approvals_router)
api.add_router("/employees", employees_router)
api.add_router("/employees", employee_kit_router)
api.add_router("/kits", kits_router)
api.add_router("/company", company_router)
