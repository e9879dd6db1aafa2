#!/bin/bash
# mcuprov demo --mcuboot DIR: the same steps as the built-in demo, with
# MCUboot itself (examples/mcuboot-qemu, built from the checkout at
# MCUBOOT_DIR) on QEMU mps2-an385: MCUboot verifies the signature and prints
# the fingerprint of the key it verified it with, which must be the key the
# demo made (or the user's); RSA is refused before anything is written.
. "$MCUPROV_SRCDIR/tests/lib.sh"

. "$MCUPROV_SRCDIR/tests/mcuboot-lib.sh"
need_mcuboot
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

# --upgrade: a second version (1.3.0+0, --pad) in the secondary slot; the
# board's flash outlives each QEMU run (build/flash.bin), so --test's second
# boot reverts and --confirm's keeps the upgrade
steps() { grep -o '^\[[0-9]/6\] .*' "$T_TMP/out" | tr '\n' '|'; }
board() { sed -n 's/^      | //p' "$T_TMP/out"; }
APP='app: hello from the image MCUboot verified'
RESET='-- reset: the board boots again from the same flash --'
run "$M" demo --dir d-up --mcuboot "$MCUBOOT_DIR" -k mine.pem --upgrade
check "demo --upgrade: exit 0" 0 ''
assert "demo --upgrade: steps" test "$(steps)" = \
	"[1/6] load key|[2/6] provision keys.c|[3/6] build MCUboot and app|[4/6] sign app and its upgrade|[5/6] verify app and upgrade|[6/6] boot in QEMU|"
if printf '%s\n' "$PRI_UNSET" "$SCR_UNSET" '[INF] Boot source: primary slot' \
	'[INF] Image index: 0, Swap type: test' "$SWAPPING" \
	"mcuboot: booting image 1.3.0+0, key SHA-256 $fp" "$APP" | cmp -s - <(board); then
	ok "demo --upgrade: MCUboot swaps in 1.3.0+0 and boots it"
else not_ok "demo --upgrade: MCUboot swaps in 1.3.0+0 and boots it" "$(cat "$T_TMP/out")"; fi
assert "demo --upgrade: the success line" grep -qx \
	"demo: OK - MCUboot (key SHA-256 $fp) swapped in the upgrade 1.3.0+0 (swap type test) and booted it ([0-9.]* s)" "$T_TMP/out"
run "$M" verify -k mine.pem d-up/build/app-v2.signed.bin
check "demo --upgrade: the upgrade verifies" 0 '*'
assert "demo --upgrade: the upgrade is padded to the slot" test "$(stat -c %s d-up/build/app-v2.signed.bin)" = $((0x20000))
assert "demo --upgrade: the trailer's magic, image_ok unset" \
	test "$(od -An -tx1 -j $((0x20000 - 24)) -N 24 d-up/build/app-v2.signed.bin | tr -d ' \n')" = \
	"ffffffffffffffff77c295f360d2ef7f3552500f2cb67980"
assert "demo --upgrade: the board's flash written back (the slots swapped)" \
	test "$(head -c 16 d-up/build/flash.bin | od -An -tx1 | tr -d ' \n')" = \
	"$(head -c 16 d-up/build/app-v2.signed.bin | od -An -tx1 | tr -d ' \n')"

run "$M" demo --dir d-test --mcuboot "$MCUBOOT_DIR" -k mine.pem --test
check "demo --test: exit 0" 0 ''
assert "demo --test: the boot step boots twice" test "$(steps | cut -d'|' -f6)" = "[6/6] boot in QEMU, twice"
if printf '%s\n' "$PRI_UNSET" "$SCR_UNSET" '[INF] Boot source: primary slot' \
	'[INF] Image index: 0, Swap type: test' "$SWAPPING" \
	"mcuboot: booting image 1.3.0+0, key SHA-256 $fp" "$APP" "$RESET" \
	'[INF] Primary image: magic=good, swap_type=0x2, copy_done=0x1, image_ok=0x3' "$SCR_UNSET" \
	'[INF] Boot source: none' '[INF] Image index: 0, Swap type: revert' "$SWAPPING" \
	"mcuboot: booting image 1.2.3+4, key SHA-256 $fp" "$APP" | cmp -s - <(board); then
	ok "demo --test: 1.3.0+0 boots, then MCUboot reverts to 1.2.3+4"
else not_ok "demo --test: 1.3.0+0 boots, then MCUboot reverts to 1.2.3+4" "$(cat "$T_TMP/out")"; fi
assert "demo --test: the success line" grep -qx \
	"demo: OK - MCUboot (key SHA-256 $fp) swapped in the test upgrade 1.3.0+0, booted it, and reverted to 1.2.3+4 on the next boot since nothing confirmed it ([0-9.]* s)" "$T_TMP/out"

run "$M" demo --dir d-confirm --mcuboot "$MCUBOOT_DIR" -k mine.pem --confirm --json --batch
check "demo --confirm --json: exit 0" 0 ''
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["boot_key"] == sys.argv[2] and d["boot_version"] == "1.3.0+0"
u = d["upgrade"]
assert u == {"mode": "confirm", "image": sys.argv[3] + "/d-confirm/build/app-v2.signed.bin",
             "swap_type": "perm", "booted": "1.3.0+0", "reboot_swap_type": "none",
             "reboot_booted": "1.3.0+0"}, u
assert d["steps"][3]["detail"].endswith("(version 1.3.0+0, padded, confirmed: permanent)"), d["steps"][3]
' "$T_TMP/out" "$fp" "$(pwd -P)"; then ok "demo --confirm: perm swap, kept on the second boot"; else not_ok "demo --confirm: perm swap, kept on the second boot" "$(cat "$T_TMP/out")"; fi
assert "demo --confirm: image_ok set in the upgrade's trailer" \
	test "$(od -An -tx1 -j $((0x20000 - 24)) -N 1 d-confirm/build/app-v2.signed.bin | tr -d ' ')" = 01

# --upgrade --image FILE: FILE in the secondary slot; signed by another key,
# MCUboot refuses it (exit 1) and the first version keeps booting
"$M" sign -k other.pem -v 1.3.0 -H 0x200 --pad-header -S 0x20000 --pad d-json/build/app.bin other-v2.bin >/dev/null
run "$M" demo --dir d-up-other --mcuboot "$MCUBOOT_DIR" -k mine.pem --upgrade --image other-v2.bin
check "demo --upgrade --image, another key: exit 1, MCUboot's reason" 1 \
	"mcuprov: demo: MCUboot refused the upgrade: Image in the secondary slot is not valid! (it booted 1.2.3+4 from the primary slot)"
assert "demo --upgrade --image: steps" test "$(steps)" = \
	"[1/6] load key|[2/6] provision keys.c|[3/6] build MCUboot and app|[4/6] sign app (the upgrade is --image)|[5/6] verify the image|[6/6] boot in QEMU|"
if printf '%s\n' "$PRI_UNSET" "$SCR_UNSET" '[INF] Boot source: primary slot' \
	'[INF] Image index: 0, Swap type: test' '[ERR] Image in the secondary slot is not valid!' \
	"mcuboot: booting image 1.2.3+4, key SHA-256 $fp" "$APP" | cmp -s - <(board); then
	ok "demo --upgrade --image, another key: refused, 1.2.3+4 keeps booting"
else not_ok "demo --upgrade --image, another key: refused, 1.2.3+4 keeps booting" "$(cat "$T_TMP/out")"; fi
assert "demo --upgrade --image, another key: mcuprov verify's note" grep -qx \
	"      note: mcuprov verify: no matching key: the image is signed with a key other than the given one" "$T_TMP/out"
assert "demo --upgrade --image, another key: the secondary slot erased on the board" \
	test "$(od -An -tx1 -j $((0x20000)) -N 4 d-up-other/build/flash.bin | tr -d ' ')" = ffffffff
"$M" sign -k mine.pem -v 2.0.0 -H 0x200 --pad-header -S 0x20000 --pad d-json/build/app.bin mine-v2.bin >/dev/null
run "$M" demo --dir d-up-mine --mcuboot "$MCUBOOT_DIR" -k mine.pem --upgrade --image mine-v2.bin
check "demo --upgrade --image, the provisioned key: exit 0" 0 ''
assert "demo --upgrade --image, the provisioned key: the success line" grep -qx \
	"demo: OK - MCUboot accepted the upgrade 'mine-v2.bin' (key SHA-256 $fp, version 2.0.0+0, swap type test) and booted it ([0-9.]* s)" "$T_TMP/out"
head -c $((0x20000 + 1)) /dev/zero >huge.bin
run "$M" demo --dir d-up-huge --mcuboot "$MCUBOOT_DIR" -k mine.pem --upgrade --image huge.bin
check "demo --upgrade --image larger than the slot: exit 1" 1 \
	"mcuprov: demo: '$(pwd -P)/d-up-huge/image.bin': is 131073 bytes: larger than the secondary slot (0x20000 bytes)"

run "$M" demo --dir d-up-builtin --upgrade
check "demo --upgrade without MCUboot: usage, exit 2" 2 \
	"mcuprov: demo: --upgrade needs MCUboot (--mcuboot DIR or MCUBOOT_DIR): the built-in loader has no secondary slot
usage: mcuprov demo [--dir DIR] [--mcuboot DIR [--mbedtls DIR]] [--type TYPE | -k KEY [--passin SRC]] [--image FILE] [--upgrade [--test | --confirm]] [--batch] [--json]"
run "$M" demo --mcuboot "$MCUBOOT_DIR" --test --confirm
check "demo --test --confirm: usage, exit 2" 2 \
	"mcuprov: demo: give either --test or --confirm, not both
usage: mcuprov demo [--dir DIR] [--mcuboot DIR [--mbedtls DIR]] [--type TYPE | -k KEY [--passin SRC]] [--image FILE] [--upgrade [--test | --confirm]] [--batch] [--json]"
run "$M" demo --mcuboot "$MCUBOOT_DIR" --test --image good.bin
check "demo --test --image: usage, exit 2" 2 \
	"mcuprov: demo: --test signs the upgrade itself: not with --image
usage: mcuprov demo [--dir DIR] [--mcuboot DIR [--mbedtls DIR]] [--type TYPE | -k KEY [--passin SRC]] [--image FILE] [--upgrade [--test | --confirm]] [--batch] [--json]"
assert "demo usage errors: nothing written" test ! -e d-up-builtin -a ! -e mcuprov-demo

# RSA and P-384 need mbedTLS: without --mbedtls refused, nothing written
run env -u MBEDTLS_DIR "$M" demo --dir d-rsa --mcuboot "$MCUBOOT_DIR" --type rsa-2048
check "demo --mcuboot --type rsa-2048: exit 1 and the reason" 1 \
	"mcuprov: demo: MCUboot verifies rsa-2048 signatures with mbedTLS, which an MCUboot checkout lacks (a submodule): give --mbedtls DIR, an mbedTLS source tree (scripts/fetch-mbedtls DIR unpacks Debian's)"
assert "demo --mcuboot rsa-2048: nothing written" test ! -e d-rsa
"$M" keygen -k p384.pem -t ecdsa-p384 >/dev/null
run env -u MBEDTLS_DIR "$M" demo --dir d-p384 --mcuboot "$MCUBOOT_DIR" -k p384.pem
check "demo --mcuboot -k ecdsa-p384: exit 1 and the reason" 1 \
	"mcuprov: demo: 'p384.pem': is ecdsa-p384: MCUboot verifies ecdsa-p384 signatures with mbedTLS, which an MCUboot checkout lacks (a submodule): give --mbedtls DIR, an mbedTLS source tree (scripts/fetch-mbedtls DIR unpacks Debian's)"
assert "demo --mcuboot ecdsa-p384: nothing written" test ! -e d-p384
run "$M" demo --dir d-nomb --mcuboot "$T_TMP"
check "demo --mcuboot, not a checkout: exit 1" 1 "mcuprov: demo: '$T_TMP': is not an MCUboot checkout (no boot/bootutil/src/loader.c)"
assert "demo --mcuboot, not a checkout: nothing written" test ! -e d-nomb
run "$M" demo --dir d-nombed --mcuboot "$MCUBOOT_DIR" --mbedtls "$T_TMP" --type rsa-3072
check "demo --mbedtls, not an mbedTLS tree: exit 1" 1 "mcuprov: demo: '$T_TMP': is not an mbedTLS source tree (no include/mbedtls/rsa.h and library/bignum.c)"
assert "demo --mbedtls, not an mbedTLS tree: nothing written" test ! -e d-nombed
run "$M" demo --dir d-mbed-ed --mcuboot "$MCUBOOT_DIR" --mbedtls "$T_TMP"
check "demo --mbedtls with an ed25519 key: usage error" 2 "mcuprov: demo: --mbedtls is for rsa-2048, rsa-3072 and ecdsa-p384 keys: MCUboot verifies ed25519 with its own ext/ crypto
usage: mcuprov demo [--dir DIR] [--mcuboot DIR [--mbedtls DIR]] [--type TYPE | -k KEY [--passin SRC]] [--image FILE] [--upgrade [--test | --confirm]] [--batch] [--json]"
run env -u MCUBOOT_DIR "$M" demo --dir d-mbed-nomb --mbedtls "$T_TMP" --type rsa-2048
check "demo --mbedtls without MCUboot: usage error" 2 "mcuprov: demo: --mbedtls needs MCUboot (--mcuboot DIR or MCUBOOT_DIR)
usage: mcuprov demo [--dir DIR] [--mcuboot DIR [--mbedtls DIR]] [--type TYPE | -k KEY [--passin SRC]] [--image FILE] [--upgrade [--test | --confirm]] [--batch] [--json]"

done_testing
