// Builds report/templates/plotly-ehelse.min.js from entry.js with the packages package-lock.json
// pins (`make plotly` runs `npm ci` first). The options follow plotly.js's own esbuild-config.js,
// less its plugins: the only CSS plotly.js requires is maplibre's, for the `map` traces, which
// this bundle leaves out, and none of its traces has GLSL shaders.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const require = createRequire(import.meta.url);
const { version } = require("plotly.js/package.json");
// The trace types, for the banner: scatter (in the core) and those entry.js registers.
const required = readFileSync(here("entry.js"), "utf8").matchAll(/require\("plotly\.js\/lib\/(\w+)"\)/g);
const types = ["scatter", ...[...required].map((m) => m[1]).filter((name) => name !== "core")];

await build({
  entryPoints: [here("entry.js")],
  outfile: here("../../templates/plotly-ehelse.min.js"),
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "Plotly",
  target: "es2016",
  define: { global: "window", "define.amd": "false", "process.env.NODE_DEBUG": "false" },
  loader: { ".css": "empty" },
  legalComments: "eof",
  banner: {
    js: `/*! plotly.js v${version} (ehelse: ${types.join(", ")}) | MIT License | ` +
      "built by report/vendor/plotly (make plotly) */",
  },
  logLevel: "warning",
});
