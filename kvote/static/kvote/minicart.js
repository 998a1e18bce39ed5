/* The cart answers (base.html, the header's cart; catalog/includes/variant_panel.html).
 *
 * The mini-cart: the header's cart link becomes a disclosure button (role=button,
 * aria-expanded) that opens a summary under the header: each line, the total, the ways on.
 * Its content is loaded when it is first opened (htmx GET of the link's data-kv-minicart) and
 * again after the cart changed (the event kv-cart-changed an htmx answer sends, HX-Trigger).
 * Enter or Space opens and closes it; Escape closes it and gives the focus back to the button;
 * so does a click outside it, or the focus leaving it. Opening it folds the phone menu
 * (menu.js) and opening the menu folds it. On the cart page, and without JavaScript, the link
 * stays a link to the cart page.
 *
 * Adding to the cart from the product page (htmx, checkout/partials/cart_added.html): a refusal
 * marks the quantity invalid and puts the focus there to fix it (the message is at the field,
 * role=alert); a confirmation leaves the focus on the button. With htmx the browser's own
 * check is off, so the server's message is the one shown.
 */
(function () {
  "use strict";

  function wireMiniCart() {
    var link = document.querySelector("[data-kv-minicart]");
    if (!link || !window.htmx) return;
    var panel = document.getElementById(link.getAttribute("aria-controls"));
    if (!panel || link.getAttribute("aria-current") === "page") return;
    var wrap = link.parentElement;
    var url = link.getAttribute("data-kv-minicart");
    var stale = true;
    var menuButton = document.querySelector("[data-kv-menu]");

    link.setAttribute("role", "button");
    link.setAttribute("aria-expanded", "false");

    function isOpen() {
      return link.getAttribute("aria-expanded") === "true";
    }
    function load() {
      stale = false;
      if (!panel.firstElementChild) {
        panel.textContent = panel.getAttribute("data-kv-loading");
      }
      panel.setAttribute("aria-busy", "true");
      window.htmx
        .ajax("GET", url, { source: link, target: panel, swap: "innerHTML" })
        .then(function () {
          panel.removeAttribute("aria-busy");
        });
    }
    function open() {
      if (menuButton && menuButton.getAttribute("aria-expanded") === "true") {
        menuButton.setAttribute("aria-expanded", "false");
      }
      link.setAttribute("aria-expanded", "true");
      panel.hidden = false;
      if (stale) load();
    }
    function close(giveFocusBack) {
      link.setAttribute("aria-expanded", "false");
      panel.hidden = true;
      if (giveFocusBack) link.focus();
    }

    link.addEventListener("click", function (event) {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return; // a new tab
      event.preventDefault();
      if (isOpen()) close(false);
      else open();
    });
    link.addEventListener("keydown", function (event) {
      if (event.key === " " || event.key === "Spacebar") {
        event.preventDefault(); // a button opens on Space (a link would scroll the page)
        if (isOpen()) close(false);
        else open();
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !isOpen()) return;
      var inside = wrap.contains(document.activeElement);
      close(inside);
    });
    document.addEventListener("click", function (event) {
      if (isOpen() && !wrap.contains(event.target)) close(false);
    });
    wrap.addEventListener("focusout", function (event) {
      if (isOpen() && event.relatedTarget && !wrap.contains(event.relatedTarget)) close(false);
    });
    if (menuButton) {
      menuButton.addEventListener("click", function () {
        if (isOpen()) close(false);
      });
    }
    document.body.addEventListener("htmx:responseError", function (event) {
      if (event.detail.target !== panel) return;
      stale = true;
      panel.removeAttribute("aria-busy");
      panel.textContent = panel.getAttribute("data-kv-failed");
    });
    document.body.addEventListener("htmx:sendError", function (event) {
      if (event.detail.target !== panel) return;
      stale = true;
      panel.removeAttribute("aria-busy");
      panel.textContent = panel.getAttribute("data-kv-failed");
    });
    document.body.addEventListener("kv-cart-changed", function () {
      stale = true;
      if (isOpen()) load();
    });
  }

  function wireAddForm() {
    if (!window.htmx) return;
    // The server's message is shown at the field, not the browser's own bubble (htmx answers
    // in place, so what was typed stays). onLoad: the page, and each panel swapped in later.
    window.htmx.onLoad(function (root) {
      if (!root.querySelectorAll) return;
      var forms = Array.prototype.slice.call(root.querySelectorAll(".kv-add-form"));
      if (root.matches(".kv-add-form")) forms.push(root);
      forms.forEach(function (form) {
        form.noValidate = true;
      });
    });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var form = event.detail.elt;
      if (!form || !form.classList || !form.classList.contains("kv-add-form")) return;
      if (!event.detail.successful) return;
      var message = document.getElementById("cart-add-error");
      var quantity = form.elements.namedItem("quantity");
      if (!message || !quantity) return;
      var refused = message.textContent.trim() !== "";
      if (refused && message.getAttribute("data-field") === "quantity") {
        quantity.setAttribute("aria-invalid", "true");
      } else {
        quantity.removeAttribute("aria-invalid");
      }
      if (refused) {
        quantity.focus();
        quantity.select();
      }
    });
  }

  function start() {
    wireMiniCart();
    wireAddForm();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
