#!/bin/bash
# The wizard end to end in a real terminal: `mcuprov` with no arguments in
# a detached 80x24 tmux session, driven with send-keys and read back with
# capture-pane (polled, bounded: no bare sleeps).
. "${MCUPROV_SRCDIR:-.}/tests/lib.sh"
. "${MCUPROV_SRCDIR:-.}/tests/tui-lib.sh"

command -v tmux >/dev/null 2>&1 || skip_all "tmux not installed"

SESS=wiz
trap tmux_cleanup EXIT

PW='tmux-Secret9'
# a clean shell in the pane, then mcuprov alone: the wizard
tm -f /dev/null new-session -d -s "$SESS" -x 80 -y 24 \
	"env -i PATH=\"$PATH\" HOME=\"$T_TMP\" TERM=xterm-256color LANG=C.UTF-8 PS1='\$ ' bash --norc --noprofile" ||
	skip_all "tmux cannot start a session here"
wait_for "shell prompt" '$' || done_testing
lit "cd '$T_TMP' && mkdir -p keys && '$M'"
keys Enter
wait_for "mcuprov alone on a terminal opens the wizard (Home)" 'Generate key' || done_testing
assert "Home: no project" grep -qF 'no project - create one in Settings (or with `mcuprov init`)' "$T_TMP/pane"
# End and Home as tmux sends them, whatever TERM says (xterm-256color here)
keys End
wait_for "End: the last item (Quit)" '> Quit'
keys Home
wait_for "Home: the first item again" '> Generate key'

# ---- keygen: ed25519, password twice ----------------------------------------
keys Enter
wait_for "keygen: type list" 'CONFIG_BOOT_SIGNATURE_TYPE_ED25519'
keys Enter
wait_for "keygen: file field" 'keys/signing.pem'
keys Enter
wait_for "keygen: password choice" 'Protect the key with a password'
keys Enter
wait_for "keygen: password field" 'Password for the new key:'
lit "$PW"
keys Enter
wait_for "keygen: password again" 'The same password again:'
assert "the first password is not on screen" test "$(grep -cF -- "$PW" "$T_TMP/pane")" = 0
lit "$PW"
keys Enter
wait_for "keygen: summary" 'Generate this key?'
assert "the password is not on screen" test "$(grep -cF -- "$PW" "$T_TMP/pane")" = 0
keys Enter
wait_for "keygen: result" 'Key created.'
shown_fp=$(sed -n 's/^  fingerprint  \([0-9a-f]\{64\}\).*$/\1/p' "$T_TMP/pane")
assert "result: mode 0600 shown" grep -q '^  mode         0600' "$T_TMP/pane"
assert "key file mode 0600" test "$(stat -c %a keys/signing.pem 2>/dev/null)" = 600
run "$M" fingerprint --passin "pass:$PW" -k keys/signing.pem
check "the key opens with the password typed" 0 ''
assert "the key is ed25519" test "$(cut -d' ' -f1 "$T_TMP/out")" = ed25519
assert "fingerprint shown = mcuprov fingerprint" test -n "$shown_fp" -a \
	"$shown_fp" = "$(cut -d' ' -f2 "$T_TMP/out")"
run "$M" keyinfo --passin "pass:$PW" -k keys/signing.pem
check "keyinfo reads it" 0 '*'

# back to Home
keys Escape
wait_for "Esc: back to Home" 'Inspect image'

# ---- import an encrypted key with a wrong password ------------------------------
"$M" keygen -k enc.pem -t ecdsa-p256 --passout pass:right >/dev/null 2>&1
keys Down Enter
wait_for "import: path field" 'Key file to check'
lit "enc.pem"
keys Enter
wait_for "import: password asked" 'The key is encrypted. Password:'
lit "wrong"
keys Enter
wait_for "import: wrong password dialog" "mcuprov: wizard: 'enc.pem': wrong password"
keys Enter
lit "right"
keys Enter
wait_for "import: right password shows the key" 'private (password-protected)'
keys Escape
wait_for "back to Home again" 'Inspect image'

# ---- provision: the keys.c diff, applied after a confirmation --------------
mkdir -p r && cp "$MCUPROV_SRCDIR/tests/fixtures/keysc/inline-rsa-ec-ed25519.c" r/keys.c
keys Down Enter
wait_for "provision: the form, key defaults to keys/signing.pem" 'Key to trust'
assert "provision: default key" grep -qF '[keys/signing.pem' "$T_TMP/pane"
lit "r/keys.c"
keys Enter
wait_for "provision: the key's password asked" 'The key is encrypted. Password:'
lit "$PW"
keys Enter
wait_for "provision: the diff screen" "'r/keys.c': inline key arrays"
assert "provision: the password is not on screen" test "$(grep -cF -- "$PW" "$T_TMP/pane")" = 0
assert "provision: the unified diff" grep -qF '+++ b/r/keys.c' "$T_TMP/pane"
assert "provision: nothing written before apply" cmp -s r/keys.c \
	"$MCUPROV_SRCDIR/tests/fixtures/keysc/inline-rsa-ec-ed25519.c"
keys a
wait_for "provision: apply asks" 'Apply the change'
keys y
wait_for "provision: applied" "patched 'r/keys.c' (the old one is 'r/keys.c.bak')"
run "$M" patch --keys-c r/keys.c -k keys/signing.pem --passin "pass:$PW" --dry-run
check "provision: patch --dry-run after the wizard" 0 ''
assert "provision: the file trusts the key now" \
	grep -qxF "'r/keys.c' already trusts these keys: nothing to change" "$T_TMP/out"
keys Enter
wait_for "provision: back to Home" 'Inspect image'

# ---- resize: the screen is redrawn at the new size ----------------------
tm resize-window -t "$SESS" -x 100 -y 30 2>/dev/null || tm resize-pane -t "$SESS" -x 100 -y 30
keys Down
i=0
while :; do
	tm capture-pane -p -t "$SESS" >"$T_TMP/pane"
	w=$(sed -n 2p "$T_TMP/pane" | tr -d '\n' | wc -m)
	rows=$(grep -c 'Up/Down move' "$T_TMP/pane")
	last=$(awk 'NF { n = NR } END { print n }' "$T_TMP/pane")
	[ "$w" = 100 ] && [ "$rows" = 1 ] && [ "$last" = 30 ] && break
	i=$((i + 1))
	[ $i -gt 200 ] && break
	sleep 0.05
done
if [ "$w" = 100 ] && [ "$last" = 30 ]; then
	ok "resize to 100x30: redrawn (rule 100 wide, key line on row 30)"
else
	not_ok "resize to 100x30: redrawn" "rule width $w, last row $last" "$(cat "$T_TMP/pane")"
fi

# ---- colour and line drawing: with colours, NO_COLOR, a vt100 -----------
# each in its own window; capture-pane -e keeps the escape sequences
COLOUR_SGR=$'\e\\[(3[0-7]|9[0-7]|38;)'
for run in "colour:TERM=xterm-256color LANG=C.UTF-8" \
	"nocolor:TERM=xterm-256color LANG=C.UTF-8 NO_COLOR=1" "vt100:TERM=vt100 LANG=C"; do
	name=${run%%:*}
	# shellcheck disable=SC2086 # the words of the environment
	tm new-window -d -n "$name" "env -i PATH=\"$PATH\" HOME=\"$T_TMP\" ${run#*:} '$M' wizard"
	SESS_SAVED=$SESS
	SESS=$name
	wait_for "$name: the wizard is up" 'Generate key'
	tm capture-pane -e -p -t "$name" >"$T_TMP/$name.esc"
	keys q
	SESS=$SESS_SAVED
done
assert "colours on a colour terminal" grep -qE "$COLOUR_SGR" "$T_TMP/colour.esc"
assert "Unicode line drawing in a UTF-8 locale" grep -q '^─────────' "$T_TMP/colour.esc"
assert "NO_COLOR: no colour at all" eval "! grep -qE \"\$COLOUR_SGR\" '$T_TMP/nocolor.esc'"
assert "NO_COLOR: reverse video still marks the selection" grep -qF $'\e[7m> Generate key' \
	"$T_TMP/nocolor.esc"
assert "vt100: no colour" eval "! grep -qE \"\$COLOUR_SGR\" '$T_TMP/vt100.esc'"
assert "vt100 without UTF-8: the terminal's line graphics (ACS)" grep -qF 'qqqqqqqqqqqqqqqq' \
	"$T_TMP/vt100.esc"

# ---- quit: the terminal is restored -------------------------------------
keys q
wait_for "q quits to the shell" '$' || true
lit "echo restored-\$((40 + 2))"
keys Enter
wait_for "the shell works again after the wizard (terminal restored)" 'restored-42'
assert "no wizard left on screen" test "$(grep -c 'mcuprov wizard' "$T_TMP/pane")" = 0

done_testing
