#!/bin/bash
# build / flash / run: a project file's target driven end to end through the
# runner (no shell), with --dry-run, --json and --batch.
. "$MCUPROV_SRCDIR/tests/lib.sh"
for t in make arm-none-eabi-gcc qemu-system-arm; do
	command -v $t >/dev/null || skip_all "$t not installed (scripts/install-deps installs it)"
done
unset MAKEFLAGS MFLAGS MAKELEVEL

mkdir pj && cd pj || exit 1
cp -r "$MCUPROV_SRCDIR/examples" .
# the demo sources the profile's ${mcuprov_examples} names: this copy
export MCUPROV_EXAMPLES=$PWD/examples
"$M" init -p demo-qemu >/dev/null
mkdir -p keys build/demo-qemu
"$M" keygen -k keys/demo-signing.pem -t ed25519 >/dev/null
cp examples/demo-qemu/loader/keys.c build/demo-qemu/keys.c
cp build/demo-qemu/keys.c keys.c.orig
fp=$("$M" fingerprint -k keys/demo-signing.pem | cut -d' ' -f2)
B=$PWD/build/demo-qemu

run "$M" run --dry-run
check "run --dry-run: exit 0" 0 ''
grep '^\[' "$T_TMP/out" >steps
check_out_file() { cmp -s "$1" "$2" && ok "$3" || not_ok "$3" "$(diff "$1" "$2")"; }
printf '%s\n' \
	"[1/6] provision" \
	"[2/6] bootloader build: make -C $MCUPROV_EXAMPLES/demo-qemu O=$B KEYS_C=$B/keys.c SIGN_DEFINE=MCUBOOT_SIGN_ED25519 $B/loader.elf" \
	"[3/6] app build: make -C $MCUPROV_EXAMPLES/demo-qemu O=$B KEYS_C=$B/keys.c SIGN_DEFINE=MCUBOOT_SIGN_ED25519 $B/app.bin" \
	"[4/6] sign" "[5/6] verify" \
	"[6/6] run: qemu-system-arm -M lm3s6965evb -nographic -semihosting-config enable=on,target=native -kernel $B/loader.elf -device loader,file=$B/app.signed.bin,addr=0x00010000" >want
check_out_file steps want "run --dry-run: the exact commands of every step"
assert "run --dry-run: shows the provisioning diff" grep -qx -- "--- a/build/demo-qemu/keys.c" "$T_TMP/out"
assert "run --dry-run: keys.c untouched" cmp -s build/demo-qemu/keys.c keys.c.orig
assert "run --dry-run: nothing built" test ! -e build/demo-qemu/loader.elf

run "$M" run
check "run: exit 0" 0 ''
assert "run: the loader shows the project's key" grep -qx "      | key SHA-256 $fp" "$T_TMP/out"
assert "run: the app booted" grep -qx "      | mcuprov demo app: hello from the signed image" "$T_TMP/out"
assert "run: a success line" grep -q '^run: OK (6 steps, ' "$T_TMP/out"
assert "run: the build output is in the log" grep -q '^out: ' mcuprov.log
run "$M" verify -k keys/demo-signing.pem build/demo-qemu/app.signed.bin
check "run: the signed app verifies" 0 ''
run "$M" run
assert "run again: provisioning changes nothing" grep -q "keys.c: already trusts the keys$" "$T_TMP/out"

run "$M" build
check "build: exit 0" 0 ''
assert "build: provision and the two builds only" test "$(grep -c '^\[' "$T_TMP/out")" = 3
run "$M" flash
check "flash with no flash steps: usage error" 2 "mcuprov: flash: 'mcuprov.yaml': nothing to do: the target has no steps for this command"

run "$M" run --json --batch
check "run --json: exit 0" 0 ''
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] and d["command"] == "run" and d["target"] == "qemu" and d["error"] is None
assert [s["step"] for s in d["steps"]] == ["provision", "bootloader build", "app build", "sign", "verify", "run"]
assert d["steps"][5]["argv"][0] == "qemu-system-arm" and all(s["ok"] for s in d["steps"])
' "$T_TMP/out"; then ok "run --json: the result"; else not_ok "run --json: the result" "$(cat "$T_TMP/out")"; fi

# --batch never prompts: an encrypted key needs --passin
"$M" keygen -k keys/enc.pem -t ed25519 --passout pass:s3cret >/dev/null
sed 's|keys/demo-signing.pem|keys/enc.pem|' mcuprov.yaml >enc.yaml
run "$M" run -f enc.yaml --batch
check "--batch with an encrypted key and no --passin: the key named as the project file names it" 1 "mcuprov: run: 'keys/enc.pem': key is encrypted and --batch never prompts: give --passin"
run "$M" run -f enc.yaml --batch --passin pass:s3cret
check "--batch with --passin" 0 ''

# the key must be what the project says
"$M" keygen -k keys/p256.pem -t ecdsa-p256 >/dev/null
sed 's|keys/demo-signing.pem|keys/p256.pem|' mcuprov.yaml >wrongtype.yaml
run "$M" run -f wrongtype.yaml
kline=$(grep -n 'path: keys/p256.pem' wrongtype.yaml | cut -d: -f1)
check "key type differs from the project file" 1 "mcuprov: run: 'keys/p256.pem': is ecdsa-p256 but wrongtype.yaml:$kline says ed25519"

# steps run without a shell: odd words arrive intact; failures stop the flow
cat >odd.yaml <<'YAML'
version: 1
keys:
  - path: keys/demo-signing.pem
    type: ed25519
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
      - [printf, "%s\n", "a b", "'q'", ";x", "-dash", "$(id)", "${board}"]
    vars: {board: "my board"}
    run:
      - [printf, "%s\n", "two words", "$HOME"]
  fails:
    app: app.bin
    signed_app: app.signed.bin
    app_build:
      - ["false"]
      - [printf, never]
  missing:
    app: app.bin
    signed_app: app.signed.bin
    app_build:
      - [no-such-tool-mcuprov]
YAML
head -c 1000 /dev/urandom >app.bin
run "$M" run -f odd.yaml -t t
check "odd words: exit 0" 0 ''
grep '^out: ' mcuprov.log | tail -n 8 >got-words
printf 'out: %s\n' "a b" "'q'" ";x" "-dash" '$(id)' "my board" "two words" '$HOME' >want-words
check_out_file got-words want-words "every argv word arrives intact (no shell, no word splitting)"
run "$M" run -f odd.yaml -t fails
check "a failing step: exit 1" 1 "mcuprov: run: false failed (exit status 1)"
assert "a failing step: the flow stops there" sh -c "grep -q '^run: FAILED at step 1 (false failed (exit status 1)); log: ' '$T_TMP/out' && ! grep -q '^\[2/' '$T_TMP/out'"
run "$M" run -f odd.yaml -t missing
check "a missing tool" 1 "mcuprov: run: no-such-tool-mcuprov not found in PATH"
run "$M" run -f odd.yaml -t nope
check "an unknown target: usage error" 2 "mcuprov: run: 'odd.yaml': no target 'nope' (targets: t, fails, missing)"
printf 'version: 1\nkeys: nope\n' >bad.yaml
run "$M" build -f bad.yaml
check "a malformed project file: file:line:column" 1 "mcuprov: build: bad.yaml:1:1: missing required key 'image'"

done_testing
