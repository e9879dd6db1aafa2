#!/bin/bash
# mcuboot-enc: encrypted upgrades decrypted by MCUboot itself on QEMU's
# mps2-an385 (examples/mcuboot-qemu built with ENC=X25519 or ENC=EC256).
# A signing key is patched into a copy of the port's keys.c (`mcuprov
# patch`), the device's private encryption key is rendered as MCUboot's
# enc_priv_key[] (`mcuprov render -t enc-key`, the Makefile's ENC_KEY_C);
# v1, signed plain, is in the primary slot, v2, signed with `mcuprov sign -E`
# (the encryption key's public half, `mcuprov getpub -e pem`) and --pad, in
# the secondary: MCUboot swaps it in, decrypting it on the way, and boots
# it; the primary slot of the written-back flash holds the plain payload,
# and the revert re-encrypts v2 into the secondary slot byte for byte.  An
# upgrade encrypted for another key is refused with MCUboot's own log line
# and v1 keeps booting.
. "$MCUPROV_SRCDIR/tests/lib.sh"
. "$MCUPROV_SRCDIR/tests/mcuboot-lib.sh"
need_mcuboot boot/bootutil/src/encrypted.c
D=$MCUPROV_SRCDIR/examples/mcuboot-qemu
[ -f "$D/Makefile" ] || skip_all "'$D/Makefile' not found"

# same DESC FILE1 OFF1 FILE2 OFF2 LEN: LEN bytes equal
same() {
	assert "$1" cmp -s -n "$6" <(tail -c +$(($3 + 1)) "$2") <(tail -c +$(($5 + 1)) "$4")
}

# sign IN OUT VERSION ARGS...: the port's layout
sign() {
	local in=$1 out=$2 v=$3
	shift 3
	run "$M" sign "$@" -v "$v" -H 0x200 --pad-header -S 0x20000 "$in" "$out"
}

# signing type, SIGN=, encryption key type, ENC= (the same type of key for
# both, as imgtool and mcuprov sign require)
for case in "ed25519 ED25519 x25519 X25519" "ecdsa-p256 EC256 ecdsa-p256 EC256"; do
	# shellcheck disable=SC2086 # four words
	set -- $case
	stype=$1 sign=$2 etype=$3 enc=$4 d=$T_TMP/$2-$4 t="$2/ENC=$4"
	mkdir "$d"
	cp "$D/keys.c" "$d/keys.c"
	run "$M" keygen -k "$d/key.pem" -t "$stype"
	check "$t: keygen $stype" 0 '*'
	run "$M" keygen -k "$d/enc.pem" -t "$etype"
	check "$t: keygen $etype (encryption)" 0 '*'
	run "$M" keygen -k "$d/other.pem" -t "$etype"
	check "$t: keygen another $etype" 0 '*'
	run "$M" patch --keys-c "$d/keys.c" -k "$d/key.pem"
	check "$t: patch keys.c: exit 0" 0 '*'
	run "$M" render -t enc-key --enc-key "$d/enc.pem" -o "$d/enc_key.c"
	check "$t: render -t enc-key: exit 0" 0 ''
	assert "$t: enc_key.c holds enc_priv_key[] and enc_priv_key_len" \
		grep -q '^const unsigned int enc_priv_key_len = [0-9]*;$' "$d/enc_key.c"
	"$M" getpub -k "$d/enc.pem" -e pem >"$d/enc.pub" 2>/dev/null
	"$M" getpub -k "$d/other.pem" -e pem >"$d/other.pub" 2>/dev/null
	assert "$t: getpub -e pem: the public encryption key" grep -qx -- '-----BEGIN PUBLIC KEY-----' "$d/enc.pub"

	run make -s -C "$D" O="$d/build" MCUBOOT_DIR="$MCUBOOT_DIR" SIGN="$sign" KEYS_C="$d/keys.c" \
		ENC="$enc" ENC_KEY_C="$d/enc_key.c" "$d/build/mcuboot.elf" "$d/build/app.bin"
	check "$t: make: exit 0, no warnings" 0 ''
	assert "$t: MCUboot's encrypted.c is linked" grep -q 'encrypted\.o' "$d/build/mcuboot.map"
	fp=$("$M" fingerprint -k "$d/key.pem" 2>/dev/null | awk '{ print $2 }')
	assert "$t: fingerprint is 64 hex digits" grep -Eqx '[0-9a-f]{64}' <<<"$fp"
	E="$d/build/mcuboot.elf"

	sign "$d/build/app.bin" "$d/v1.bin" 1.2.3 -k "$d/key.pem"
	check "$t: sign v1 (plain): exit 0" 0 ''
	sign "$d/build/app.bin" "$d/v2.bin" 1.3.0 -k "$d/key.pem" -E "$d/enc.pub" --pad
	check "$t: sign v2 -E enc.pub --pad: exit 0" 0 ''
	sign "$d/build/app.bin" "$d/v2clear.bin" 1.3.0 -k "$d/key.pem" -E "$d/enc.pub" --clear
	check "$t: sign v2 -E enc.pub --clear: exit 0" 0 ''
	# the payload: the app, zero-padded to the AES block (16 bytes)
	sz=$(le "$d/v2.bin" 12 4) asz=$(stat -c %s "$d/build/app.bin")
	assert "$t: v2's payload is the app padded to 16 bytes" test "$sz" = $(((asz + 15) / 16 * 16))
	assert "$t: v2 flagged ENCRYPTED_AES128" test $(($(le "$d/v2.bin" 16 4) & 0x4)) = 4
	cmp -s -n "$asz" <(tail -c +513 "$d/v2.bin") "$d/build/app.bin"
	assert "$t: v2's payload is encrypted (not the app)" test $? = 1
	# the port's trailer (swap status, 128 sectors, align 1; BOOT_MAX_ALIGN
	# 8): MCUboot's boot_trailer_sz() is 0x180 + 4 * 8 + 16, with
	# MCUBOOT_ENC_IMAGES + 2 * BOOT_ENC_KEY_ALIGN_SIZE (16, AES-128):
	# 0x1d0 -- what mcuprov sign -E reserves
	head -c 200000 /dev/zero >"$d/big.bin"
	sign "$d/big.bin" "$d/x.bin" 1.3.0 -k "$d/key.pem" --pad
	assert "$t: plain trailer 0x1b0" grep -q ' + trailer (0x1b0) exceeds the slot size 0x20000$' "$T_TMP/err"
	sign "$d/big.bin" "$d/x.bin" 1.3.0 -k "$d/key.pem" -E "$d/enc.pub" --pad
	assert "$t: -E: trailer 0x1d0 (MCUboot's, with the two enc key slots)" \
		grep -q ' + trailer (0x1d0) exceeds the slot size 0x20000$' "$T_TMP/err"

	# the --clear image (ENC TLV, payload plain) boots from the primary slot
	mkflash "$d/flash.bin" "$d/v2clear.bin"
	reboot "$E" "$d/flash.bin"
	booted "$t: --clear image in the primary slot boots" 0 "$PRI_UNSET" "$SCR_UNSET" "$SRC_PRIMARY" \
		"$SWAP_LINE" "mcuboot: booting image 1.3.0+0, key SHA-256 $fp" "$APP_LINE"

	# v1 plain in the primary slot, v2 encrypted in the secondary
	mkflash "$d/flash.bin" "$d/v1.bin" "$d/v2.bin"
	reboot "$E" "$d/flash.bin"
	booted "$t: encrypted test upgrade: decrypted, swapped in and booted" 0 "$PRI_UNSET" "$SCR_UNSET" \
		"$SRC_PRIMARY" '[INF] Image index: 0, Swap type: test' "$SWAPPING" \
		"mcuboot: booting image 1.3.0+0, key SHA-256 $fp" "$APP_LINE"
	same "$t: primary slot after the swap: v2's header" "$d/flash.bin" 0 "$d/v2.bin" 0 512
	same "$t: primary slot after the swap: the plain payload (the app)" \
		"$d/flash.bin" 512 "$d/build/app.bin" 0 "$asz"
	same "$t: primary slot after the swap: header + payload of the --clear image" \
		"$d/flash.bin" 0 "$d/v2clear.bin" 0 $((512 + sz))
	tlvs=$(($(le "$d/v2.bin" $((512 + sz + 2)) 2)))
	same "$t: primary slot after the swap: v2's TLVs (ENC TLV included)" \
		"$d/flash.bin" $((512 + sz)) "$d/v2.bin" $((512 + sz)) "$tlvs"
	same "$t: secondary slot after the swap: v1" "$d/flash.bin" $((0x20000)) "$d/v1.bin" 0 \
		"$(stat -c %s "$d/v1.bin")"
	reboot "$E" "$d/flash.bin"
	booted "$t: encrypted test upgrade: the next boot reverts" 0 \
		'[INF] Primary image: magic=good, swap_type=0x2, copy_done=0x1, image_ok=0x3' "$SCR_UNSET" \
		"$SRC_NONE" '[INF] Image index: 0, Swap type: revert' "$SWAPPING" \
		"mcuboot: booting image 1.2.3+0, key SHA-256 $fp" "$APP_LINE"
	same "$t: reverted: v2 re-encrypted into the secondary slot, byte for byte" \
		"$d/flash.bin" $((0x20000)) "$d/v2.bin" 0 $((512 + sz + tlvs))
	same "$t: reverted: v1 in the primary slot" "$d/flash.bin" 0 "$d/v1.bin" 0 "$(stat -c %s "$d/v1.bin")"

	# confirmed: stays
	sign "$d/build/app.bin" "$d/v2c.bin" 1.3.0 -k "$d/key.pem" -E "$d/enc.pub" --pad --confirm
	check "$t: sign v2 -E --pad --confirm: exit 0" 0 ''
	mkflash "$d/flash.bin" "$d/v1.bin" "$d/v2c.bin"
	reboot "$E" "$d/flash.bin"
	booted "$t: encrypted confirmed upgrade: swapped in and booted" 0 "$PRI_UNSET" "$SCR_UNSET" \
		"$SRC_PRIMARY" '[INF] Image index: 0, Swap type: perm' "$SWAPPING" \
		"mcuboot: booting image 1.3.0+0, key SHA-256 $fp" "$APP_LINE"
	reboot "$E" "$d/flash.bin"
	booted "$t: encrypted confirmed upgrade: stays on the next boot" 0 \
		'[INF] Primary image: magic=good, swap_type=0x3, copy_done=0x1, image_ok=0x1' "$SCR_UNSET" \
		"$SRC_NONE" "$SWAP_LINE" "mcuboot: booting image 1.3.0+0, key SHA-256 $fp" "$APP_LINE"

	# encrypted for another key (signed by the trusted one): MCUboot cannot
	# recover the AES key (the ECIES HMAC fails), refuses and erases it
	sign "$d/build/app.bin" "$d/v2x.bin" 1.3.0 -k "$d/key.pem" -E "$d/other.pub" --pad
	check "$t: sign v2 -E other.pub --pad: exit 0" 0 ''
	mkflash "$d/flash.bin" "$d/v1.bin" "$d/v2x.bin"
	reboot "$E" "$d/flash.bin"
	booted "$t: upgrade encrypted for another key refused, v1 boots" 0 "$PRI_UNSET" "$SCR_UNSET" \
		"$SRC_PRIMARY" '[INF] Image index: 0, Swap type: test' "$INVALID2_LINE" \
		"mcuboot: booting image 1.2.3+0, key SHA-256 $fp" "$APP_LINE"
	assert "$t: another key: the secondary slot's header erased" \
		test "$(od -An -tx1 -j $((0x20000)) -N 4 "$d/flash.bin" | tr -d ' ')" = ffffffff
	reboot "$E" "$d/flash.bin"
	booted "$t: another key: v1 keeps booting" 0 "$PRI_UNSET" "$SCR_UNSET" "$SRC_PRIMARY" \
		"$SWAP_LINE" "mcuboot: booting image 1.2.3+0, key SHA-256 $fp" "$APP_LINE"
done

# the Makefile's guards (print-layout needs nothing)
run make -s -C "$D" ENC=X25519 print-layout
check "ENC=X25519 print-layout: exit 0" 0 ''
run make -s -C "$D" O="$T_TMP/nokey" MCUBOOT_DIR="$MCUBOOT_DIR" ENC=X25519
assert "ENC without ENC_KEY_C: exit 2" test "$RC" = 2
assert "ENC without ENC_KEY_C: the reason" grep -q 'ENC=X25519: set ENC_KEY_C to the private key' "$T_TMP/err"
run make -s -C "$D" O="$T_TMP/rsa" MCUBOOT_DIR="$MCUBOOT_DIR" ENC=RSA ENC_KEY_C=x.c
assert "ENC=RSA: exit 2" test "$RC" = 2
assert "ENC=RSA: refused" grep -q 'ENC=RSA: this port builds ENC=X25519 or ENC=EC256' "$T_TMP/err"
run make -s -C "$D" O="$T_TMP/rsa" MCUBOOT_DIR="$MCUBOOT_DIR" SIGN=RSA MBEDTLS_DIR=/nonexistent \
	ENC=X25519 ENC_KEY_C=x.c
assert "ENC with SIGN=RSA: exit 2" test "$RC" = 2
assert "ENC with SIGN=RSA: refused" grep -q 'ENC=X25519 needs MCUboot.s tinycrypt backend' "$T_TMP/err"

done_testing
