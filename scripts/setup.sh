#!/usr/bin/env bash
# Installs the Debian packages wakusync needs that a fresh machine of this kind lacks (postgresql:
# the server binaries the tests start a private cluster with; its own cluster service is not used;
# groff, man, systemd-analyze, zsh and fish: the tests check the man page, the unit and the completions).
# Idempotent: installs nothing (and needs no network) when everything is present.
set -euo pipefail
packages=(pkg-config libsqlite3-dev libncurses-dev libsecp256k1-dev tmux python3-venv postgresql
    groff-base man-db systemd zsh fish)
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
