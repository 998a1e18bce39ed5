"""The checkout pages: cart, checkout, review, confirmation, Min side."""
