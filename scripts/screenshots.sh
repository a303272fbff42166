#!/usr/bin/env bash
# Screenshots of the real monitor for README.md: runs `wakusync demo`
# in tmux on a private socket at 80×24 and 160×48, waits until the cluster shows it is in sync,
# opens the help screen, a session drill-down and an archive audit, and writes screenshots/NAME.png (drawn by
# scripts/ansi2png.py) with the text capture screenshots/NAME.txt next to each.
#
# Needs a release build (swift build -c release), tmux, python3 with pyte and pillow
# (pip install pyte pillow) and fonts-dejavu-core.
#
# Environment: WAKUSYNC_BIN (default .build/release/wakusync), DEMO_ARGS (extra arguments for
# `wakusync demo`), WAIT_FOR (text that means the demo has converged; default "in sync"),
# TIMEOUT (seconds to wait for it; default 120).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${WAKUSYNC_BIN:-.build/release/wakusync}
DEMO_ARGS=${DEMO_ARGS:-}
WAIT_FOR=${WAIT_FOR:-in sync}
TIMEOUT=${TIMEOUT:-120}

fail() { echo "screenshots.sh: $*" >&2; exit 1; }
[ -x "$BIN" ] || fail "$BIN not found; build it first: swift build -c release"
# `wakusync demo --help` exits 0 even without a demo command (it prints the root help), so look
# for demo among the subcommands the root help lists.
"$BIN" --help 2>/dev/null | grep -qE '^  demo( |$)' || fail "$BIN has no 'demo' command; the screenshots show the demo cluster"
command -v tmux >/dev/null || fail "tmux is not installed"
python3 -c 'import pyte, PIL' 2>/dev/null || fail "python3 needs pyte and pillow: pip install pyte pillow"
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || fail "DejaVu Sans Mono is missing (fonts-dejavu-core)"

SOCKET="wakusync-shots-$$"
LOGS=$(mktemp -d)
tmux_() { tmux -L "$SOCKET" "$@"; }
cleanup() {
    tmux_ kill-server 2>/dev/null || true
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCKET"
    rm -rf "$LOGS"
}
trap cleanup EXIT
mkdir -p screenshots

# start COLS ROWS: the demo alone in a fresh server, so each size starts from the same state.
start() {
    tmux_ kill-server 2>/dev/null || true
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCKET"
    # A fresh socket per size: a server still shutting down cannot take the new session.
    SOCKET="wakusync-shots-$$-$1x$2"
    tmux_ -f /dev/null new-session -d -s shot -x "$1" -y "$2" \
        "env TERM=tmux-256color LANG=C.UTF-8 SWIFT_BACKTRACE=interactive=no $BIN demo $DEMO_ARGS 2>$LOGS/stderr; echo \"demo exited with \$?\"; sleep 600"
}

# wait_for TEXT: polls the pane until it shows TEXT.
wait_for() {
    local tries=$((TIMEOUT * 10))
    for _ in $(seq "$tries"); do
        if tmux_ capture-pane -p -t shot | grep -qF -- "$1"; then return 0; fi
        sleep 0.1
    done
    echo "--- the pane shows:" >&2
    tmux_ capture-pane -p -t shot >&2
    cat "$LOGS/stderr" >&2 2>/dev/null || true
    fail "timed out after ${TIMEOUT}s waiting for '$1'"
}

# shot NAME COLS ROWS: the text capture and the PNG of what the pane shows now.
shot() {
    sleep 0.3 # let a frame that is being painted finish
    tmux_ capture-pane -p -t shot >"screenshots/$1.txt"
    tmux_ capture-pane -p -e -N -t shot | python3 scripts/ansi2png.py "$2" "$3" "screenshots/$1.png"
    echo "wrote screenshots/$1.png and screenshots/$1.txt"
}

start 80 24
wait_for "$WAIT_FOR"
shot demo-80x24 80 24

start 160 48
wait_for "$WAIT_FOR"
shot demo-160x48 160 48

tmux_ send-keys -t shot '?'
wait_for "wakusync keys"
shot help-160x48 160 48
tmux_ send-keys -t shot Escape

# Tab focuses the rounds pane, whose first row is the newest session; Enter opens it, its rounds
# and the ranges of each filling the screen.
# A session that has only just started has no rounds to show yet: step to the next one.
wait_for "Peers"
tmux_ send-keys -t shot Tab
for _ in 1 2 3 4 5; do
    sleep 0.3
    tmux_ send-keys -t shot Enter
    wait_for "Session #"
    tmux_ capture-pane -p -t shot | grep -qF "waiting for the first round" || break
    tmux_ send-keys -t shot Escape
    sleep 0.3
    tmux_ send-keys -t shot j
done
shot drilldown-160x48 160 48

# The Audit box (from 140 columns) after A: our archive against the selected peer's, as a map of
# days by hours.
tmux_ send-keys -t shot Escape
sleep 0.3
tmux_ send-keys -t shot A
wait_for "Audit · node-2 · ✓"
shot audit-160x48 160 48

tmux_ send-keys -t shot q
sleep 0.5
tmux_ send-keys -t shot y
