// Adds a member row to a Django formset from its <template> of the empty form.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty-form");
    var body = document.getElementById(prefix + "-rows");
    button.classList.remove("hidden");
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = body.lastElementChild.querySelector("input");
      if (first) { first.focus(); }
    });
  });
});
