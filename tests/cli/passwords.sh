#!/bin/bash
# Password sources (pass:, env:, file:, fd:, stdin) and the no-echo prompt.
. "$MCUPROV_SRCDIR/tests/lib.sh"
need_vectors

K=$V/keys-enc/root-ec-p256-pw.pem
want=$(od -An -tx1 -v "$V/getpubhash/root-ec-p256.raw" | tr -d ' \n')
fp_ok() { # DESC
	if [ "$RC" = 0 ] && [ "$(cat "$T_TMP/out")" = "ecdsa-p256 $want" ]; then ok "$1"; else
		not_ok "$1" "rc=$RC out=$(cat "$T_TMP/out")" "err=$(cat "$T_TMP/err")"; fi
}

run "$M" fingerprint -k "$K" --passin pass:mcuprov-test
fp_ok "pass: source"
PW=mcuprov-test run "$M" fingerprint -k "$K" --passin env:PW
fp_ok "env: source"
printf 'mcuprov-test\nsecond line\n' >pw.txt
run "$M" fingerprint -k "$K" --passin file:pw.txt
fp_ok "file: source (first line only)"
printf 'mcuprov-test\r\n' >pw-crlf.txt
run "$M" fingerprint -k "$K" --passin file:pw-crlf.txt
fp_ok "file: source with CRLF"
setsid -w "$M" fingerprint -k "$K" --passin fd:3 3<pw.txt >"$T_TMP/out" 2>"$T_TMP/err" </dev/null
RC=$?
fp_ok "fd: source"
setsid -w "$M" fingerprint -k "$K" --passin stdin <pw.txt >"$T_TMP/out" 2>"$T_TMP/err"
RC=$?
fp_ok "stdin source"

E="mcuprov: fingerprint: '$K'"
run "$M" fingerprint -k "$K" --passin pass:wrong
check "wrong password: exit 1" 1 "$E: wrong password (or damaged key)"
run env -u NOPE "$M" fingerprint -k "$K" --passin env:NOPE
check "unset env: variable: exit 1" 1 "$E: password variable 'NOPE' is not set"
run "$M" fingerprint -k "$K" --passin file:missing.txt
check "missing file: source: exit 1" 1 "$E: cannot open password file: No such file or directory"
run "$M" fingerprint -k "$K" --passin fd:x
check "invalid fd: source: exit 2" 2 "$E: invalid password descriptor 'fd:x'"
run "$M" fingerprint -k "$K" --passin secret
check "unknown source form: exit 2" 2 "$E: invalid password source (use pass:, env:, file:, fd: or stdin)"
run "$M" fingerprint -k "$K" --passin pass:
check "empty password: exit 1" 1 "$E: empty password"
run "$M" fingerprint -k "$V/keys/root-ed25519-2-pub.pem" --passin pass:ignored
check "--passin is ignored for an unencrypted key" 0 '*'

# The interactive prompt, on a real terminal (tmux): no echo, asked once for
# loading, twice for keygen -p.
if command -v tmux >/dev/null; then
	S=pw1
	# a private server: other tests must not see or stop it; each check its
	# own session, all left to the exit trap (killing the last session makes
	# the server exit while the next new-session may already be talking to it)
	tmux() { command tmux -S "$T_TMP/pw.sock" "$@"; }
	trap 'tmux kill-server >/dev/null 2>&1; rm -rf "$T_TMP"' EXIT
	pane() { tmux capture-pane -p -t "$S" | sed '/^$/d'; }
	wait_for() { # TEXT: poll the screen for up to 10 s
		for _ in $(seq 50); do pane | grep -qF -- "$1" && return 0; sleep 0.2; done
		return 1
	}
	tmux -f /dev/null new-session -d -s "$S" -x 200 -y 20 \
		"$M fingerprint -k $K 2>/dev/null; echo rc=\$?; sleep 30"
	if wait_for "Enter password for '$K':"; then ok "prompt shown on the terminal"; else not_ok "prompt shown on the terminal" "$(pane)"; fi
	tmux send-keys -t "$S" 'mcuprov-test' Enter
	if wait_for "rc=0"; then ok "prompted password accepted"; else not_ok "prompted password accepted" "$(pane)"; fi
	if pane | grep -q "ecdsa-p256 $want"; then ok "fingerprint printed after the prompt"; else not_ok "fingerprint printed after the prompt" "$(pane)"; fi
	if pane | grep -q 'mcuprov-test'; then not_ok "password not echoed" "$(pane)"; else ok "password not echoed"; fi
	S=pw2

	tmux new-session -d -s "$S" -x 200 -y 20 -c "$T_TMP" \
		"$M keygen -k tty.pem -t ed25519 -p; echo rc=\$?; sleep 30"
	wait_for "Enter password for new key 'tty.pem':"
	tmux send-keys -t "$S" 'tty-secret' Enter
	if wait_for "Repeat password:"; then ok "keygen -p asks twice"; else not_ok "keygen -p asks twice" "$(pane)"; fi
	tmux send-keys -t "$S" 'tty-secret' Enter
	wait_for "rc="
	if pane | grep -q 'rc=0' && [ "$(head -n 1 tty.pem)" = '-----BEGIN ENCRYPTED PRIVATE KEY-----' ]; then
		ok "keygen -p writes an encrypted key"; else not_ok "keygen -p writes an encrypted key" "$(pane)"; fi
	if pane | grep -q 'tty-secret'; then not_ok "keygen password not echoed" "$(pane)"; else ok "keygen password not echoed"; fi
	run "$M" fingerprint -k tty.pem --passin pass:tty-secret
	check "the prompted password protects the key" 0 ''
	S=pw3

	tmux new-session -d -s "$S" -x 200 -y 20 -c "$T_TMP" \
		"$M keygen -k tty2.pem -t ed25519 -p; echo rc=\$?; sleep 30"
	wait_for "Enter password for new key"
	tmux send-keys -t "$S" 'one' Enter
	wait_for "Repeat password:"
	tmux send-keys -t "$S" 'two' Enter
	if wait_for "rc=1" && pane | grep -qF "mcuprov: keygen: passwords do not match" && [ ! -e tty2.pem ]; then
		ok "mismatched passwords: exit 1, no key"; else not_ok "mismatched passwords: exit 1, no key" "$(pane)"; fi
fi

done_testing
