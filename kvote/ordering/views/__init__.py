"""The ordering pages: cart, checkout, review, confirmation, Min side, Mine ordrer, order detail."""

from kvote.ordering.views.cart import (
    cart,
    cart_add,
    cart_line_remove,
    cart_line_update,
    cart_quick_add,
    employee_search,
)
from kvote.ordering.views.checkout import checkout, checkout_review, order_submit
from kvote.ordering.views.orders import (
    my_page,
    order_cancel,
    order_confirmation,
    order_detail,
    order_list,
)

__all__ = [
    "cart",
    "cart_add",
    "cart_line_remove",
    "cart_line_update",
    "cart_quick_add",
    "checkout",
    "checkout_review",
    "employee_search",
    "my_page",
    "order_cancel",
    "order_confirmation",
    "order_detail",
    "order_list",
    "order_submit",
]
