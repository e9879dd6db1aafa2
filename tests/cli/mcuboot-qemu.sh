#!/bin/bash
# mcuboot-qemu: MCUboot itself on QEMU's mps2-an385 (examples/mcuboot-qemu).
# A fresh key is patched into a copy of the port's keys.c with
# `mcuprov patch`, MCUboot is built from the checkout at MCUBOOT_DIR with
# arm-none-eabi-gcc, the app is signed with `mcuprov sign`, and MCUboot's own
# code decides: it boots the image signed by the key it was built with and
# refuses the others (a flipped signature byte, another key, no signature,
# a changed protected TLV, a truncated image) with its own log line and a non-zero exit.
# The board's flash is a file that MCUboot writes back after each boot, so
# upgrades are real: a test upgrade in the secondary slot is swapped in and
# reverted on the next boot, a confirmed one stays, an untrusted one is
# refused (and erased) while the first version keeps booting.
. "$MCUPROV_SRCDIR/tests/lib.sh"

. "$MCUPROV_SRCDIR/tests/mcuboot-lib.sh"
need_mcuboot
D=$MCUPROV_SRCDIR/examples/mcuboot-qemu
[ -f "$D/Makefile" ] || skip_all "'$D/Makefile' not found"

run make -s -C "$D" print-layout
check "print-layout: exit 0" 0 ''
assert "print-layout: slots and header" \
	test "$(cat "$T_TMP/out")" = "SLOT0=0x00020000 SLOT1=0x00040000 SLOT_SIZE=0x20000 HEADER_SIZE=0x200 SCRATCH=0x00060000 SCRATCH_SIZE=0x2000"

# boot ELF IMAGE: MCUboot on a new board with IMAGE in the primary slot
boot() {
	mkflash "$T_TMP/flash.bin" "$2"
	reboot "$1" "$T_TMP/flash.bin"
}

refused() {
	booted "$1" 1 "$PRI_UNSET" "$SCR_UNSET" "$SRC_PRIMARY" "$SWAP_LINE" "$INVALID_LINE" "$NOBOOT_LINE"
}

sign() {
	local in=$1 out=$2
	shift 2
	run "$M" sign "$@" -v 1.2.3 -H 0x200 --pad-header -S 0x20000 "$in" "$out"
}

for case in "ecdsa-p256 EC256 34" "ed25519 ED25519 36"; do
	# shellcheck disable=SC2086 # three words
	set -- $case
	type=$1 sign=$2 sigtlv=$3 d=$T_TMP/$1
	mkdir "$d"
	cp "$D/keys.c" "$d/keys.c"
	run "$M" keygen -k "$d/key.pem" -t "$type"
	check "$type: keygen" 0 '*'
	run "$M" patch --keys-c "$d/keys.c" -k "$d/key.pem"
	check "$type: patch keys.c: exit 0" 0 '*'
	run make -s -C "$D" O="$d/build" MCUBOOT_DIR="$MCUBOOT_DIR" SIGN="$sign" KEYS_C="$d/keys.c" \
		"$d/build/mcuboot.elf" "$d/build/app.bin"
	check "$type: make: exit 0, no warnings" 0 ''
	sign "$d/build/app.bin" "$d/app.signed.bin" -k "$d/key.pem"
	check "$type: sign: exit 0" 0 ''
	fp=$("$M" fingerprint -k "$d/key.pem" 2>/dev/null | awk '{ print $2 }')
	assert "$type: fingerprint is 64 hex digits" grep -Eqx '[0-9a-f]{64}' <<<"$fp"
	boot "$d/build/mcuboot.elf" "$d/app.signed.bin"
	booted "$type: MCUboot boots the image" 0 "$PRI_UNSET" "$SCR_UNSET" "$SRC_PRIMARY" "$SWAP_LINE" \
		"mcuboot: booting image 1.2.3+0, key SHA-256 $fp" "$APP_LINE"

	forgeries "$type" "$d" "$sigtlv"

	sign "$d/build/app.bin" "$d/hashonly.bin"
	check "$type: hash-only: sign: exit 0" 0 ''
	boot "$d/build/mcuboot.elf" "$d/hashonly.bin"
	refused "$type: hash-only image refused"

	# a protected TLV changed (covered by the hash, not by the TLV info)
	sign "$d/build/app.bin" "$d/prot.bin" -k "$d/key.pem" --custom-tlv 0xa0 0x01020304
	check "$type: protected TLV: sign: exit 0" 0 ''
	boot "$d/build/mcuboot.elf" "$d/prot.bin"
	booted "$type: image with a protected TLV boots" 0 "$PRI_UNSET" "$SCR_UNSET" "$SRC_PRIMARY" "$SWAP_LINE" \
		"mcuboot: booting image 1.2.3+0, key SHA-256 $fp" "$APP_LINE"
	# the protected area follows the payload: info (4), then 0xa0, 4, value
	off=$(($(le "$d/prot.bin" 8 2) + $(le "$d/prot.bin" 12 4)))
	assert "$type: protected TLV 0xa0 where expected" test "$(le "$d/prot.bin" $((off + 4)) 2)" = 160
	flip "$d/prot.bin" $((off + 8))
	boot "$d/build/mcuboot.elf" "$d/prot.bin"
	refused "$type: changed protected TLV refused"

	head -c $(($(stat -c %s "$d/app.signed.bin") - 40)) "$d/app.signed.bin" >"$d/truncated.bin"
	boot "$d/build/mcuboot.elf" "$d/truncated.bin"
	refused "$type: truncated image refused"

	# upgrades: v1 in the primary slot, v2 (--pad) in the secondary
	run "$M" sign -k "$d/key.pem" -v 1.3.0 -H 0x200 --pad-header -S 0x20000 --pad "$d/build/app.bin" "$d/v2.bin"
	check "$type: upgrade: sign v1.3.0 --pad: exit 0" 0 '*'
	mkflash "$d/flash.bin" "$d/app.signed.bin" "$d/v2.bin"
	reboot "$d/build/mcuboot.elf" "$d/flash.bin"
	booted "$type: test upgrade: swapped in and booted" 0 "$PRI_UNSET" "$SCR_UNSET" "$SRC_PRIMARY" \
		'[INF] Image index: 0, Swap type: test' "$SWAPPING" \
		"mcuboot: booting image 1.3.0+0, key SHA-256 $fp" "$APP_LINE"
	reboot "$d/build/mcuboot.elf" "$d/flash.bin"
	booted "$type: test upgrade: the next boot reverts" 0 \
		'[INF] Primary image: magic=good, swap_type=0x2, copy_done=0x1, image_ok=0x3' "$SCR_UNSET" \
		"$SRC_NONE" '[INF] Image index: 0, Swap type: revert' "$SWAPPING" \
		"mcuboot: booting image 1.2.3+0, key SHA-256 $fp" "$APP_LINE"
	reboot "$d/build/mcuboot.elf" "$d/flash.bin"
	booted "$type: test upgrade: reverted for good" 0 \
		'[INF] Primary image: magic=good, swap_type=0x4, copy_done=0x1, image_ok=0x1' "$SCR_UNSET" \
		"$SRC_NONE" "$SWAP_LINE" "mcuboot: booting image 1.2.3+0, key SHA-256 $fp" "$APP_LINE"

	run "$M" sign -k "$d/key.pem" -v 1.3.0 -H 0x200 --pad-header -S 0x20000 --pad --confirm "$d/build/app.bin" "$d/v2c.bin"
	check "$type: upgrade: sign --confirm: exit 0" 0 '*'
	mkflash "$d/flash.bin" "$d/app.signed.bin" "$d/v2c.bin"
	reboot "$d/build/mcuboot.elf" "$d/flash.bin"
	booted "$type: confirmed upgrade: swapped in and booted" 0 "$PRI_UNSET" "$SCR_UNSET" "$SRC_PRIMARY" \
		'[INF] Image index: 0, Swap type: perm' "$SWAPPING" \
		"mcuboot: booting image 1.3.0+0, key SHA-256 $fp" "$APP_LINE"
	reboot "$d/build/mcuboot.elf" "$d/flash.bin"
	booted "$type: confirmed upgrade: stays on the next boot" 0 \
		'[INF] Primary image: magic=good, swap_type=0x3, copy_done=0x1, image_ok=0x1' "$SCR_UNSET" \
		"$SRC_NONE" "$SWAP_LINE" "mcuboot: booting image 1.3.0+0, key SHA-256 $fp" "$APP_LINE"

	# an upgrade signed by another key of the same type: refused, erased,
	# and the first version keeps booting
	run "$M" sign -k "$d/other.pem" -v 1.3.0 -H 0x200 --pad-header -S 0x20000 --pad "$d/build/app.bin" "$d/v2x.bin"
	check "$type: untrusted upgrade: sign: exit 0" 0 '*'
	mkflash "$d/flash.bin" "$d/app.signed.bin" "$d/v2x.bin"
	reboot "$d/build/mcuboot.elf" "$d/flash.bin"
	booted "$type: untrusted upgrade refused, v1 boots" 0 "$PRI_UNSET" "$SCR_UNSET" "$SRC_PRIMARY" \
		'[INF] Image index: 0, Swap type: test' "$INVALID2_LINE" \
		"mcuboot: booting image 1.2.3+0, key SHA-256 $fp" "$APP_LINE"
	assert "$type: untrusted upgrade: the secondary slot's header erased" \
		test "$(od -An -tx1 -j $((0x20000)) -N 4 "$d/flash.bin" | tr -d ' ')" = ffffffff
	reboot "$d/build/mcuboot.elf" "$d/flash.bin"
	booted "$type: untrusted upgrade: v1 keeps booting" 0 "$PRI_UNSET" "$SCR_UNSET" "$SRC_PRIMARY" \
		"$SWAP_LINE" "mcuboot: booting image 1.2.3+0, key SHA-256 $fp" "$APP_LINE"
done

# make flash + make run: the same board through the Makefile; run again
# is a reboot (the test upgrade reverts)
d=$T_TMP/ecdsa-p256
run make -s -C "$D" O="$d/build" MCUBOOT_DIR="$MCUBOOT_DIR" SIGN=EC256 KEYS_C="$d/keys.c" flash \
	SIGNED="$d/app.signed.bin" UPGRADE="$d/v2.bin"
check "make flash: exit 0" 0 ''
mkflash "$T_TMP/want.bin" "$d/app.signed.bin" "$d/v2.bin"
assert "make flash: the same flash as mkflash" cmp -s "$d/build/flash.bin" "$T_TMP/want.bin"
run make -s -C "$D" O="$d/build" MCUBOOT_DIR="$MCUBOOT_DIR" SIGN=EC256 KEYS_C="$d/keys.c" run
check "make run: exit 0" 0 '*'
assert "make run: the upgrade booted" grep -qx "mcuboot: booting image 1.3.0+0, key SHA-256 .*" "$T_TMP/err"
run make -s -C "$D" O="$d/build" MCUBOOT_DIR="$MCUBOOT_DIR" SIGN=EC256 KEYS_C="$d/keys.c" run
check "make run again: exit 0" 0 '*'
assert "make run again: reverted" grep -qx "mcuboot: booting image 1.2.3+0, key SHA-256 .*" "$T_TMP/err"

done_testing
