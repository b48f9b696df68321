// The report page's scripts, put into the page once by analysis.present.output.
window.ehelse = window.ehelse || {};
ehelse.geo = ehelse.geo || {};
// The mode bar's words (a map's zoom buttons) in Norwegian.
ehelse.locale = {
  nb: { dictionary: { "Zoom in": "Zoom inn", "Zoom out": "Zoom ut", "Reset": "Tilbake til start" } }
};
// What the page carries once and a figure names: its template and its boundaries.
ehelse.named = function (key) {
  if (!ehelse.geo[key]) {
    var data = JSON.parse(document.getElementById(key).textContent);
    ehelse.geo[key] = data.ehelse ? ehelse.boundaries(data) : data;
  }
  return ehelse.geo[key];
};
// Boundaries as the page carries them (analysis.present.maps.page_boundaries): each ring a
// string of steps on a grid (the Encoded Polyline Algorithm Format), made GeoJSON again.
ehelse.boundaries = function (data) {
  var step = data.ehelse.step, origin = data.ehelse.origin;
  function ring(text) {
    var points = [], x = origin[0], y = origin[1], i = 0;
    function next() {
      var value = 0, shift = 0, b;
      do { b = text.charCodeAt(i++) - 63; value |= (b & 31) << shift; shift += 5; } while (b >= 32);
      return value & 1 ? ~(value >> 1) : value >> 1;
    }
    while (i < text.length) {
      x += next(); y += next();
      points.push([x * step, y * step]);
    }
    return points;
  }
  data.features.forEach(function (f) {
    f.geometry.coordinates = f.geometry.coordinates.map(function (polygon) {
      return polygon.map(ring);
    });
  });
  delete data.ehelse;
  return data;
};
// plotly's geo subplot loads a world outline (topojson) from its CDN for its base layers, even
// when none is shown: each map's subplots get an empty one, so nothing is fetched.
ehelse.noWorld = function (layout) {
  var assets = window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
  var layers = ["land", "ocean", "coastlines", "countries", "lakes", "rivers", "subunits"];
  Object.keys(layout).forEach(function (k) {
    if (!/^geo\d*$/.test(k)) { return; }
    var name = (layout[k].scope || "world").replace(/ /g, "-") + "_" +
      (layout[k].resolution || 110) + "m";
    if (assets.topojson[name]) { return; }
    var empty = { type: "Topology", objects: {}, arcs: [] };
    layers.forEach(function (l) { empty.objects[l] = { type: "GeometryCollection", geometries: [] }; });
    assets.topojson[name] = empty;
  });
};
ehelse.draw = function (id) {
  var el = document.getElementById(id + "-data");
  if (!el || el.dataset.drawn) { return; }
  el.dataset.drawn = "1";
  var spec = JSON.parse(el.textContent);
  var layout = spec.layout || {};
  if (typeof layout.template === "string" && layout.template.indexOf("ehelse-tema-") === 0) {
    layout.template = ehelse.named(layout.template);
  }
  (spec.data || []).forEach(function (t) {
    if (typeof t.geojson === "string" && t.geojson.indexOf("ehelse-geo-") === 0) {
      t.geojson = ehelse.named(t.geojson);
    }
  });
  ehelse.noWorld(layout);
  var config = Object.assign({ locale: "nb", locales: ehelse.locale }, spec.config);
  Plotly.newPlot(id, spec.data, layout, config);
};

// A table's search field: hide the rows without the text, and tell a screen reader how many
// rows are shown (the field's live status).
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
