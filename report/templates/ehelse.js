// The report page's scripts, put into the page once by analysis.present.output.
//
// Opened from disk (file://), a page has an opaque origin and Chromium refuses maplibre's
// module worker from a blob: URL ("Refused to cross-origin redirects of the top-level worker
// script"), so maps stay blank. The worker code plotly bundles is handed over as a data: URL
// instead, which Chromium accepts; pages served by a web server are left alone.
(function () {
  if (location.protocol !== "file:" || window.ehelseBlobShim) { return; }
  window.ehelseBlobShim = true;
  var OrigBlob = window.Blob, sources = new WeakMap(), create = URL.createObjectURL;
  function ShimBlob(parts, options) {
    var blob = new OrigBlob(parts, options);
    if (options && options.type === "text/javascript" && parts && parts.length === 1 &&
        typeof parts[0] === "string") { sources.set(blob, parts[0]); }
    return blob;
  }
  ShimBlob.prototype = OrigBlob.prototype;
  window.Blob = ShimBlob;
  URL.createObjectURL = function (obj) {
    if (sources.has(obj)) {
      return "data:text/javascript;charset=utf-8," + encodeURIComponent(sources.get(obj));
    }
    return create.call(URL, obj);
  };
})();
window.ehelse = window.ehelse || {};
ehelse.geo = ehelse.geo || {};
ehelse.draw = function (id) {
  var el = document.getElementById(id + "-data");
  if (!el || el.dataset.drawn) { return; }
  el.dataset.drawn = "1";
  var spec = JSON.parse(el.textContent);
  (spec.data || []).forEach(function (t) {
    if (typeof t.geojson === "string" && t.geojson.indexOf("ehelse-geo-") === 0) {
      if (!ehelse.geo[t.geojson]) {
        ehelse.geo[t.geojson] = JSON.parse(document.getElementById(t.geojson).textContent);
      }
      t.geojson = ehelse.geo[t.geojson];
    }
  });
  Plotly.newPlot(id, spec.data, spec.layout, spec.config).then(function (gd) {
    // maplibre names every map canvas "Map": give each its figure's description instead,
    // so a screen reader can tell the maps (landmarks) apart.
    var fig = document.getElementById(id.replace(/-plot$/, ""));
    var label = fig && fig.getAttribute("aria-label");
    if (!label) { return; }
    gd.querySelectorAll(".maplibregl-canvas").forEach(function (c) {
      c.setAttribute("aria-label", "Interaktivt kart. " + label);
    });
  });
};

// A table's search field: hide the rows without the text, and tell a screen reader how many
// rows are shown (the field's live status).
window.ehelse = window.ehelse || {};
ehelse.filter = function (input) {
  var table = document.getElementById(input.getAttribute("aria-controls"));
  var status = document.getElementById(input.id + "-status");
  var q = input.value.trim().toLocaleLowerCase("nb");
  var rows = table.tBodies[0].rows, shown = 0;
  for (var i = 0; i < rows.length; i++) {
    var hit = !q || rows[i].textContent.toLocaleLowerCase("nb").indexOf(q) !== -1;
    rows[i].hidden = !hit;
    if (hit) { shown++; }
  }
  status.textContent = q ? shown + " av " + rows.length + " rader vises" : "";
};
