#!/usr/bin/env bash
# Installs the system programs the tests use (Debian packages, npm packages), once per machine.
# Safe to run again: it installs only what is missing.
set -euo pipefail
packages=(
  chromium            # tests/browser: Playwright and Lighthouse drive Debian's Chromium (no browser downloads)
  fonts-dejavu-core   # a font for Chromium to lay text out with
  openssh-server      # tests/test_deploy_ssh.py: sshd on 127.0.0.1 for SFTP and rsync deploys
  openssh-client      # ssh and ssh-keygen
  rsync               # ssh:// deploys need rsync on both ends
  libreoffice-calc-nogui  # tests/test_sheets.py: a workbook saved by LibreOffice still loads
  valgrind            # bench/compare.py --instructions counts instructions under callgrind (and its test)
)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
command -v java >/dev/null 2>&1 || packages+=(default-jre-headless)   # the Nu HTML validator (npm vnu-jar) runs on Java
need=()
for pkg in "${packages[@]}" "$@"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# npm tools of the browser tests (axe-core, lighthouse, vnu-jar), as locked in tests/browser/package-lock.json.
browser="$(cd "$(dirname "$0")" && pwd)/browser"
if [ ! -f "$browser/node_modules/.package-lock.json" ] || \
   [ "$browser/package-lock.json" -nt "$browser/node_modules/.package-lock.json" ]; then
  (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
