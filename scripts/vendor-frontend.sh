#!/usr/bin/env bash
# Refreshes the vendored front-end files from the npm registry at pinned versions.
# The product serves these files itself and never loads anything from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=satulayar/core/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() {  # fetch <package@version> <dest-subdir> <file-in-package>...
  local spec=$1 sub=$2; shift 2
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  local tgz; tgz=$(ls -t "$tmp"/*.tgz | head -1)
  mkdir -p "$tmp/x" "$dest/$sub"
  tar -xzf "$tgz" -C "$tmp/x"
  for f in "$@"; do
    mkdir -p "$dest/$sub/$(dirname "$f")"
    cp "$tmp/x/package/$f" "$dest/$sub/$f"
  done
  for lic in LICENSE LICENSE.txt LICENSE.md NOTICE; do
    [ -f "$tmp/x/package/$lic" ] && cp "$tmp/x/package/$lic" "$dest/$sub/"
  done
  if ! ls "$dest/$sub"/LICENSE* >/dev/null 2>&1; then  # some packages ship no licence file
    node -e 'const p=require(process.argv[1]);console.log(`${p.name} ${p.version} is licensed under ${p.license} (package.json).\n${p.homepage||""}`)' \
      "$tmp/x/package/package.json" > "$dest/$sub/LICENSE"
    sed -n '/^## License/,/^## /p' "$tmp/x/package/README.md" 2>/dev/null | head -4 >> "$dest/$sub/LICENSE" || true
  fi
  echo "$spec" > "$dest/$sub/VERSION"
  rm -rf "$tmp/x" "$tgz"
}

fetch @tabler/core@1.6.1 tabler dist/css/tabler.min.css dist/js/tabler.min.js
fetch htmx.org@2.0.11 htmx dist/htmx.min.js
icons=(home building-community users user map-pin list-search history logout login language
  shield-lock id-badge-2 building sitemap map-2 chevron-right search plus edit alert-triangle
  clock checks database info-circle menu-2 world
  layout-dashboard bell bell-check video video-off chart-line device-tv download refresh map filter
  arrow-left player-pause player-play)
files=(); for i in "${icons[@]}"; do files+=("icons/outline/$i.svg"); done
fetch @tabler/icons@3.52.0 tabler-icons "${files[@]}"
fetch echarts@6.1.0 echarts dist/echarts.min.js
fetch leaflet@1.9.4 leaflet dist/leaflet.js dist/leaflet.css dist/images/layers.png dist/images/layers-2x.png \
  dist/images/marker-icon.png dist/images/marker-icon-2x.png dist/images/marker-shadow.png
echo "vendored into $dest"
