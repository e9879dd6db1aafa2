#!/bin/bash
# The headless journey, as CI or a factory runs it: in an empty directory a
# demo-qemu project with two encrypted keys of different passwords (the
# signing key and a trusted one), `run --batch --json` with a password
# source per key (--passin KEYFILE=SRC, mcuprov.yaml's keys[].passin) builds,
# signs and boots; every failure prints exactly one JSON object naming what
# failed; a rotation leaves the keys that no longer sign as public halves,
# so that CI then needs the signing key's password alone.  Every JSON
# output is parsed with python3's json module.
. "$MCUPROV_SRCDIR/tests/lib.sh"
for t in make arm-none-eabi-gcc qemu-system-arm python3; do
	command -v $t >/dev/null || skip_all "$t not installed (scripts/install-deps installs it)"
done
unset MAKEFLAGS MFLAGS MAKELEVEL

HELLO='mcuprov demo app: hello from the signed image'
# in the log, each line the board printed is "out: LINE" or "err: LINE"
logged() { grep -qxE "(out|err): $1" mcuprov.log; }

# json_ok DESC [PYTHON]: exit 0 and stdout is exactly one JSON object, "ok"
# true, "error" null, every step ok; PYTHON (with d the object) asserts more
json_ok() {
	local desc=$1 extra=${2:-}
	if [ "$RC" != 0 ]; then
		not_ok "$desc" "exit code $RC" "stderr: $(cat "$T_TMP/err")" "stdout: $(head -c 2000 "$T_TMP/out")"
	elif python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read())
assert isinstance(d, dict), "not an object"
assert d["ok"] is True and d["error"] is None, d.get("error")
assert all(s["ok"] for s in d.get("steps", [])), "a step failed"
exec(sys.argv[2])
' "$T_TMP/out" "$extra" 2>"$T_TMP/py"; then
		ok "$desc"
	else
		not_ok "$desc" "$(cat "$T_TMP/py")" "stdout: $(head -c 2000 "$T_TMP/out")"
	fi
}

# json_fails DESC EXIT SUBJECT MESSAGE [PYTHON]: exit EXIT, stdout exactly
# one JSON object with "ok" false and "error" {"subject": SUBJECT,
# "message": MESSAGE, "exit": EXIT}, no signed_app; stderr the same error
# as mcuprov reports it without --json (its last line)
json_fails() {
	local desc=$1 want_rc=$2 subject=$3 message=$4 extra=${5:-} line
	if [ -n "$subject" ]; then line="mcuprov: $CMD: '$subject': $message"; else line="mcuprov: $CMD: $message"; fi
	if [ "$RC" != "$want_rc" ]; then
		not_ok "$desc" "exit code $RC, expected $want_rc" "stderr: $(cat "$T_TMP/err")"
	elif ! grep -qxF -- "$line" "$T_TMP/err"; then
		not_ok "$desc" "stderr: $(cat "$T_TMP/err")" "expected the line: $line"
	elif python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read())
assert isinstance(d, dict), "not an object"
assert d["ok"] is False, "ok is not false"
assert d["command"] == sys.argv[6], d["command"]
assert d["error"] == {"subject": sys.argv[2], "message": sys.argv[3], "exit": int(sys.argv[4])}, d["error"]
assert "signed_app" not in d, "a signed_app that was never made"
exec(sys.argv[5])
' "$T_TMP/out" "$subject" "$message" "$want_rc" "$extra" "$CMD" 2>"$T_TMP/py"; then
		ok "$desc"
	else
		not_ok "$desc" "$(cat "$T_TMP/py")" "stdout: $(head -c 2000 "$T_TMP/out")"
	fi
}

# ---- the project: demo-qemu, two encrypted keys, different passwords
CMD=run
run "$M" init -p demo-qemu
check "init -p demo-qemu in an empty directory: exit 0" 0 '*'
"$M" keygen -k keys/a.pem -t ed25519 --passout pass:alpha-pw >/dev/null
"$M" keygen -k keys/b.pem -t ed25519 --passout pass:beta-pw >/dev/null
# keys[0] (signs) is keys/a.pem, keys/b.pem is trusted too
python3 - <<'PY'
import re
s = open("mcuprov.yaml").read()
s, n = re.subn(r"(\n  - path: )keys/demo-signing\.pem(\n    type: ed25519[^\n]*\n)",
               r"\1keys/a.pem\2  - path: keys/b.pem\n    type: ed25519\n", s, count=1)
assert n == 1
open("mcuprov.yaml", "w").write(s)
PY
cp mcuprov.yaml plain.yaml
printf 'beta-pw\n' >pw
chmod 600 pw
fp_a=$("$M" fingerprint -k keys/a.pem --passin pass:alpha-pw | cut -d' ' -f2)
B=$PWD/build/demo-qemu

# ---- per-key sources on the command line
A=alpha-pw run "$M" run --batch --json --passin keys/a.pem=env:A --passin keys/b.pem=file:pw
json_ok "run --batch --json, --passin KEYFILE=SRC per key: one JSON object, ok" '
assert d["command"] == "run" and d["target"] == "qemu" and d["dry_run"] is False
assert [s["step"] for s in d["steps"]] == ["provision", "bootloader build", "app build", "sign", "verify", "run"]
assert d["signed_app"].endswith("/build/demo-qemu/app.signed.bin")
assert d["log"].endswith("/mcuprov.log")
assert d["steps"][4]["detail"] == "hash and signature valid (key 0)"'
assert "run --json: nothing on stderr" test ! -s "$T_TMP/err"
assert "run --json: the signed app it names exists" test -s "$B/app.signed.bin"
assert "run --json: it booted (the app's line in the log)" logged "$HELLO"
assert "run --json: the loader trusted the signing key (its line in the log)" logged "key SHA-256 $fp_a"
run "$M" verify -k keys/a.pem -k keys/b.pem --passin keys/a.pem=pass:alpha-pw --passin keys/b.pem=file:pw "$B/app.signed.bin"
check "the image verifies with the project's two keys (verify takes KEYFILE=SRC too)" 0 ''
assert "... signed by keys[0]" grep -qx "Signed by: ed25519 $fp_a ('keys/a.pem')" "$T_TMP/out"

# ---- the sources in mcuprov.yaml, relative to the project, run from elsewhere
mkdir -p secrets elsewhere
printf 'beta-pw\n' >secrets/b.txt
python3 - <<'PY'
s = open("mcuprov.yaml").read()
s = s.replace("  - path: keys/a.pem\n", "  - path: keys/a.pem\n    passin: env:A_PASS\n", 1)
s = s.replace("  - path: keys/b.pem\n    type: ed25519\n", "  - {path: keys/b.pem, type: ed25519, passin: file:secrets/b.txt}\n", 1)
open("mcuprov.yaml", "w").write(s)
PY
cp mcuprov.yaml sources.yaml
(cd elsewhere && A_PASS=alpha-pw run "$M" run --batch --json -f ../mcuprov.yaml)
json_ok "keys[].passin in mcuprov.yaml (file: relative to the project), -f from another directory: ok" '
assert d["signed_app"].endswith("/build/demo-qemu/app.signed.bin")'

# precedence: --passin KEYFILE=SRC > --passin SRC > keys[].passin > prompt
A_PASS=wrong A=alpha-pw run "$M" run --batch --json --passin keys/a.pem=env:A
json_ok "--passin KEYFILE=SRC beats keys[].passin"
A_PASS=wrong A=alpha-pw run "$M" run --batch --json --passin env:A --passin keys/b.pem=file:pw
json_ok "--passin SRC (every key) beats keys[].passin; KEYFILE=SRC beats --passin SRC"
A_PASS=wrong run "$M" run --batch --json
json_fails "keys[].passin with the wrong password: the key named" 1 keys/a.pem "wrong password (or damaged key)" '
assert d["steps"] == [] and d["target"] == "qemu"'

# ---- failure modes: exactly one JSON object each, the subject named
cp plain.yaml mcuprov.yaml
run "$M" run --batch --json -f none.yaml
json_fails "no project file" 1 none.yaml "cannot open: No such file or directory" '
assert d["steps"] == [] and "target" not in d and "log" not in d'
run "$M" run --batch --json
json_fails "--batch, an encrypted key, no source" 1 keys/a.pem "key is encrypted and --batch never prompts: give --passin"
run "$M" run --batch --json --passin keys/a.pem=pass:alpha-pw
json_fails "--batch, a source for keys[0] only: keys[1] named" 1 keys/b.pem "key is encrypted and --batch never prompts: give --passin"
run "$M" run --batch --json --passin keys/a.pem=pass:alpha-pw --passin keys/b.pem=pass:alpha-pw
json_fails "a wrong password: the key it was for" 1 keys/b.pem "wrong password (or damaged key)"
run env -u H6_UNSET "$M" run --batch --json --passin keys/a.pem=env:H6_UNSET --passin keys/b.pem=file:pw
json_fails "env:UNSET" 1 keys/a.pem "password variable 'H6_UNSET' is not set"
run "$M" run --batch --json --passin keys/a.pem=pass:alpha-pw --passin keys/b.pem=file:nopw
json_fails "file: that does not exist" 1 keys/b.pem "cannot open password file: No such file or directory"
mv keys/b.pem keys/b.moved
run "$M" run --batch --json --passin keys/a.pem=pass:alpha-pw --passin keys/b.pem=file:pw
json_fails "a missing key file" 1 keys/b.pem "cannot open: No such file or directory"
mv keys/b.moved keys/b.pem
run "$M" run --batch --json --passin keys/x.pem=pass:alpha-pw
json_fails "--passin naming no key of the project: a usage error" 2 keys/x.pem "--passin names no key that run loads (keys: keys/a.pem, keys/b.pem)"
assert "... the password is not repeated" sh -c "! grep -q alpha-pw '$T_TMP/out' '$T_TMP/err'"
run "$M" run --batch --json --no-such-option
json_fails "a usage error" 2 '' "unknown option '--no-such-option'"
sed 's|"${build_dir}/loader.elf"\]|"${build_dir}/no-such-target"]|' plain.yaml >broken.yaml
assert "broken.yaml: the bootloader build asks make for a target it has no rule for" \
	sh -c '! cmp -s broken.yaml plain.yaml'
rm -f mcuprov.log
run "$M" run --batch --json -f broken.yaml --passin keys/a.pem=pass:alpha-pw --passin keys/b.pem=file:pw
json_fails "a failing build step" 1 '' "make failed (exit status 2)" '
assert [(s["step"], s["ok"]) for s in d["steps"]] == [("provision", True), ("bootloader build", False)]
assert d["steps"][1]["detail"] == "make failed (exit status 2)"
assert d["log"].endswith("/mcuprov.log") and "diff" in d'
run "$M" build --batch --json --dry-run --passin keys/a.pem=pass:alpha-pw --passin keys/b.pem=file:pw
json_ok "build --dry-run --json: no signed_app, no log (nothing was made)" '
assert "signed_app" not in d and "log" not in d and d["dry_run"] is True and isinstance(d["diff"], str)'
CMD=flash
run "$M" flash --batch --json --passin keys/a.pem=pass:alpha-pw --passin keys/b.pem=file:pw
json_fails "flash with no flash steps" 2 mcuprov.yaml "nothing to do: the target has no steps for this command"

# ---- rotation in CI: the old keys become public halves; then the signing
# key's password is the only one needed
CMD=rotate
"$M" keygen -k keys/c.pem -t ed25519 --passout pass:gamma-pw >/dev/null
cp mcuprov.yaml before.yaml
run "$M" rotate add keys/c.pem --batch --json --dry-run --passin keys/c.pem=pass:gamma-pw --passin keys/a.pem=pass:alpha-pw --passin keys/b.pem=file:pw
json_ok "rotate add --dry-run --json: ok" '
assert d["command"] == "rotate" and d["action"] == "add" and d["dry_run"] is True
assert d["keys"] == [{"path": "keys/c.pem", "role": "signs"}, {"path": "keys/a.pub.pem", "role": "trusted"}, {"path": "keys/b.pub.pem", "role": "trusted"}]
assert "project_backup" not in d and d["public_keys_written"] == []
assert "\n-  - path: keys/a.pem\n" in d["project_diff"] and "\n+  - path: keys/a.pub.pem\n" in d["project_diff"]'
assert "rotate --dry-run: nothing written" sh -c 'cmp -s mcuprov.yaml before.yaml && test ! -e keys/a.pub.pem'
run "$M" rotate add keys/c.pem --batch --json --passin keys/c.pem=pass:gamma-pw --passin keys/a.pem=pass:alpha-pw --passin keys/b.pem=file:pw
json_ok "rotate add --json: the new key signs, the others are public halves" '
assert d["keys"] == [{"path": "keys/c.pem", "role": "signs"}, {"path": "keys/a.pub.pem", "role": "trusted"}, {"path": "keys/b.pub.pem", "role": "trusted"}]
assert d["project_backup"] == "mcuprov.yaml.bak" and d["bootloader"]["changed"] is True
assert sorted(p.rsplit("/", 1)[1] for p in d["public_keys_written"]) == ["a.pub.pem", "b.pub.pem"]'
assert "rotate add: keys/a.pub.pem is the public half of keys/a.pem" \
	cmp -s keys/a.pub.pem <("$M" getpub -k keys/a.pem --passin pass:alpha-pw -e pem)
C=gamma-pw run "$M" run --batch --json --passin keys/c.pem=env:C
json_ok "after the rotation: run --batch --json with the signing key's password alone" '
assert d["steps"][4]["detail"] == "hash and signature valid (key 0)"'
assert "... and it booted" logged "$HELLO"
run "$M" rotate retire keys/a.pem --batch --json
json_fails "rotate retire with the signing key encrypted and no source" 1 keys/c.pem "key is encrypted and --batch never prompts: give --passin" '
assert d["action"] == "retire" and d["key"] == "keys/a.pem" and "keys" not in d'
run "$M" rotate retire keys/a.pem --batch --json --passin keys/c.pem=pass:gamma-pw
json_ok "rotate retire (by the private key file of a public half) --json" '
assert d["keys"] == [{"path": "keys/c.pem", "role": "signs"}, {"path": "keys/b.pub.pem", "role": "trusted"}]
assert d["project_backup"] == "mcuprov.yaml.bak.1"'
run "$M" rotate retire keys/c.pem --json
json_fails "rotate retire the signing key --json" 2 keys/c.pem "is the signing key: add its successor first (mcuprov rotate add)"
run "$M" rotate --json
json_fails "rotate --json, a usage error" 2 '' "missing add or retire" '
assert "action" not in d'

# ---- demo --json: one object on failure too
CMD=demo
run "$M" demo --json --type ecdsa-p384
json_fails "demo --json, a usage error" 2 '' "invalid --type 'ecdsa-p384' (ed25519, ecdsa-p256, rsa-2048 or rsa-3072)"

done_testing
