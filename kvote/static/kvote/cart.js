/* The cart keeps every choice: each is saved as it is made, and leaving the page waits for it.
 *
 * A line's quantity and recipient post themselves on change (htmx: hx-post on the field; the
 * line's form queues its saves, so the last choice is the one kept, and the answer swaps the
 * line's messages, its total and the cart's totals in place, never the fields). This script
 * - switches the cart to saving as you go (.kv-autosave: «Update» is hidden, and the browser's
 *   own check is off, so the server's message is shown at the field);
 * - holds every way of leaving the page (a link, a form's button, Enter in a field) while a
 *   save is on its way or a change is not yet sent: it sends what is not sent, waits, then
 *   goes on. When a save made meanwhile is refused or fails, it stays and puts the focus on
 *   the field that says why; the next click goes on (the line is as it was);
 * - marks a field invalid while its message says so, and says «Lagrer …» and when a save
 *   failed (the server's answer says «Lagret» or why not);
 * - sends a change that is still unsent when the page goes away by other means (the browser's
 *   back button, an address typed, closing the tab) with a request that outlives the page.
 */
(function () {
  "use strict";
  var cart = document.getElementById("cart");
  var list = document.getElementById("cart-lines");
  if (!cart || !list || !window.htmx) return;

  var FIELDS = ["quantity", "recipient"];
  var lines = new WeakMap(); // form -> {sent, busy, outcome, seq}
  var seq = 0;
  var waiting = null; // {go, since}: a way out, held until every line is saved

  function forms() {
    return Array.prototype.slice.call(list.querySelectorAll("form[data-line]"));
  }
  function valuesOf(form) {
    return FIELDS.map(function (name) {
      var field = form.elements.namedItem(name);
      return field ? field.value : "";
    }).join("\n");
  }
  function line(form) {
    var state = lines.get(form);
    if (!state) {
      state = { sent: valuesOf(form), busy: 0, outcome: "", seq: 0 };
      lines.set(form, state);
    }
    return state;
  }
  function dirty(form) {
    return valuesOf(form) !== line(form).sent;
  }
  function busy() {
    return forms().some(function (form) {
      return line(form).busy > 0 || dirty(form);
    });
  }
  function lineForm(element) {
    var form = element && element.closest ? element.closest("form[data-line]") : null;
    return form && list.contains(form) ? form : null;
  }
  function status(form, text) {
    var shown = document.getElementById("line-" + form.dataset.line + "-status");
    if (shown) shown.textContent = text;
  }
  function message(form, name) {
    var shown = document.getElementById(name + "-" + form.dataset.line + "-error");
    return shown ? shown.textContent.trim() : "";
  }
  function refused(form) {
    return FIELDS.some(function (name) { return message(form, name) !== ""; });
  }
  function markInvalid(form) {
    FIELDS.forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (!field) return;
      // A recipient not yet chosen is invalid too (the line's problem says so).
      if (message(form, name) || (name === "recipient" && !field.value)) {
        field.setAttribute("aria-invalid", "true");
      } else {
        field.removeAttribute("aria-invalid");
      }
    });
  }
  function save(form) {
    var field = form.querySelector("[hx-post]");
    if (field) window.htmx.trigger(field, "change");
  }
  function sendUnsent() {
    forms().forEach(function (form) {
      if (line(form).busy === 0 && dirty(form)) save(form);
    });
  }

  forms().forEach(function (form) {
    line(form);
    form.noValidate = true;
  });
  cart.classList.add("kv-autosave");

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var form = lineForm(event.detail.elt);
    if (!form || event.detail.requestConfig.verb !== "post") return; // not the recipient search
    var state = line(form);
    state.busy += 1;
    state.sent = valuesOf(form);
    status(form, cart.dataset.kvSaving);
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = lineForm(event.detail.elt);
    if (!form || event.detail.requestConfig.verb !== "post") return;
    var state = line(form);
    var code = event.detail.xhr.status;
    state.busy -= 1;
    state.seq = ++seq;
    if (event.detail.successful) {
      markInvalid(form);
      state.outcome = refused(form) ? "refused" : "saved";
    } else {
      state.outcome = "failed";
      status(form, cart.dataset.kvFailed);
      // Nothing reached the database: the change is still to be sent (unless the server
      // answered that it cannot be, e.g. the line was removed in another tab).
      if (code === 0 || code >= 500) state.sent = null;
    }
    // After htmx has sent the line's queued save, if any (it does so right after this event).
    window.setTimeout(goOn, 0);
  });

  function goOn() {
    if (!waiting) return;
    var all = forms();
    if (all.some(function (form) { return line(form).busy > 0; })) return;
    if (all.some(dirty)) {
      sendUnsent();
      return;
    }
    var held = waiting;
    waiting = null;
    var troubled = all.filter(function (form) {
      var state = line(form);
      return state.seq > held.since && (state.outcome === "refused" || state.outcome === "failed");
    });
    if (troubled.length) {
      var form = troubled[0];
      var field = form.querySelector('[aria-invalid="true"]') || form.querySelector("[hx-post]");
      field.focus();
      return;
    }
    held.go();
  }

  function hold(go) {
    waiting = { go: go, since: seq };
    sendUnsent();
    goOn();
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || (link.target && link.target !== "_self") || link.hasAttribute("download")) return;
    var to = new URL(link.href, window.location.href);
    var here = window.location;
    if (to.hash && to.pathname === here.pathname && to.search === here.search) return;
    if (!busy()) return;
    event.preventDefault();
    hold(function () { window.location.assign(link.href); });
  }, true);

  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;
    var form = event.target;
    if (lineForm(form) === form) {
      // «Update» (hidden) or Enter in a field: save in place, no reload.
      event.preventDefault();
      if (dirty(form)) save(form);
      return;
    }
    if (!busy()) return;
    event.preventDefault();
    var submitter = event.submitter;
    hold(function () {
      if (submitter && submitter.isConnected) form.requestSubmit(submitter);
      else form.requestSubmit();
    });
  }, true);

  window.addEventListener("pagehide", function () {
    forms().forEach(function (form) {
      if (!dirty(form)) return;
      // keepalive: the request outlives the page; as htmx, so no message waits for the next page.
      window.fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        keepalive: true,
        credentials: "same-origin",
        headers: { "HX-Request": "true" },
      });
    });
  });
})();
