// Members page: while the 号长 pastes rows from Excel, count them and recompute the collective's size and youth share.
// An estimate only: the server's preview reads the rows again, checks each one and says which are wrong.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("member-rows");
  var box = form && form.querySelector("textarea[name=rows]");
  var figures = document.getElementById("live-figures");
  if (!box || !figures) { return; }
  var youthAge = parseInt(form.dataset.youthAge, 10);
  var existingCount = parseInt(form.dataset.existingCount, 10);
  var existingYoung = parseInt(form.dataset.existingYoung, 10);
  var patterns = [/^(\d{4})[-\/.](\d{1,2})[-\/.](\d{1,2})$/, /^(\d{4})年(\d{1,2})月(\d{1,2})日?$/, /^(\d{4})(\d{2})(\d{2})$/];
  var headers = ["姓名", "名字", "name", "full name"];

  function birthDate(cell) {
    var text = cell.normalize("NFKC").replace(/\s+0{1,2}:00(:00)?$/, "").replace(/\s/g, "");
    for (var i = 0; i < patterns.length; i++) {
      var match = patterns[i].exec(text);
      if (match) { return new Date(+match[1], +match[2] - 1, +match[3]); }
    }
    return null;
  }

  function age(born, today) {
    var years = today.getFullYear() - born.getFullYear();
    var hadBirthday = today.getMonth() > born.getMonth() || (today.getMonth() === born.getMonth() && today.getDate() >= born.getDate());
    return hadBirthday ? years : years - 1;
  }

  function mode() {
    var checked = form.querySelector("input[name=mode]:checked");
    return checked ? checked.value : "replace";
  }

  function update() {
    var today = new Date();
    var rows = 0, young = 0;
    box.value.split(/\r?\n/).forEach(function (line) {
      var cells = line.split("\t");
      if (!line.trim() || headers.indexOf(cells[0].trim().toLowerCase()) >= 0) { return; }
      var born = birthDate(cells[1] || "");
      rows += 1;
      if (born && age(born, today) <= youthAge) { young += 1; }
    });
    var count = mode() === "add" ? existingCount + rows : rows;
    var youngTotal = mode() === "add" ? existingYoung + young : young;
    figures.querySelector("[data-live=rows]").textContent = rows;
    figures.querySelector("[data-live=count]").textContent = count;
    figures.querySelector("[data-live=share]").textContent = count ? (Math.round(1000 * youngTotal / count) / 10).toString() : "0";
    figures.classList.toggle("hidden", rows === 0);
  }

  box.addEventListener("input", update);
  form.querySelectorAll("input[name=mode]").forEach(function (radio) { radio.addEventListener("change", update); });
  update();
});
