// The region selects of the registration form (the form works without this file: its refresh button does the same).
// Choosing a province, city or county sends the form back through the refresh button, so that the server fills the
// next list and narrows the registering committees to that region; the selects below the changed one are cleared.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-region-cascade]").forEach(function (group) {
    var form = group.closest("form");
    var refresh = group.querySelector("[data-region-refresh]");
    if (!form || !refresh) { return; }
    refresh.parentNode.classList.add("hidden");
    var levels = ["province", "city", "county"];
    levels.forEach(function (name, index) {
      var select = form.elements[name];
      if (!select) { return; }
      select.addEventListener("change", function () {
        levels.slice(index + 1).forEach(function (below) {
          if (form.elements[below]) { form.elements[below].value = ""; }
        });
        if (form.requestSubmit) { form.requestSubmit(refresh); } else { refresh.click(); }
      });
    });
  });
});
