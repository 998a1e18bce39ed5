from django.urls import path

from kvote.ordering import views

app_name = "ordering"
urlpatterns = [
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    path("min-side/orders/", views.order_list, name="order_list"),
]
