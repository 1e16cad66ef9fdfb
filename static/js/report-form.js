// The report form without a round trip: choosing a campaign narrows the kind list to the kinds it asks for, and the
// volunteer-hours grid shows only for kinds that count hours. The page works without this file: the server renders
// the kinds of the campaign it knows and hides the grid for a kind without hours (apps/activities/forms.py).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-report-form]");
  var data = document.getElementById("report-kinds");
  if (!form || !data) { return; }
  data = JSON.parse(data.textContent);
  var kind = form.elements.kind;
  var campaign = form.elements.campaign;
  var grid = form.querySelector("[data-hours-grid]");
  if (!kind) { return; }

  function allowed() {
    var kinds = campaign && data.campaigns[campaign.value];
    return kinds && kinds.length ? kinds : data.kinds.map(function (pair) { return pair[0]; });
  }

  function showGrid() {
    if (!grid) { return; }
    var offered = allowed();
    var countsHours = offered.some(function (value) { return data.hours.indexOf(value) >= 0; });
    grid.hidden = !countsHours || (kind.value !== "" && data.hours.indexOf(kind.value) < 0);
  }

  function narrowKinds() {
    var offered = allowed();
    var chosen = kind.value;
    var blank = kind.options[0] && kind.options[0].value === "" ? kind.options[0] : null;
    while (kind.options.length > (blank ? 1 : 0)) { kind.remove(kind.options.length - 1); }
    data.kinds.forEach(function (pair) {
      if (offered.indexOf(pair[0]) >= 0) { kind.add(new Option(pair[1], pair[0], false, pair[0] === chosen)); }
    });
    if (offered.indexOf(chosen) < 0) { kind.value = offered.length === 1 ? offered[0] : ""; }
    showGrid();
  }

  if (campaign) { campaign.addEventListener("change", narrowKinds); }
  kind.addEventListener("change", showGrid);
  showGrid();
});
