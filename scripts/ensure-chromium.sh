#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests: when /usr/bin/chromium (or
# $CHROMIUM_PATH) is missing, installs the distribution's `chromium` package with apt-get (root only).
# Never downloads a browser from anywhere else. Waits for the dpkg/apt locks (another apt-get running at
# boot is common) instead of failing at once. Exits non-zero when Chromium is still missing: the browser
# tests then report themselves skipped with the reason, or fail under CI.
set -euo pipefail

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$chromium" ]; then
  # Debian's wrapper script prints shell noise on stderr for --version; only the version line matters.
  echo "chromium: $("$chromium" --version 2>/dev/null || echo 'present') ($chromium)"
  exit 0
fi

if [ "$chromium" != /usr/bin/chromium ]; then
  echo "chromium: CHROMIUM_PATH=$chromium does not exist; not installing anything" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium: missing at $chromium and not running as root, so it cannot be installed with apt-get" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: missing at $chromium and there is no apt-get on this system" >&2
  exit 1
fi

echo "chromium: missing; installing Debian's chromium package with apt-get"
export DEBIAN_FRONTEND=noninteractive
# Wait up to 10 minutes for a lock held by another apt-get or dpkg, then give up.
lock_wait=(-o DPkg::Lock::Timeout=600)
timeout 1200 apt-get "${lock_wait[@]}" update -qq
timeout 1800 apt-get "${lock_wait[@]}" install -y -qq --no-install-recommends chromium

if [ ! -x "$chromium" ]; then
  echo "chromium: apt-get finished but $chromium is still missing" >&2
  exit 1
fi
echo "chromium: $("$chromium" --version 2>/dev/null || echo 'installed') ($chromium)"
