from django.urls import path

from kvote.ordering import views

app_name = "ordering"
urlpatterns = [
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/quick-add/", views.cart_quick_add, name="cart_quick_add"),
    path("cart/lines/<int:line_id>/", views.cart_line_update, name="cart_line_update"),
    path("cart/lines/<int:line_id>/remove/", views.cart_line_remove, name="cart_line_remove"),
    path("employees/search/", views.employee_search, name="employee_search"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/review/", views.checkout_review, name="checkout_review"),
    path("checkout/submit/", views.order_submit, name="order_submit"),
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    path(
        "orders/<int:order_id>/confirmation/",
        views.order_confirmation,
        name="order_confirmation",
    ),
    path("min-side/", views.my_page, name="my_page"),
    path("min-side/orders/", views.order_list, name="order_list"),
]
