"""«Mine ansatte» exports and import. Each export has one URL per format; `fmt` reaches the view
as a fixed argument, so the URL carries no parameter but the employee's id. CSV comes last so
that `reverse(name)` without `fmt` gives the CSV (text) URL."""

from django.urls import path

from kvote.people import exchange_views as views

urlpatterns = [
    *(
        path(
            f"min-side/ansatte/eksport.{fmt}",
            views.employees_export,
            {"fmt": fmt},
            name="employees_export",
        )
        for fmt in ("xlsx", "csv")
    ),
    *(
        path(
            f"min-side/ansatte/alle/eksport.{fmt}",
            views.employees_all_export,
            {"fmt": fmt},
            name="employees_all_export",
        )
        for fmt in ("xlsx", "csv")
    ),
    *(
        path(
            f"min-side/ansatte/<int:employee_id>/kjop/eksport.{fmt}",
            views.employee_purchases_export,
            {"fmt": fmt},
            name="employee_purchases_export",
        )
        for fmt in ("xlsx", "csv")
    ),
    path("min-side/ansatte/import/", views.employees_import, name="employees_import"),
]
