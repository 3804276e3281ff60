#!/usr/bin/env bash
# Install everything the test suite needs, then run it. This is the README's test command and
# what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 GRADIO_ANALYTICS_ENABLED=False
export PIP_DISABLE_PIP_VERSION_CHECK=1

# Debian's chromium drives the browser test; a Korean font makes its screenshots readable.
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
dpkg -s fonts-nanum >/dev/null 2>&1 || missing="$missing fonts-nanum"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Debian packages:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "!! missing$missing and cannot install them here: the browser test may be skipped"
  fi
fi

echo "== installing the project with all extras and Ray (versions pinned by constraints.txt)"
python3 -m pip install -q -c constraints.txt -e ".[all,ray]"

echo "== running the test suite"
python3 -m pytest -q "$@"
