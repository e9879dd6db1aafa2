#!/bin/bash
# Password sources (pass:, env:, file:, fd:, stdin), --passin KEYFILE=SRC
# for one key of several, and the no-echo prompt.
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

# --passin KEYFILE=SRC: a password per key; plain --passin SRC for every key
"$M" keygen -k a.pem -t ed25519 --passout pass:alpha-pw >/dev/null
"$M" keygen -k b.pem -t ed25519 --passout pass:beta-pw >/dev/null
"$M" keygen -k c.pem -t ed25519 --passout pass:alpha-pw >/dev/null
head -c 1000 /dev/urandom >app.bin
run "$M" sign -k a.pem --passin a.pem=pass:alpha-pw -v 1.0.0 -H 0x200 --pad-header -S 0x20000 app.bin app.signed.bin
check "sign: --passin KEYFILE=SRC for its one key" 0 ''
fp_a=$("$M" fingerprint -k a.pem --passin pass:alpha-pw | cut -d' ' -f2)
signed_by_a() { # DESC
	if [ "$RC" = 0 ] && grep -qx "Signed by: ed25519 $fp_a ('a.pem')" "$T_TMP/out"; then ok "$1"; else
		not_ok "$1" "rc=$RC out=$(cat "$T_TMP/out")" "err=$(cat "$T_TMP/err")"; fi
}
printf 'beta-pw\n' >pw-b
run "$M" verify -k a.pem -k b.pem --passin a.pem=pass:alpha-pw --passin b.pem=file:pw-b app.signed.bin
signed_by_a "verify, two keys, a source each"
run "$M" verify -k a.pem -k b.pem --passin b.pem=file:pw-b --passin pass:alpha-pw app.signed.bin
signed_by_a "KEYFILE=SRC for one key, plain SRC for the others (in any order)"
run "$M" verify -k a.pem -k b.pem --passin pass:alpha-pw app.signed.bin
check "plain SRC for every key: the key it does not open named" 1 "mcuprov: verify: 'b.pem': wrong password (or damaged key)"
run "$M" verify -k a.pem -k b.pem --passin ./a.pem=pass:alpha-pw --passin "$T_TMP/b.pem=file:pw-b" app.signed.bin
signed_by_a "KEYFILE as another name of the same file"
run "$M" verify -k a.pem -k b.pem --passin a.pem=pass:alpha-pw --passin a.pem=pass:nope --passin b.pem=file:pw-b app.signed.bin
check "KEYFILE=SRC twice: the last one counts" 1 "mcuprov: verify: 'a.pem': wrong password (or damaged key)"
run "$M" verify -k a.pem -k b.pem --passin x.pem=pass:alpha-pw app.signed.bin
check "KEYFILE=SRC naming no key given: usage error, the source not shown" 2 "mcuprov: verify: 'x.pem': --passin names no key that verify loads (keys: a.pem, b.pem)"
run "$M" verify -k a.pem --passin hunter=2 app.signed.bin
check "a password with '=' given as the source: usage error, only the part before '=' shown" 2 "mcuprov: verify: 'hunter': --passin names no key that verify loads (keys: a.pem)"
run "$M" verify -k a.pem --passin a.pem= app.signed.bin
check "KEYFILE= with an empty source" 2 "mcuprov: verify: 'a.pem': invalid password source (use pass:, env:, file:, fd: or stdin)"
printf 'alpha-pw\n' >'p=w'
run "$M" verify -k a.pem --passin file:p=w app.signed.bin
signed_by_a "file:PATH with '=' in PATH: a plain source (file:p names no key)"
run "$M" verify -k a.pem --passin pass:x=y app.signed.bin
check "pass:X=Y is a plain source too" 1 "mcuprov: verify: 'a.pem': wrong password (or damaged key)"
PW=alpha-pw run "$M" verify -k a.pem --passin env:PW app.signed.bin
signed_by_a "env:NAME has no '=': a plain source"
cp a.pem env:PW
run "$M" verify -k env:PW --passin env:PW=pass:alpha-pw app.signed.bin
check "a key file named env:PW: KEYFILE=SRC wins (the rule: the part before '=' names a key)" 0 ''
# each source read once: stdin's one line opens both keys of that password
printf 'alpha-pw\n' | setsid -w "$M" verify -k a.pem -k c.pem --passin stdin app.signed.bin >"$T_TMP/out" 2>"$T_TMP/err"
RC=$?
signed_by_a "plain stdin: read once, for every key"
printf 'alpha-pw\n' | setsid -w "$M" verify -k a.pem -k b.pem --passin a.pem=stdin --passin b.pem=fd:3 app.signed.bin 3<pw-b >"$T_TMP/out" 2>"$T_TMP/err"
RC=$?
signed_by_a "stdin for one key, fd: for another"
run "$M" render -t inline-multi -k a.pem -k b.pem --passin a.pem=pass:alpha-pw --passin b.pem=file:pw-b
check "render: KEYFILE=SRC for each -k" 0 ''
printf 'CONFIG_BOOTLOADER_MCUBOOT=y\n' >boot.conf
run "$M" patch --conf boot.conf -k a.pem -k b.pem --passin b.pem=file:pw-b --passin a.pem=pass:alpha-pw --dry-run
check "patch: KEYFILE=SRC for each -k" 0 ''
run "$M" fingerprint -k a.pem --passin a.pem=pass:alpha-pw
check "one-key commands take KEYFILE=SRC too" 0 ''
run "$M" fingerprint -k a.pem --passin b.pem=pass:alpha-pw
check "... for their key only" 2 "mcuprov: fingerprint: 'b.pem': --passin names no key that fingerprint loads (keys: a.pem)"

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
	run "$M" keyinfo -k tty.pem --passin pass:tty-secret
	check "keygen -p: keyinfo, no warning" 0 ''
	if [ "$(tail -n 1 "$T_TMP/out")" = 'encryption: PBES2, PBKDF2-HMAC-SHA256, 600000 iterations, AES-256-CBC' ]; then
		ok "keygen -p: 600000 PBKDF2 iterations, as --passout"; else not_ok "keygen -p: 600000 PBKDF2 iterations, as --passout" "$(cat "$T_TMP/out")"; fi
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
