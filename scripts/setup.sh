#!/usr/bin/env bash
# Install drivecert into ./.venv, with the system packages its renderer needs.
#   bash scripts/setup.sh          # the package and its runtime dependencies
#   bash scripts/setup.sh --dev    # plus the test and lint tools
# Re-running is cheap: what is installed already is kept.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[ "${1:-}" = "--dev" ] && extras="[dev]"

# Mesa's EGL/GL drivers for the offscreen Panda3D renderer (no GPU, no X server needed);
# with --dev also Chromium and its driver, in which the tests open the HTML report.
apt_packages="libegl1 libgl1-mesa-dri libegl-mesa0 libgl1 libglx-mesa0"
[ "${1:-}" = "--dev" ] && apt_packages="$apt_packages chromium chromium-driver"
missing=""
for pkg in $apt_packages; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing system packages:$missing"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "setup: system packages missing:$missing; install them with: sudo apt-get install -y$missing" >&2
  fi
fi

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv

pip_quiet() {
  local log
  log=$(mktemp)
  if ! .venv/bin/python -m pip "$@" >"$log" 2>&1; then
    grep -v 'is ignored: it is neither a file nor a directory' "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

echo "setup: installing drivecert$extras into .venv (torch comes from the local wheel cache)"
pip_quiet install --upgrade pip
pip_quiet install -e ".$extras"
echo "setup: done; run .venv/bin/drivecert --help"
