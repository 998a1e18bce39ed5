from django.db import models


class CatalogueError(models.TextChoices):
    """Why a change to the catalogue (an import, a price list, a stock update) is refused."""

    NOT_ALLOWED = "catalogue_not_allowed"  # not the supplier's staff (HTTP 403)
    BAD_FILE = "import_bad_file"  # not a CSV, XLSX or JSON rows we can read (HTTP 400)
    INVALID = "import_invalid"  # the preview found bad rows: nothing can be applied (HTTP 409)
    STALE = "import_stale"  # the catalogue changed since the preview (HTTP 409)
    ALREADY_APPLIED = "import_already_applied"  # (HTTP 409)
    NOT_READY = "import_not_ready"  # still being checked or applied (HTTP 409)
    # The apply failed (in the worker: stale, or the file could not be read): upload it again
    # for a fresh preview (HTTP 409).
    FAILED = "import_failed"
    UNKNOWN_ITEMS = "unknown_item_numbers"  # a stock update names item numbers we lack (400)
    IMAGE_URL_INVALID = "image_url_invalid"  # not an http(s) address we can keep (HTTP 400)
    DUPLICATE_ITEMS = "duplicate_item_numbers"  # a stock update names one twice (400)
    STOCK_INVALID = "invalid_stock"  # a stock that is not a whole number in range, … (400)


class SizeError(models.TextChoices):
    """Why a change to an employee's sizes is refused (kvote.catalog.size_profiles; HTTP 400)."""

    UNKNOWN_GROUP = "unknown_size_group"  # a key that is no size group
    NOT_IN_CATALOGUE = "size_not_in_group"  # a size that is not among its group's sizes
