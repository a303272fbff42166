#!/usr/bin/env bash
# Creates (or refreshes) the Python virtual environment the libp2p interop tests use:
# `.venv` at the package root with py-libp2p pinned. Idempotent and quiet; when the venv
# already has the pinned version it returns at once.
set -euo pipefail
cd "$(dirname "$0")/.."
libp2p_version="0.8.1"
venv=".venv"
python="$venv/bin/python"
stamp="$venv/.wakusync-libp2p-$libp2p_version"
if [ -x "$python" ] && [ -f "$stamp" ]; then
    exit 0
fi
command -v python3 >/dev/null || { echo "python3 missing: apt-get install -y python3 python3-venv" >&2; exit 1; }
if [ ! -x "$python" ]; then
    python3 -m venv "$venv"
fi
"$python" -m pip install --quiet --disable-pip-version-check "libp2p==$libp2p_version"
"$python" -c "import libp2p, trio" >/dev/null
touch "$stamp"
echo "python venv ready: $venv (libp2p $libp2p_version)"
