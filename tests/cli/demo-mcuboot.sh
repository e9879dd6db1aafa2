#!/bin/bash
# mcuprov demo --mcuboot DIR: the same steps as the built-in demo, with
# MCUboot itself (examples/mcuboot-qemu, built from the checkout at
# MCUBOOT_DIR) on QEMU mps2-an385: MCUboot verifies the signature and prints
# the fingerprint of the key it verified it with, which must be the key the
# demo made (or the user's); RSA is refused before anything is written.
. "$MCUPROV_SRCDIR/tests/lib.sh"

: "${MCUBOOT_DIR:=$MCUPROV_SRCDIR/../shared/mcuboot}"
for t in make arm-none-eabi-gcc arm-none-eabi-objcopy qemu-system-arm; do
	command -v $t >/dev/null 2>&1 || skip_all "$t not installed (scripts/install-deps installs it)"
done
[ -f "$MCUBOOT_DIR/boot/bootutil/src/loader.c" ] ||
	skip_all "no MCUboot checkout at '$MCUBOOT_DIR' (set MCUBOOT_DIR)"
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
MB_LINE="loader: MCUboot from '$MCUBOOT_DIR' (examples/mcuboot-qemu on QEMU mps2-an385), which verifies the signature itself"

for type in ecdsa-p256 ed25519; do
	run "$M" demo --dir "d-$type" --mcuboot "$MCUBOOT_DIR" --type $type
	check "demo --mcuboot --type $type: exit 0, nothing on stderr" 0 ''
	fp=$("$M" fingerprint -k "d-$type/demo-$type.pem" | cut -d' ' -f2)
	assert "demo --mcuboot $type: fingerprint is 64 hex digits" grep -Eqx '[0-9a-f]{64}' <<<"$fp"
	assert "demo --mcuboot $type: the loader line" test "$(sed -n 2p "$T_TMP/out")" = "$MB_LINE"
	assert "demo --mcuboot $type: steps 1 to 6 in order" test "$(grep -o '^\[[0-9]/6\] .*' "$T_TMP/out" | tr '\n' '|')" = \
		"[1/6] generate key|[2/6] provision keys.c|[3/6] build MCUboot and app|[4/6] sign app|[5/6] verify signed app|[6/6] boot in QEMU|"
	assert "demo --mcuboot $type: MCUboot prints the generated key" \
		grep -qx "      | mcuboot: booting image 1.2.3+4, key SHA-256 $fp" "$T_TMP/out"
	assert "demo --mcuboot $type: the app ran" grep -qx "      | app: hello from the image MCUboot verified" "$T_TMP/out"
	assert "demo --mcuboot $type: the success line names MCUboot's key" grep -q \
		"^demo: OK - the bootloader (MCUboot) trusted only the new $type key (key SHA-256 $fp) and booted the signed app 1.2.3+4 (" "$T_TMP/out"
	run "$M" verify -k "d-$type/demo-$type.pem" "d-$type/build/app.signed.bin"
	check "demo --mcuboot $type: mcuprov verify accepts its image" 0 ''
done

# MCUBOOT_DIR is the default; --json names the loader
"$M" keygen -k mine.pem -t ecdsa-p256 >/dev/null
fp=$("$M" fingerprint -k mine.pem | cut -d' ' -f2)
MCUBOOT_DIR=$MCUBOOT_DIR run "$M" demo --dir d-json -k mine.pem --json --batch
check "MCUBOOT_DIR demo -k --json: exit 0" 0 ''
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["error"] is None and d["type"] == "ecdsa-p256"
assert d["loader"] == "mcuboot" and d["mcuboot"] == sys.argv[3]
assert d["fingerprint"] == sys.argv[2] and d["boot_key"] == sys.argv[2] and d["key"] == "mine.pem"
assert d["boot_version"] == "1.2.3+4"
assert [s["step"] for s in d["steps"]] == ["load key", "provision keys.c", "build MCUboot and app", "sign app", "verify signed app", "boot in QEMU"]
assert all(s["ok"] for s in d["steps"])
assert d["boot_line"] == "app: hello from the image MCUboot verified"
' "$T_TMP/out" "$fp" "$MCUBOOT_DIR"; then ok "demo --json: the result names MCUboot"; else not_ok "demo --json: the result names MCUboot" "$(cat "$T_TMP/out")"; fi

# --image FILE: MCUboot's own verdict on an image the demo did not sign
MB_REFUSED="mcuprov: demo: MCUboot refused the image: Image in the primary slot is not valid!"
img_sign() { "$M" sign -v 1.2.3 -H 0x200 --pad-header -S 0x20000 "$@" >/dev/null; }
"$M" keygen -k other.pem -t ecdsa-p256 >/dev/null
img_sign -k other.pem d-json/build/app.bin other.bin
run "$M" demo --dir d-img-other --mcuboot "$MCUBOOT_DIR" -k mine.pem --image other.bin
check "demo --image, signed by another p256 key: exit 1, MCUboot's line" 1 "$MB_REFUSED"
assert "demo --image: the sign step is skipped" test "$(grep -o '^\[[0-9]/6\] .*' "$T_TMP/out" | tr '\n' '|')" = \
	"[1/6] load key|[2/6] provision keys.c|[3/6] build MCUboot and app|[4/6] sign app: skipped (--image)|[5/6] verify the image|[6/6] boot in QEMU|"
assert "demo --image, another key: mcuprov verify's note" grep -qx \
	"      note: mcuprov verify: no matching key: the image is signed with a key other than the given one" "$T_TMP/out"
assert "demo --image, another key: MCUboot's own line" grep -qx "      | \[ERR\] Image in the primary slot is not valid!" "$T_TMP/out"
assert "demo --image, another key: the failure line" grep -q "^demo: FAILED: MCUboot refused the image: Image in the primary slot is not valid! (log: " "$T_TMP/out"

img_sign -k mine.pem d-json/build/app.bin good.bin
run "$M" demo --dir d-img-good --mcuboot "$MCUBOOT_DIR" -k mine.pem --image good.bin
check "demo --image, signed by the provisioned key: exit 0" 0 ''
assert "demo --image, right key: no note" test -z "$(grep '^      note:' "$T_TMP/out")"
assert "demo --image, right key: the success line names the image" grep -q \
	"^demo: OK - the bootloader (MCUboot) accepted the image 'good.bin' (key SHA-256 $fp, version 1.2.3+0) and booted it (" "$T_TMP/out"

# one byte of the signature flipped (the signature TLV is last), the hash
# intact: the case the built-in loader cannot catch
cp good.bin badsig.bin
n=$(($(stat -c %s badsig.bin) - 1))
b=$(od -An -tu1 -j $n -N 1 badsig.bin | tr -d ' ')
printf '%b' "\\x$(printf '%02x' $((b ^ 0xff)))" | dd of=badsig.bin bs=1 seek=$n conv=notrunc status=none
assert "badsig.bin: one byte differs" test "$(cmp -l good.bin badsig.bin | wc -l)" = 1
run "$M" verify badsig.bin
check "badsig.bin: the hash is intact (mcuprov verify without -k)" 0 '*'
run "$M" demo --dir d-img-badsig --mcuboot "$MCUBOOT_DIR" -k mine.pem --image badsig.bin --json --batch
check "demo --image, a flipped signature byte: exit 1, MCUboot's line" 1 "$MB_REFUSED"
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and d["image"] == "badsig.bin" and d["verdict"] == "refused"
assert d["verify"].startswith("mcuprov verify: "), d["verify"]
assert d["error"]["message"] == "MCUboot refused the image: Image in the primary slot is not valid!"
assert d["steps"][3]["step"] == "sign app: skipped (--image)" and "signed_app" not in d
' "$T_TMP/out"; then ok "demo --image --json: the refusal"; else not_ok "demo --image --json: the refusal" "$(cat "$T_TMP/out")"; fi
run "$M" demo --dir d-img-none --mcuboot "$MCUBOOT_DIR" -k mine.pem --image nothing.bin
check "demo --image, a missing file: exit 1" 1 "mcuprov: demo: 'nothing.bin': cannot open: No such file or directory"
assert "demo --image, a missing file: nothing written" test ! -e d-img-none

# RSA and P-384 need mbedTLS: refused, nothing written
run "$M" demo --dir d-rsa --mcuboot "$MCUBOOT_DIR" --type rsa-2048
check "demo --mcuboot --type rsa-2048: exit 1 and the reason" 1 \
	"mcuprov: demo: MCUboot's QEMU port takes ed25519 or ecdsa-p256 keys (rsa-2048 needs mbedTLS, which it does not build)"
assert "demo --mcuboot rsa-2048: nothing written" test ! -e d-rsa
"$M" keygen -k p384.pem -t ecdsa-p384 >/dev/null
run "$M" demo --dir d-p384 --mcuboot "$MCUBOOT_DIR" -k p384.pem
check "demo --mcuboot -k ecdsa-p384: exit 1 and the reason" 1 \
	"mcuprov: demo: 'p384.pem': is ecdsa-p384: MCUboot's QEMU port takes ed25519 or ecdsa-p256 keys (ecdsa-p384 needs mbedTLS, which it does not build)"
assert "demo --mcuboot ecdsa-p384: nothing written" test ! -e d-p384
run "$M" demo --dir d-nomb --mcuboot "$T_TMP"
check "demo --mcuboot, not a checkout: exit 1" 1 "mcuprov: demo: '$T_TMP': is not an MCUboot checkout (no boot/bootutil/src/loader.c)"
assert "demo --mcuboot, not a checkout: nothing written" test ! -e d-nomb

done_testing
