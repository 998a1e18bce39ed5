from django.urls import path

from kvote.supplier import views

app_name = "supplier"
urlpatterns = [
    path("orders/<str:order_number>/status/", views.order_status, name="order_status"),
]
