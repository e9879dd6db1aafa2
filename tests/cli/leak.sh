#!/bin/bash
# Secrets out of children: a key's password, from every source (pass:,
# env:, file:, fd:, stdin, mcuprov.yaml's per-key passin: env: and file:),
# reaches no step of build / run / demo: not its environment, not its argv,
# not mcuprov.log or demo.log, not the JSON, not mcuprov's own output; and
# the variable an env: source names is left out of every step's
# environment, even when the key needed no password.
. "$MCUPROV_SRCDIR/tests/lib.sh"
unset MAKEFLAGS MFLAGS MAKELEVEL

PW=Zq7-leak-pw-4711
mkdir pj && cd pj || exit 1
P=$PWD
mkdir keys
"$M" keygen -k keys/enc.pem -t ed25519 --passout "pass:$PW" >/dev/null
"$M" keygen -k keys/plain.pem -t ed25519 >/dev/null
printf '%s\n' "$PW" >"$T_TMP/pw.txt"
head -c 1000 /dev/urandom >app.bin

# the step: its environment and argv into files, and on stdout and stderr
# (so into mcuprov.log); a canary variable shows the dump works
cat >dump.sh <<'SH'
tag=$1
env >"dump-$tag.env"
printf '%s\n' "$0" "$@" >"dump-$tag.argv"
env
env >&2
printf 'argv: %s\n' "$0" "$@"
SH
export LEAK_CANARY=canary-visible

# project KEY PASSIN: one key, its passin: (or none), build and run steps
# that dump; written to FILE
project() { # FILE KEY [PASSIN]
	{
		printf 'version: 1\nkeys:\n  - path: %s\n    type: ed25519\n' "$2"
		[ $# -ge 3 ] && printf '    passin: %s\n' "$3"
		cat <<'YAML'
image:
  header_size: 0x200
  slot_size: 0x20000
  version: 1.0.0
  pad_header: true
targets:
  t:
    app: app.bin
    signed_app: app.signed.bin
    app_build:
      - [sh, dump.sh, build, "${key}", "${project_dir}"]
    run:
      - [sh, dump.sh, run, "${key}"]
YAML
	} >"$1"
}
project enc.yaml keys/enc.pem
project plain.yaml keys/plain.pem

fresh() {
	rm -f dump-* mcuprov.log app.signed.bin
}

# no_leak DESC [VAR]: the password is nowhere a step or the user sees (nor
# anywhere in the project directory); VAR, when given, is in no step's
# environment; the dumps exist and show the canary.
no_leak() {
	desc=$1 var=${2:-}
	where=$(grep -rlF -- "$PW" "$P" "$T_TMP/out" "$T_TMP/err" 2>/dev/null)
	if [ -n "$where" ]; then
		not_ok "$desc: the password appears nowhere" "found in: $where"
	else
		ok "$desc: the password appears nowhere"
	fi
	if ! ls dump-*.env >/dev/null 2>&1 || ! grep -qx 'LEAK_CANARY=canary-visible' dump-*.env ||
	   ! grep -q '^out: LEAK_CANARY=canary-visible$' mcuprov.log; then
		not_ok "$desc: the steps ran and dumped their environment" "$(ls)"
	elif [ -n "$var" ] && grep -q "^$var=" dump-*.env; then
		not_ok "$desc: \$$var is in no step's environment" "$(grep -H "^$var=" dump-*.env)"
	else
		ok "$desc: the steps ran${var:+, \$$var in none of their environments}"
	fi
}

# json_ok DESC: stdout is run's JSON, all steps ok
json_ok() {
	if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["error"] is None and d["command"] == "run"
assert [s["step"] for s in d["steps"]] == ["app build", "sign", "verify", "run"]
assert all(s["ok"] for s in d["steps"])
' "$T_TMP/out"; then ok "$1"; else not_ok "$1" "$(cat "$T_TMP/out")"; fi
}

# each --passin source, with build and with run --json
# (with the password in $FW_KEY too, as a CI job exports it: a variable
# whose value is the password read is withheld whatever the source)
for src in "pass:$PW" env:FW_KEY "file:$T_TMP/pw.txt" fd:3 stdin keys/enc.pem=env:FW_KEY; do
	name=${src%%:*}
	[ "$src" = "pass:$PW" ] && name=pass
	[ "$src" = keys/enc.pem=env:FW_KEY ] && name=KEYFILE=env
	for cmd in build "run --json"; do
		fresh
		# shellcheck disable=SC2086
		FW_KEY=$PW setsid -w "$M" $cmd -f enc.yaml --batch --passin "$src" \
			>"$T_TMP/out" 2>"$T_TMP/err" 3<"$T_TMP/pw.txt" <"$T_TMP/pw.txt"
		RC=$?
		check "--passin $name, $cmd: exit 0" 0 ''
		[ "$cmd" = build ] || json_ok "--passin $name, $cmd: the JSON says every step ran"
		no_leak "--passin $name, $cmd" FW_KEY
	done
done
# the step's argv is what the project says, nothing more
fresh
FW_KEY=$PW run "$M" build -f enc.yaml --batch --passin env:FW_KEY
printf '%s\n' dump.sh build "$P/keys/enc.pem" "$P" >"$T_TMP/want-argv"
if diff dump-build.argv "$T_TMP/want-argv" >"$T_TMP/argv.diff"; then ok "the step's argv: the project's words only"; else
	not_ok "the step's argv: the project's words only" "$(cat "$T_TMP/argv.diff")"; fi
# the deny-list by name stays: a PASS/SECRET/TOKEN variable reaches no step
fresh
MY_PASSWORD=x CI_TOKEN=y SOME_SECRET_Z=z FW_KEY=$PW run "$M" build -f enc.yaml --passin env:FW_KEY
check "names with PASS, TOKEN, SECRET: exit 0" 0 ''
assert "names with PASS, TOKEN, SECRET: in no step's environment" \
	sh -c '! grep -q "^\(MY_PASSWORD\|CI_TOKEN\|SOME_SECRET_Z\)=" dump-build.env'

# mcuprov.yaml's per-key passin: env:NAME and file:PATH
project yenv.yaml keys/enc.pem env:FW_SIGNING
project yfile.yaml keys/enc.pem "file:$T_TMP/pw.txt"
for y in yenv yfile; do
	for cmd in build "run --json"; do
		fresh
		# shellcheck disable=SC2086
		FW_SIGNING=$PW run "$M" $cmd -f $y.yaml --batch
		check "$y.yaml passin:, $cmd: exit 0" 0 ''
		[ "$cmd" = build ] || json_ok "$y.yaml passin:, $cmd: the JSON says every step ran"
		no_leak "$y.yaml passin:, $cmd" FW_SIGNING
	done
done

# a variable named as a source is withheld even when no password is read:
# the key is not encrypted
project yplain.yaml keys/plain.pem env:FW_SIGNING
fresh
FW_SIGNING=$PW run "$M" build -f yplain.yaml --batch
check "unencrypted key, passin: env: in mcuprov.yaml: exit 0" 0 ''
no_leak "unencrypted key, passin: env: in mcuprov.yaml (never read)" FW_SIGNING
fresh
FW_KEY=$PW run "$M" run -f plain.yaml --batch --passin env:FW_KEY
check "unencrypted key, --passin env:: exit 0" 0 ''
no_leak "unencrypted key, --passin env: (never read)" FW_KEY
fresh
FW_KEY=$PW run "$M" run -f plain.yaml --batch --passin keys/plain.pem=env:FW_KEY
check "unencrypted key, --passin KEYFILE=env:: exit 0" 0 ''
no_leak "unencrypted key, --passin KEYFILE=env: (never read)" FW_KEY

# a wrong password: the flow stops before any step, the password is not shown
fresh
run "$M" build -f enc.yaml --batch --passin pass:not-it
check "wrong password: exit 1, the key named" 1 "mcuprov: build: 'keys/enc.pem': wrong password (or damaged key)"
assert "wrong password: no step ran" test ! -e dump-build.env
fresh
FW_KEY=$PW run "$M" run --json -f enc.yaml --batch --passin env:NOPE_UNSET
check "unset variable, --json: exit 1" 1 "mcuprov: run: 'keys/enc.pem': password variable 'NOPE_UNSET' is not set"
assert "unset variable, --json: the error names the variable only" \
	grep -q "password variable 'NOPE_UNSET' is not set" "$T_TMP/out"
assert "unset variable, --json: no password in the JSON" sh -c "! grep -qF -- '$PW' '$T_TMP/out'"

# demo -k KEY --passin env:NAME: its make (here one that dumps) and demo.log
cd "$T_TMP" || exit 1
mkdir fakebin
cat >fakebin/make <<'SH'
#!/bin/sh
env >"$DUMP_DIR/demo-make.env"
printf '%s\n' "$0" "$@" >"$DUMP_DIR/demo-make.argv"
env
printf 'argv: %s\n' "$0" "$@"
exit 1
SH
chmod +x fakebin/make
mkdir demodump
FW_KEY=$PW DUMP_DIR=$T_TMP/demodump PATH="$T_TMP/fakebin:$PATH" \
	MCUPROV_EXAMPLES="$MCUPROV_SRCDIR/examples" \
	run "$M" demo --dir d --batch -k pj/keys/enc.pem --passin env:FW_KEY
check_last "demo with the dumping make: exit 1 at the build" 1 \
	"mcuprov: demo: make failed (exit status 1; see '$T_TMP/d/demo.log')"
where=$(grep -rlF -- "$PW" d demodump "$T_TMP/out" "$T_TMP/err")
if [ -z "$where" ]; then ok "demo: the password appears nowhere"; else
	not_ok "demo: the password appears nowhere" "found in: $where"; fi
assert "demo: make ran, \$FW_KEY not in its environment" \
	sh -c 'grep -qx LEAK_CANARY=canary-visible demodump/demo-make.env && grep -q "^out: LEAK_CANARY=" d/demo.log && ! grep -q "^FW_KEY=" demodump/demo-make.env d/demo.log'

done_testing
