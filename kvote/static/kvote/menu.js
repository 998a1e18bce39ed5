/* The header's «Meny» on a phone (base.html, kvote.css "header"): a disclosure button that
   shows and hides the navigation, the language switch and «Logg ut».

   Loaded in <head> without defer, so the page is marked as scripted (html.kv-js) before it is
   drawn: the menu starts folded with no flash. Without JavaScript the class never comes, the
   button stays hidden and every link shows. Wide screens show everything and no button (CSS).
   The button says whether the menu is open (aria-expanded); Escape closes it and gives the
   focus back to the button; so does a click or the focus leaving the menu. */
(function () {
  "use strict";
  document.documentElement.classList.add("kv-js");

  function wire(button) {
    var nav = button.parentElement;
    var panel = document.getElementById(button.getAttribute("aria-controls"));
    if (!nav || !panel) {
      return;
    }
    function isOpen() {
      return button.getAttribute("aria-expanded") === "true";
    }
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    function folds() {
      return window.getComputedStyle(button).display !== "none";
    }
    button.addEventListener("click", function () {
      setOpen(!isOpen());
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !isOpen() || !folds()) {
        return;
      }
      var inside = nav.contains(document.activeElement);
      setOpen(false);
      if (inside) {
        button.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (isOpen() && !nav.contains(event.target)) {
        setOpen(false);
      }
    });
    nav.addEventListener("focusout", function (event) {
      if (isOpen() && folds() && event.relatedTarget && !nav.contains(event.relatedTarget)) {
        setOpen(false);
      }
    });
  }

  function start() {
    var buttons = document.querySelectorAll("[data-kv-menu]");
    for (var i = 0; i < buttons.length; i += 1) {
      wire(buttons[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
