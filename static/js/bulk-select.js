// Bulk decisions (templates/includes/bulk_bar.html): a box that ticks every row of the page, and the rows sent in
// the order they were ticked (a recommendation ranks them in that order). Without JavaScript the rows still work,
// sent in the page's order.
(function () {
  var form = document.getElementById("bulk-form");
  if (!form) return;
  var order = [];
  function rows() { return Array.prototype.slice.call(document.querySelectorAll('input[name="ids"][form="bulk-form"]')); }
  function note(box) {
    var at = order.indexOf(box.value);
    if (box.checked && at < 0) order.push(box.value);
    if (!box.checked && at >= 0) order.splice(at, 1);
  }
  rows().forEach(function (box) { box.addEventListener("change", function () { note(box); }); });
  var page = form.querySelector("[data-tick-page]");
  if (page) {
    page.hidden = false;
    page.querySelector("input").addEventListener("change", function (event) {
      rows().forEach(function (box) { box.checked = event.target.checked; note(box); });
    });
  }
  form.addEventListener("submit", function () {
    var ticked = rows().filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
    var chosen = order.filter(function (value) { return ticked.indexOf(value) >= 0; });
    ticked.forEach(function (value) { if (chosen.indexOf(value) < 0) chosen.push(value); });
    rows().forEach(function (box) { box.removeAttribute("name"); });
    chosen.forEach(function (value) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "ids";
      input.value = value;
      form.appendChild(input);
    });
  });
})();
