// Copy the browser files of our npm dependencies to hotline/web/static/vendor/, served by
// Django and shipped in the wheel.  Runs after `npm ci`; the folder is not committed.
import { cpSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const files = {
  "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
  "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
  "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
  "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
  // the accessibility checker the browser tests inject (served like the rest, same origin,
  // so the Content-Security-Policy lets it run; pages never load it themselves)
  "axe-core/axe.min.js": "axe-core/axe.min.js",
};
for (const [from, to] of Object.entries(files)) {
  const target = join(root, "hotline", "web", "static", "vendor", to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(root, "node_modules", from), target);
}
console.log(`vendored ${Object.keys(files).length} files into hotline/web/static/vendor/`);
