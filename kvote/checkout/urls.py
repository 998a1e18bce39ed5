from django.urls import path

from kvote.checkout.views import bulk, cart, checkout, pages

app_name = "checkout"
urlpatterns = [
    path("cart/", cart.cart, name="cart"),
    path("cart/add/", cart.cart_add, name="cart_add"),
    path("cart/summary/", cart.cart_summary, name="cart_summary"),
    path("cart/quick-order/", bulk.quick_order, name="quick_order"),
    path("orders/<int:order_id>/again/", bulk.order_again, name="order_again"),
    path("cart/lines/<int:line_id>/", cart.cart_line_update, name="cart_line_update"),
    path("cart/lines/<int:line_id>/remove/", cart.cart_line_remove, name="cart_line_remove"),
    path("employees/search/", cart.employee_search, name="employee_search"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("checkout/review/", checkout.checkout_review, name="checkout_review"),
    path("checkout/submit/", checkout.order_submit, name="order_submit"),
    path(
        "orders/<int:order_id>/confirmation/",
        pages.order_confirmation,
        name="order_confirmation",
    ),
    path("min-side/", pages.my_page, name="my_page"),
]
