// The «kommune × løsning» table (analysis.present.layout): show the rows that match every
// filter (county, activity, status, counted, and a part of the municipality's name or
// number), and say how many. Runs offline; nothing is fetched.
(function () {
  "use strict";
  function apply(section) {
    var table = section.querySelector("table");
    var status = section.querySelector(".ehelse-sok-status");
    var controls = section.querySelectorAll("[data-kolonne]");
    var want = {}, text = "";
    for (var i = 0; i < controls.length; i++) {
      var c = controls[i], key = c.getAttribute("data-kolonne");
      var value = c.value.trim();
      if (key === "kommune") { text = value.toLocaleLowerCase("nb"); }
      else if (value) { want[key] = value; }
    }
    var rows = table.tBodies[0].rows, shown = 0;
    for (var r = 0; r < rows.length; r++) {
      var row = rows[r], hit = true;
      for (var k in want) {
        if (row.getAttribute("data-" + k) !== want[k]) { hit = false; break; }
      }
      if (hit && text) {
        hit = row.cells[0].textContent.toLocaleLowerCase("nb").indexOf(text) !== -1;
      }
      row.hidden = !hit;
      if (hit) { shown++; }
    }
    var filtered = text || Object.keys(want).length;
    status.textContent = filtered ? shown + " av " + rows.length + " rader vises" : "";
  }
  function start() {
    var sections = document.querySelectorAll(".ehelse-kommunetabell");
    Array.prototype.forEach.call(sections, function (section) {
      section.addEventListener("input", function () { apply(section); });
      section.addEventListener("change", function () { apply(section); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
