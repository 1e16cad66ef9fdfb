// The directory's filter form (works without this file; region-cascade.js reloads it when a region is chosen).
// Empty fields are left out when it is sent, so the shared URLs stay short.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-region-cascade]");
  if (!form) { return; }
  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (element) {
      if (element.name && element.value === "") { element.disabled = true; }
    });
  });
  // Coming back to the page (back button): the fields must be usable again.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(form.elements, function (element) { element.disabled = false; });
  });
});
