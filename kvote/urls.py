from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from kvote.api.api import api
from kvote.common.media import media_file

admin.site.site_header = _("Kvote back office")
admin.site.site_title = _("Kvote back office")
admin.site.index_title = _("Supplier administration")

# The portal's own error pages (kvote.common.error_pages); 404, 403 and 400 are Django's handlers
# drawing templates/404.html, 403.html and 400.html.
handler500 = "kvote.common.error_pages.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("kvote.people.urls")),
    path("", include("kvote.employees.urls")),
    path("catalog/", include("kvote.catalog.urls")),
    path("", include("kvote.ordering.urls")),
    path("", include("kvote.checkout.urls")),
    path("budgets/", include("kvote.budgets.urls")),
    path("kits/", include("kvote.kits.urls")),
    path("approvals/", include("kvote.approvals.urls")),
    path("api/v1/", api.urls),
    path("min-side/api-tokens/", include("kvote.api.urls")),
    path("supplier/", include("kvote.supplier.urls")),
    # Uploaded and fetched files from the file-system store (MEDIA_URL, kvote.common.media).
    path("media/", include(([path("<path:path>", media_file, name="file")], "media"))),
]
