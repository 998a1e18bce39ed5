from django.urls import path

from kvote.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.product_list, name="list"),
    path("favourites/", views.favourites, name="favourites"),
    path("<int:product_id>/", views.product_detail, name="product"),
    path("<int:product_id>/favourite/", views.favourite_add, name="favourite_add"),
    path("<int:product_id>/unfavourite/", views.favourite_remove, name="favourite_remove"),
]
