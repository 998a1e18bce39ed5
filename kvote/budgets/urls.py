from django.urls import path

from kvote.budgets import views

app_name = "budgets"
urlpatterns = [
    path("", views.budget_list, name="list"),
    path("many/", views.budget_set_many, name="set_many"),
    path("settings/", views.budget_settings, name="settings"),
    path("employees/<int:employee_id>/", views.budget_set, name="set"),
    path("employees/<int:employee_id>/history/", views.budget_history, name="history"),
]
