from django.urls import path

from kvote.approvals import views

app_name = "approvals"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:order_id>/decide/", views.decide, name="decide"),
    path("decide-many/", views.decide_many, name="decide_many"),
    path("substitutes/", views.substitutes, name="substitutes"),
    path(
        "substitutes/<int:substitute_id>/remove/",
        views.substitute_remove,
        name="substitute_remove",
    ),
    path("settings/", views.policy_settings, name="settings"),
]
