from django.urls import path

from kvote.kits import views

app_name = "kits"
urlpatterns = [
    path("", views.kit_list, name="list"),
    path("new/", views.kit_create, name="create"),
    path("assign/", views.kit_assign, name="assign"),
    path("<int:kit_id>/", views.kit_update, name="update"),
    path("<int:kit_id>/delete/", views.kit_delete, name="delete"),
    path("<int:kit_id>/history/", views.kit_history, name="history"),
    path("employees/<int:employee_id>/", views.employee_kit_set, name="employee_set"),
    path(
        "employees/<int:employee_id>/history/",
        views.employee_kit_history,
        name="employee_history",
    ),
]
