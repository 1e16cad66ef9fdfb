// The directory's filter form (works without this file).
// Choosing a province or a city submits the form, so that the server fills the next list (cities, counties);
// the lists below the changed one are cleared first. Empty fields are left out, so the shared URLs stay short.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-cascade]");
  if (!form) { return; }
  var levels = ["province", "city", "county"];
  levels.forEach(function (name, index) {
    var select = form.elements[name];
    if (!select) { return; }
    select.addEventListener("change", function () {
      levels.slice(index + 1).forEach(function (below) {
        if (form.elements[below]) { form.elements[below].value = ""; }
      });
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  });
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
