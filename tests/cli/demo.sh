#!/bin/bash
# mcuprov demo: the whole flow, headless, for ed25519 and ecdsa-p256; the
# loader in QEMU must print the key mcuprov generated.
. "$MCUPROV_SRCDIR/tests/lib.sh"
. "$MCUPROV_SRCDIR/tests/keysc-lib.sh"
for t in make arm-none-eabi-gcc qemu-system-arm; do
	command -v $t >/dev/null || skip_all "$t not installed (scripts/install-deps installs it)"
done
unset MAKEFLAGS MFLAGS MAKELEVEL

for type in ed25519 ecdsa-p256; do
	run "$M" demo --dir "d-$type" --type $type
	check "demo --type $type: exit 0, nothing on stderr" 0 ''
	fp=$("$M" fingerprint -k "d-$type/demo-$type.pem" | cut -d' ' -f2)
	assert "demo $type: steps 1 to 6 in order" test "$(grep -o '^\[[0-9]/6\] .*' "$T_TMP/out" | tr '\n' '|')" = \
		"[1/6] generate key|[2/6] provision keys.c|[3/6] build loader and app|[4/6] sign app|[5/6] verify signed app|[6/6] boot in QEMU|"
	assert "demo $type: the loader shows the generated key" grep -qx "      | key SHA-256 $fp" "$T_TMP/out"
	assert "demo $type: the app ran" grep -qx "      | mcuprov demo app: hello from the signed image" "$T_TMP/out"
	assert "demo $type: one success line" grep -q "^demo: OK - the bootloader trusted only the new $type key (${fp:0:16}...) and booted the signed app (" "$T_TMP/out"
	assert "demo $type: the key file is 0600" test "$(stat -c %a "d-$type/demo-$type.pem")" = 600
	run "$M" verify -k "d-$type/demo-$type.pem" "d-$type/build/app.signed.bin"
	check "demo $type: mcuprov verify accepts its image" 0 ''
	# the key's block of the provisioned keys.c, compiled, is the new key
	"$M" getpub -k "d-$type/demo-$type.pem" -e raw >"d-$type/pub.der"
	def=$([ $type = ed25519 ] && echo MCUBOOT_SIGN_ED25519 || echo MCUBOOT_SIGN_EC256)
	if keysc_compile "$KEYSC_CC_ARM" -D$def -- "d-$type/keys.c" "d-$type/keys.o" &&
	   keysc_check_key "d-$type/keys.o" root_pub_der "d-$type/pub.der"; then
		ok "demo $type: the compiled keys.c holds exactly the new key"
	else not_ok "demo $type: the compiled keys.c holds exactly the new key" "$KEYSC_ERR"; fi
done

# again in the same directory: a new key, and still booting
old=$(cut -d' ' -f2 <("$M" fingerprint -k d-ed25519/demo-ed25519.pem))
run "$M" demo --dir d-ed25519
check "demo again in the same directory" 0 ''
new=$(cut -d' ' -f2 <("$M" fingerprint -k d-ed25519/demo-ed25519.pem))
assert "a second run makes a new key" test "$old" != "$new"

# --json
run "$M" demo --dir d-json --json --batch
check "demo --json: exit 0" 0 ''
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["type"] == "ed25519" and len(d["fingerprint"]) == 64
assert [s["step"] for s in d["steps"]] == ["generate key", "provision keys.c", "build loader and app", "sign app", "verify signed app", "boot in QEMU"]
assert all(s["ok"] for s in d["steps"]) and d["error"] is None
assert d["boot_line"] == "mcuprov demo app: hello from the signed image"
' "$T_TMP/out"; then ok "demo --json: the result"; else not_ok "demo --json: the result" "$(cat "$T_TMP/out")"; fi

# a missing tool: one clear line, the failing step named
mkdir nobin && for f in /usr/bin/* /bin/*; do
	case ${f##*/} in qemu-system-arm) ;; *) ln -sf "$f" nobin/ 2>/dev/null ;; esac
done
PATH=$T_TMP/nobin run "$M" demo --dir d-noqemu
check "demo without qemu-system-arm: exit 1 and the reason" 1 "mcuprov: demo: qemu-system-arm not found in PATH (install: apt-get install qemu-system-arm)"
assert "demo without QEMU: the failing step is named" grep -q "^      FAILED .*qemu-system-arm not found in PATH" "$T_TMP/out"
assert "demo without QEMU: a failure line" grep -q "^demo: FAILED: qemu-system-arm not found in PATH" "$T_TMP/out"

run "$M" demo --type ecdsa-p384
check "demo --type ecdsa-p384: usage error" 2 "mcuprov: demo: invalid --type 'ecdsa-p384' (ed25519, ecdsa-p256, rsa-2048 or rsa-3072)
usage: mcuprov demo [--dir DIR] [--type TYPE] [--batch] [--json]"

done_testing
