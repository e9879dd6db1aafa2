#!/bin/bash
# The wizard's Build & flash screen: the QEMU demo run from the wizard to
# its success screen (scripted input), a failing project target with an
# encrypted key (password asked without echo), then in a real terminal
# (tmux) the demo with a resize mid-run and the cancel of a running step.
. "${MCUPROV_SRCDIR:-.}/tests/lib.sh"
. "${MCUPROV_SRCDIR:-.}/tests/tui-lib.sh"

for t in make arm-none-eabi-gcc qemu-system-arm; do
	command -v $t >/dev/null 2>&1 ||
		skip_all "$t not installed: the demo cannot be built or booted (scripts/install-deps)"
done
# the demo is its own make run, not part of this one (-j, jobserver, variables)
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

APP_LINE='mcuprov demo app: hello from the signed image'

# masked FILE: times and fingerprints replaced by placeholders
masked() {
	sed -E -e 's/[0-9a-f]{64}/<fingerprint>/g' -e 's/[0-9]+\.[0-9]+ s/<t> s/g' "$1"
}

# same DESC NAME EXPECTED_NAME [FIRST LAST]: screen NAME (lines FIRST..LAST)
# masked equals tests/tui/expected/EXPECTED_NAME.txt
same() {
	local range=${4:-1},${5:-\$}
	if [ ! -f "$SCR/$2.txt" ]; then
		not_ok "$1" "screen '$2' was not saved" "stderr: $(cat "$T_TMP/err")"
	elif [ -n "${MCUPROV_TUI_UPDATE:-}" ]; then
		masked "$SCR/$2.txt" | sed -n "${range}p" >"$EXP/$3.txt"
		ok "$1 # updated"
	elif masked "$SCR/$2.txt" | sed -n "${range}p" | cmp -s - "$EXP/$3.txt"; then
		ok "$1"
	else
		not_ok "$1" "$(masked "$SCR/$2.txt" | sed -n "${range}p" | diff "$EXP/$3.txt" - | head -n 20)"
	fi
}

# ---- the demo from the wizard, scripted ---------------------------------------
mkdir demo && cd demo || exit 1
wiz 'key Down
key Down
key Down
key Enter
save-screen choose
key Enter
save-screen demo-type
key Enter
wait-idle
save-screen done
key Up
save-screen scrolled
key Esc
save-screen home
key q'
check "demo from the wizard: exit 0" 0 ''
same "Build & flash: the choices (no project: the demo only)" choose build-choose
same "no key here: the demo asks for its key's type" demo-type build-demo-type
same "demo: the checklist, all [x], each with its time, 100%" done build-demo-checklist 4 11
assert "demo: the app's line in the log pane" grep -qxF "  $APP_LINE" "$SCR/done.txt"
fp=$(sed -n 's/^  key SHA-256 \([0-9a-f]\{64\}\)$/\1/p' "$SCR/done.txt")
run "$M" fingerprint -k mcuprov-demo/demo-ed25519.pem
assert "demo: the loader's key SHA-256 line is the new key's fingerprint" \
	test -n "$fp" -a "ed25519 $fp" = "$(cat "$T_TMP/out")"
assert "demo: the success line" grep -q '^  Demo OK: the loader trusted only key [0-9a-f]\{16\}\.\.\. and booted the app$' "$SCR/done.txt"
assert "demo: the log path" grep -qxF "  log: $PWD/mcuprov-demo/demo.log" "$SCR/done.txt"
assert "finished: Up scrolls the log pane" grep -qF ' 1 more below ' "$SCR/scrolled.txt"
assert "Esc: back to Home" grep -qF 'Inspect image' "$SCR/home.txt"
cd .. || exit 1

# ---- a project target that fails, its key encrypted -----------------------------
mkdir proj && cd proj && mkdir keys || exit 1
run "$M" keygen -k keys/signing.pem -t ed25519 --passout pass:right-pw
check "project key (encrypted)" 0 ''
cat >mcuprov.yaml <<'YAML'
version: 1
keys:
  - path: keys/signing.pem
    type: ed25519
image:
  header_size: 0x200
  slot_size: 0x20000
  version: 1.0.0
  pad_header: true
targets:
  broken:
    app_build:
      - [printf, "%s\n", building...]
      - ["false"]
    app: build/app.bin
    signed_app: build/app.signed.bin
YAML
wiz 'key Down
key Down
key Down
key Enter
save-screen choose-target
key Enter
save-screen password
type wrong-pw
key Enter
save-screen wrong
key Enter
type right-pw
save-screen typed
key Enter
wait-idle
save-screen failed
key Enter
key q'
check "failing target from the wizard: exit 0" 0 ''
assert "the target is offered" grep -qF '> Run target broken' "$SCR/choose-target.txt"
assert "an encrypted key: password asked" grep -qF 'The key is encrypted. Password:' "$SCR/password.txt"
assert "a wrong password: the CLI's error line" grep -qF \
	"mcuprov: wizard: 'keys/signing.pem': wrong password" "$SCR/wrong.txt"
assert "the password is never shown" test "$(cat "$SCR"/*.txt | grep -c 'right-pw\|wrong-pw')" = 0
same "failed: the checklist, [!] on the failing step" failed build-fail-checklist 4 12
assert "failed: the step's output in the log pane" grep -qxF '  building...' "$SCR/failed.txt"
assert "failed: the error line" grep -qxF '  mcuprov: wizard: false failed (exit status 1)' "$SCR/failed.txt"
assert "failed: the log path" grep -qxF "  log: $PWD/mcuprov.log" "$SCR/failed.txt"
assert "the log file has the output" grep -qF 'out: building...' mcuprov.log
cd .. || exit 1

# ---- a run that fails before any tool ran: no log, no log line ---------------------
mkdir nolog && cd nolog || exit 1
"$M" keygen -k keys/signing.pem -t ed25519 >/dev/null 2>&1
cat >mcuprov.yaml <<'YAML'
version: 1
keys:
  - {path: keys/signing.pem, type: ed25519}
bootloader: {keys_c: boot/keys.c}
image: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}
targets:
  board:
    app_build:
      - ["true"]
    app: build/app.bin
    signed_app: build/app.signed.bin
YAML
wiz 'key Down
key Down
key Down
key Enter
key Enter
wait-idle
save-screen nolog
key Enter
key q'
check "a failure before any tool: exit 0" 0 ''
assert "it failed in the provision step" grep -qF '[!] provision' "$SCR/nolog.txt"
assert "no log file" test ! -e mcuprov.log
assert "so no log line" test "$(grep -c '^  log: ' "$SCR/nolog.txt")" = 0
cd .. || exit 1

# ---- several targets, no default_target: the wizard lists them all ----------------
mkdir multi && cd multi && mkdir keys || exit 1
"$M" keygen -k keys/signing.pem -t ed25519 >/dev/null 2>&1
cat >mcuprov.yaml <<'YAML'
version: 1
keys:
  - {path: keys/signing.pem, type: ed25519}
image: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0, pad_header: true}
targets:
  alpha:
    app_build: [[printf, "%s\n", alpha-built], ["false"]]
    app: a.bin
    signed_app: a.signed.bin
  beta:
    app_build: [[printf, "%s\n", beta-built], ["false"]]
    app: b.bin
    signed_app: b.signed.bin
  slow:
    app_build: [[sleep, "30"]]
    app: s.bin
    signed_app: s.signed.bin
YAML
wiz 'key Down
key Down
key Down
key Enter
save-screen multi-choose
key Down
key Down
save-screen multi-beta
key Enter
wait-idle
save-screen multi-ran
key Enter
key q'
check "several targets: exit 0" 0 ''
assert "several targets: the note asks to choose" grep -qxF \
	"  Project: mcuprov.yaml, 3 targets and no default_target: choose one." "$SCR/multi-choose.txt"
assert "several targets: the demo first, then each target" test \
	"$(sed -n 's/^  [> ] \(Demo (QEMU)\|Run target [a-z]*\).*/\1/p' "$SCR/multi-choose.txt" | tr '\n' ,)" = \
	"Demo (QEMU),Run target alpha,Run target beta,Run target slow,"
assert "several targets: Down twice selects beta" grep -q '^  > Run target beta' "$SCR/multi-beta.txt"
assert "the chosen target ran: its output" grep -qxF '  beta-built' "$SCR/multi-ran.txt"
assert "the chosen target ran: its name" grep -qF "Target 'beta' of mcuprov.yaml" "$SCR/multi-ran.txt"
assert "the other target did not run" eval "! grep -q alpha-built mcuprov.log"

# a default_target is preselected and marked
sed -i 's/^targets:/default_target: slow\ntargets:/' mcuprov.yaml
wiz 'key Down
key Down
key Down
key Enter
save-screen multi-default
key t
save-screen multi-t1
key t
key t
key t
key t
key t
key t
save-screen multi-t0
key t
key Enter
wait-idle
save-screen multi-timeout
key Enter
key q'
check "default target and a timeout: exit 0" 0 ''
assert "the default target is preselected" grep -q '^  > Run target slow (default)' \
	"$SCR/multi-default.txt"
assert "no step timeout at first" grep -qxF '  Step timeout: none (t changes it)' "$SCR/multi-default.txt"
assert "t sets a timeout" grep -qxF \
	'  Step timeout: 10 s: a step running longer is stopped (t changes it)' "$SCR/multi-t1.txt"
assert "t cycles back to none" grep -qxF '  Step timeout: none (t changes it)' "$SCR/multi-t0.txt"
assert "the timeout stops the sleeping step" grep -q '^  \[!\] app build .* sleep 30' \
	"$SCR/multi-timeout.txt"
assert "the timeout's error line" grep -qxF '  mcuprov: wizard: sleep did not finish in time' "$SCR/multi-timeout.txt"
cd .. || exit 1

# ---- a real terminal: tmux ------------------------------------------------------
if ! command -v tmux >/dev/null 2>&1; then
	ok "tmux part # SKIP tmux not installed"
	done_testing
fi
SESS=build
trap tmux_cleanup EXIT

mkdir tdemo
tm -f /dev/null new-session -d -s "$SESS" -x 80 -y 24 \
	"env -i PATH=\"$PATH\" HOME=\"$T_TMP\" HISTFILE=/dev/null TERM=xterm-256color LANG=C.UTF-8 PS1='\$ ' bash --norc --noprofile" ||
	{ ok "tmux part # SKIP tmux cannot start a session here"; done_testing; }
wait_for "shell prompt" '$' || done_testing
lit "cd '$T_TMP/tdemo' && '$M'"
keys Enter
wait_for "the wizard on a terminal (Home)" 'Generate key' || done_testing
keys Down Down Down Enter
wait_for "Build & flash: the choices" '> Demo (QEMU)'
keys Enter
wait_for "no key here: the type asked" 'so the demo makes one. Its type:'
keys Enter
wait_for "demo: the build step running" '[>] build loader and app' 20
tm resize-window -t "$SESS" -x 100 -y 30 2>/dev/null || tm resize-pane -t "$SESS" -x 100 -y 30
for ((i = 0; i < 200; i++)); do
	tm capture-pane -p -t "$SESS" >"$T_TMP/pane"
	w=$(sed -n 2p "$T_TMP/pane" | tr -d '\n' | wc -m)
	last=$(awk 'NF { n = NR } END { print n }' "$T_TMP/pane")
	[ "$w" = 100 ] && [ "$last" = 30 ] && grep -qF '[x] generate key' "$T_TMP/pane" && break
	sleep 0.05
done
if [ "$w" = 100 ] && [ "$last" = 30 ] && grep -qF '[x] generate key' "$T_TMP/pane"; then
	ok "resize to 100x30 during the run: redrawn (rule 100 wide, key line on row 30, checklist)"
else
	not_ok "resize to 100x30 during the run: redrawn" "rule width $w, last row $last" "$(cat "$T_TMP/pane")"
fi
wait_for "demo: the success line" 'Demo OK: the loader trusted only key' 60
assert "demo: every step [x]" test "$(grep -c '^  \[x\] ' "$T_TMP/pane")" = 6
assert "demo: the app's line in the log pane" grep -qxF "  $APP_LINE" "$T_TMP/pane"
keys Escape
wait_for "Esc: back to Home" 'Inspect image'
keys q
wait_for "q quits to the shell" '$'

# ---- cancel a running step ----------------------------------------------------------
mkdir -p cancel/keys && cd cancel || exit 1
run "$M" keygen -k keys/signing.pem -t ed25519
check "cancel project: key" 0 '*'
cat >mcuprov.yaml <<'YAML'
version: 1
keys:
  - path: keys/signing.pem
    type: ed25519
image:
  header_size: 0x200
  slot_size: 0x20000
  version: 1.0.0
targets:
  slow:
    app_build:
      - [sleep, "30"]
    app: build/app.bin
    signed_app: build/app.signed.bin
YAML
lit "cd '$T_TMP/cancel' && '$M'"
keys Enter
wait_for "the wizard again, in the project" 'project: cancel' || done_testing
keys Down Down Down Enter
wait_for "Build & flash: the target offered" 'Run target slow'
# the project's target is preselected
keys Enter
wait_for "the sleep step running" '[>] app build' 10
wait_for "its command shown" 'sleep 30'
# ours: `sleep 30` running in the project directory (other tests sleep too)
CANCEL_DIR=$(pwd -P)
our_sleep() {
	local p
	for p in $(pgrep -fx 'sleep 30'); do
		[ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = "$CANCEL_DIR" ] && echo "$p"
	done
}
sleeping() { test -n "$(our_sleep)"; }
for ((i = 0; i < 100; i++)); do sleeping && break; sleep 0.05; done
assert "the step's process runs" sleeping
# Ctrl-C asks as c does; Enter takes the default, Keep running
keys C-c
wait_for "Ctrl-C asks first" 'Cancel the running step?'
assert "Ctrl-C: Keep running is the default" grep -qF '[ Cancel step ]   [ Keep running ]' "$T_TMP/pane"
keys Enter
wait_for "Ctrl-C, Keep running: logged in the output pane" 'wizard: cancel: no, the step keeps running'
assert "the wizard is still there after Ctrl-C" grep -qF '[>] app build' "$T_TMP/pane"
assert "Ctrl-C: its line in the pane" grep -qxF \
	'  wizard: Ctrl-C: asking whether to cancel the running step' "$T_TMP/pane"
assert "Ctrl-C: the step still runs" sleeping
assert "Ctrl-C: logged in mcuprov.log" test "$(grep -c '^wizard: ' mcuprov.log)" = 2
keys c
wait_for "c asks first" 'Cancel the running step?'
keys y
wait_for "cancelled: the step shows [!]" '[!] app build' 5
wait_for "cancelled: the error line" 'mcuprov: wizard: cancelled' 5
assert "the cancel logged in mcuprov.log" test "$(tail -n 1 mcuprov.log)" = \
	'wizard: cancel: the running step is stopped'
assert "the log's path shown: it exists" grep -qF "log: $CANCEL_DIR/mcuprov.log" "$T_TMP/pane"
for ((i = 0; i < 100; i++)); do sleeping || break; sleep 0.05; done
assert "no sleep process left" test -z "$(our_sleep)"
keys Escape
wait_for "back to Home" 'Inspect image'
keys q
wait_for "q quits" '$'

done_testing
