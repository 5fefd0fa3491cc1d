#!/usr/bin/env bash
# Copies the pinned npm packages into lianmeng/static/vendor (run by `make vendor`).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
dest=../lianmeng/core/static/vendor
rm -rf "$dest" && mkdir -p "$dest/bootstrap" "$dest/bootstrap-icons/fonts" "$dest/echarts" "$dest/html5-qrcode" "$dest/swagger-ui"
cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map \
   node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map "$dest/bootstrap/"
cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$dest/bootstrap-icons/"
cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff "$dest/bootstrap-icons/fonts/"
cp node_modules/echarts/dist/echarts.min.js "$dest/echarts/"
cp node_modules/html5-qrcode/html5-qrcode.min.js "$dest/html5-qrcode/"
# Swagger UI for /api/v1/docs (the CSS names its source map, which the manifest storage needs).
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
   node_modules/swagger-ui-dist/swagger-ui.css.map node_modules/swagger-ui-dist/LICENSE node_modules/swagger-ui-dist/NOTICE "$dest/swagger-ui/"
for p in bootstrap bootstrap-icons echarts html5-qrcode swagger-ui-dist; do
  printf '%s %s\n' "$p" "$(node -p "require('./node_modules/$p/package.json').version")"
done > "$dest/VERSIONS"
