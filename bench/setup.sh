#!/usr/bin/env bash
# Installs what bench/run.py compares clinic-pages with: Hugo (Debian's package) and Eleventy (npm, pinned in
# bench/package-lock.json, into bench/node_modules). Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")"
need=()
command -v hugo >/dev/null || need+=(hugo)
command -v npm >/dev/null || need+=(nodejs npm)
command -v valgrind >/dev/null || need+=(valgrind)   # compare.py --instructions
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -e node_modules/@11ty/eleventy/cmd.cjs ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules
fi
# every library clinic-pages imports (bench/compare.py and run.py start it with this python3)
(cd .. && python3 -c "import generator.checks, generator.build, generator.serve") 2>/dev/null \
  || python3 -m pip install --quiet -e "$(dirname "$PWD")"
echo "Ready: $(hugo version | cut -d' ' -f1-2), Eleventy $(node node_modules/@11ty/eleventy/cmd.cjs --version)"
