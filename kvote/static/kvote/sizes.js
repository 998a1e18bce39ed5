/* The product page's size follows the recipient: when the recipient select changes, the size
 * that employee wears in the chosen colour (the size picker's data-recipient-sizes, drawn by the
 * server: recipient id -> size) is checked before htmx sends the pickers, so the panel, the
 * item number and the note beside the sizes are drawn for that size. A recipient without one
 * keeps the size shown. Without this script the server still picks the first recipient's size.
 */
(function () {
  "use strict";
  var select = document.getElementById("recipient");
  var form = document.getElementById("variant-form");
  if (!select || !form) return;

  function sizes() {
    var picker = document.getElementById("size-picker");
    try {
      return JSON.parse((picker && picker.dataset.recipientSizes) || "{}");
    } catch (error) {
      return {};
    }
  }

  // On the select itself: this runs before the change reaches the form, where htmx listens.
  select.addEventListener("change", function () {
    var size = sizes()[select.value];
    if (!size) return;
    var radios = form.querySelectorAll('input[type="radio"][name="size"]');
    Array.prototype.forEach.call(radios, function (radio) {
      if (radio.value === size && !radio.disabled) radio.checked = true;
    });
  });
})();
