# Helpers shared by the wizard's tests (tests/cli/tui-*.sh), sourced after
# tests/lib.sh.
#
# Scripted runs: `wiz` runs the wizard on a script of key steps
# (MCUPROV_TUI_SCRIPT, a virtual 80x24 screen, no terminal) and the saved
# screens are compared with tests/tui/expected/NAME.txt after `mask` has
# replaced what differs between runs (64-hex fingerprints; a test with more
# to mask redefines mask()).  MCUPROV_TUI_UPDATE=1 rewrites the expected
# files instead: review every change by hand before keeping it.
#
# End to end: `tm` talks to a private tmux server ($SOCK), `keys`/`lit` type
# into session $SESS, `wait_for` polls capture-pane (bounded, never a bare
# sleep).  Each test starts its own session and sets the trap that kills the
# server.

EXP=${MCUPROV_SRCDIR:-.}/tests/tui/expected
SCR=$T_TMP/scr
mkdir -p "$SCR"

# the vectors through a short name: paths typed into 80-column fields and
# shown on screens must not depend on where the tree is checked out
ln -s "$V" "$T_TMP/v" && V=$T_TMP/v

# mask FILE: FILE with the parts that change between runs masked
mask() { sed -E 's/[0-9a-f]{64}/<fingerprint>/g' "$1"; }

# wiz SCRIPT [ARG...]: `mcuprov wizard ARG...` on the script text SCRIPT,
# without a terminal; sets RC, stdout/stderr in $T_TMP/out and err
wiz() {
	printf '%s\n' "$1" >"$T_TMP/script"
	rm -f "$SCR"/*.txt
	MCUPROV_TUI_SCRIPT=$T_TMP/script MCUPROV_TUI_SCREENS=$SCR \
		setsid -w "$M" wizard "${@:2}" >"$T_TMP/out" 2>"$T_TMP/err" </dev/null
	RC=$?
}

# screen_is DESC NAME: saved screen NAME, masked, equals the expected one
screen_is() {
	if [ ! -f "$SCR/$2.txt" ]; then
		not_ok "$1" "screen '$2' was not saved" "stderr: $(cat "$T_TMP/err")"
	elif [ -n "${MCUPROV_TUI_UPDATE:-}" ]; then
		mask "$SCR/$2.txt" >"$EXP/$2.txt"
		ok "$1 # updated"
	elif mask "$SCR/$2.txt" | cmp -s - "$EXP/$2.txt"; then
		ok "$1"
	else
		not_ok "$1" "$(mask "$SCR/$2.txt" | diff "$EXP/$2.txt" - | head -n 20)"
	fi
}

# dialog_text NAME: the text inside the (64-column, centred) dialog of
# screen NAME, its lines joined by spaces, the buttons left out
dialog_text() {
	awk 'substr($0, 9, 1) == "|" { print substr($0, 11, 60) }' "$SCR/$1.txt" |
		sed -e 's/ *$//' | grep -v '^ *\[ ' | grep -v '^$' | tr '\n' ' ' | sed 's/ $//'
}

# pane NAME FIRST LAST: rows FIRST..LAST of screen NAME without the indent
pane() { sed -n "$2,$3p" "$SCR/$1.txt" | sed -e 's/^  //'; }

# ---- tmux -------------------------------------------------------------------
SOCK=$T_TMP/tmux.sock
SESS=wiz
tm() { tmux -S "$SOCK" "$@"; }
keys() { tm send-keys -t "$SESS" "$@"; }
lit() { tm send-keys -t "$SESS" -l -- "$1"; }

# tmux_cleanup: the exit trap of a test that starts tmux: stop the server
# and its programs, then remove the test directory (they may still be
# writing into it for a moment after the server is gone)
tmux_cleanup() {
	local i
	tm kill-server >/dev/null 2>&1
	for ((i = 0; i < 40; i++)); do
		rm -rf "$T_TMP" 2>/dev/null && return 0
		sleep 0.05
	done
	rm -rf "$T_TMP"
}

# wait_for DESC TEXT [SECONDS]: until the pane shows TEXT (a fixed string);
# the pane is left in $T_TMP/pane, once it has settled (two captures 50 ms
# apart alike, for at most 1 s): TEXT may be drawn before the rest of the
# screen, which the test then reads from the file (seen in CI)
wait_for() {
	local i j limit=$((${3:-10} * 20))
	for ((i = 0; i < limit; i++)); do
		tm capture-pane -p -t "$SESS" >"$T_TMP/pane" 2>/dev/null
		if grep -qF -- "$2" "$T_TMP/pane"; then
			for ((j = 0; j < 20; j++)); do
				sleep 0.05
				tm capture-pane -p -t "$SESS" >"$T_TMP/pane.next" 2>/dev/null
				cmp -s "$T_TMP/pane" "$T_TMP/pane.next" && break
				mv "$T_TMP/pane.next" "$T_TMP/pane"
			done
			ok "$1"
			return 0
		fi
		sleep 0.05
	done
	not_ok "$1" "waited ${3:-10} s for: $2" "$(cat "$T_TMP/pane")"
	return 1
}
