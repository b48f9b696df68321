// The «kommune × løsning» table (analysis.present.layout): write its rows from the data
// beside it (municipality_rows), show the rows that match every filter (county, activity,
// status, counted, and a part of the municipality's name or number), and say how many. A
// filter reads the column whose header cell has its name (data-kolonne), and a cell's text
// before any mark in it. Runs offline; nothing is fetched.
(function () {
  "use strict";
  function fill(section) {
    var source = section.querySelector("script.ehelse-rader");
    var body = section.querySelector("tbody");
    if (!source || body.rows.length) { return; }
    var d = JSON.parse(source.textContent), rows = document.createDocumentFragment();
    d.rader.forEach(function (r) {
      var m = d.kommuner[r[0]], tr = document.createElement("tr");
      var cells = [m[0], d.fylker[m[1]], d.aktiviteter[r[1]], d.statuser[r[2]], r[3],
        r[4] ? "ja" : "nei"];
      cells.forEach(function (value, i) {
        var td = tr.insertCell();
        td.textContent = value;
        if (i === 2 && r[5]) {
          var mark = document.createElement("span");
          mark.textContent = d.merke;
          td.appendChild(mark);
        }
      });
      rows.appendChild(tr);
    });
    body.appendChild(rows);
  }
  function columns(table) {
    var index = {}, heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) {
      var key = heads[i].getAttribute("data-kolonne");
      if (key) { index[key] = i; }
    }
    return index;
  }
  function text(cell) {
    var first = cell.firstChild;
    return first && first.nodeType === 3 ? first.nodeValue : cell.textContent;
  }
  function apply(section) {
    var table = section.querySelector("table");
    var status = section.querySelector(".ehelse-sok-status");
    var controls = section.querySelectorAll("[data-kolonne]:not(th)");
    var index = columns(table), want = [], search = "";
    for (var i = 0; i < controls.length; i++) {
      var c = controls[i], key = c.getAttribute("data-kolonne");
      var value = c.value.trim();
      if (key === "kommune") { search = value.toLocaleLowerCase("nb"); }
      else if (value) { want.push([index[key], value]); }
    }
    var rows = table.tBodies[0].rows, shown = 0;
    for (var r = 0; r < rows.length; r++) {
      var row = rows[r], hit = true;
      for (var w = 0; w < want.length; w++) {
        if (text(row.cells[want[w][0]]) !== want[w][1]) { hit = false; break; }
      }
      if (hit && search) {
        hit = row.cells[index.kommune].textContent.toLocaleLowerCase("nb").indexOf(search) !== -1;
      }
      row.hidden = !hit;
      if (hit) { shown++; }
    }
    var filtered = search || want.length;
    status.textContent = filtered ? shown + " av " + rows.length + " rader vises" : "";
  }
  function start() {
    var sections = document.querySelectorAll(".ehelse-kommunetabell");
    Array.prototype.forEach.call(sections, function (section) {
      fill(section);
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
