// The province → city → county selects of the directory's filter and of the registration form; both forms work
// without this file. Choosing one clears the selects below it and sends the form back, so that the server fills the
// next list: through the element's refresh button when it has one (the registration form: it saves nothing),
// otherwise by submitting the form itself (the directory's filter).
document.addEventListener("DOMContentLoaded", function () {
  var levels = ["province", "city", "county"];
  document.querySelectorAll("[data-region-cascade]").forEach(function (element) {
    var form = element.closest("form");
    if (!form) { return; }
    var refresh = element.querySelector("[data-region-refresh]");
    if (refresh) { refresh.parentNode.classList.add("hidden"); }
    // Other fields the server's suggestion follows (the registration form's industry): refresh without clearing.
    if (refresh) {
      form.querySelectorAll("[data-cascade-refresh]").forEach(function (other) {
        other.addEventListener("change", function () {
          if (form.requestSubmit) { form.requestSubmit(refresh); } else { refresh.click(); }
        });
      });
    }
    levels.forEach(function (name, index) {
      var select = form.elements[name];
      if (!select) { return; }
      select.addEventListener("change", function () {
        levels.slice(index + 1).forEach(function (below) {
          if (form.elements[below]) { form.elements[below].value = ""; }
        });
        if (form.requestSubmit) {
          form.requestSubmit(refresh || undefined);
        } else if (refresh) {
          refresh.click();
        } else {
          form.submit();
        }
      });
    });
  });
});
