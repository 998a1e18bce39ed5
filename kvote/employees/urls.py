"""«Mine ansatte»: the lists, the drill-down, editing, exports and imports (employees, sizes),
and «Mine størrelser» of Min side. Each export has one
URL per format; `fmt` reaches the view as a fixed argument, so the URL carries no parameter but
the employee's id. CSV comes last so that `reverse(name)` without `fmt` gives the CSV URL."""

from django.urls import path

from kvote.common.exports import FORMATS
from kvote.employees import exchange_views, size_views, views

urlpatterns = [
    *(
        path(
            f"min-side/ansatte/eksport.{fmt}",
            exchange_views.employees_export,
            {"fmt": fmt},
            name="employees_export",
        )
        for fmt in FORMATS
    ),
    *(
        path(
            f"min-side/ansatte/alle/eksport.{fmt}",
            exchange_views.employees_all_export,
            {"fmt": fmt},
            name="employees_all_export",
        )
        for fmt in FORMATS
    ),
    *(
        path(
            f"min-side/ansatte/<int:employee_id>/kjop/eksport.{fmt}",
            exchange_views.employee_purchases_export,
            {"fmt": fmt},
            name="employee_purchases_export",
        )
        for fmt in FORMATS
    ),
    # The sizes as CSV only: the template the import (CSV) reads back.
    path(
        "min-side/ansatte/storrelser/eksport.csv",
        size_views.sizes_export,
        {"fmt": "csv"},
        name="sizes_export",
    ),
    path("min-side/ansatte/import/", exchange_views.employees_import, name="employees_import"),
    path("min-side/ansatte/storrelser/import/", size_views.sizes_import, name="sizes_import"),
    path("min-side/storrelser/", size_views.my_sizes, name="my_sizes"),
    path("min-side/ansatte/", views.employees_mine, name="employees_mine"),
    path("min-side/ansatte/alle/", views.employees_all, name="employees_all"),
    path(
        "min-side/ansatte/<int:employee_id>/kjop/",
        views.employee_purchases,
        name="employee_purchases",
    ),
    path(
        "min-side/ansatte/<int:employee_id>/endre/",
        views.employee_update,
        name="employee_update",
    ),
    path(
        "min-side/ansatte/<int:employee_id>/deaktiver/",
        views.employee_deactivate,
        name="employee_deactivate",
    ),
]
