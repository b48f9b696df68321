// The report's plotly.js (make plotly): the core, which always carries `scatter` (the line
// charts), and the trace types registered below, the only others the report's figures use.
// `choropleth` draws the maps on plotly's `geo` subplot (d3-geo, SVG): no map tiles, no WebGL.
// tests/unit/test_plotly_bundle.py reads the types from the require calls below.
var Plotly = require("plotly.js/lib/core");

Plotly.register([require("plotly.js/lib/choropleth")]);

module.exports = Plotly;
