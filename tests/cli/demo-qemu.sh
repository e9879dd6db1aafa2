#!/bin/bash
# demo-qemu: the QEMU demo (examples/demo-qemu) end to end.  A fresh key is
# patched into a copy of the loader's keys.c with `mcuprov patch`, the loader
# and app are built with arm-none-eabi-gcc, the app is signed with
# `mcuprov sign`, and QEMU's lm3s6965evb boots it: the loader starts only an
# intact image whose KEYHASH names the key it was built with.
. "$MCUPROV_SRCDIR/tests/lib.sh"

for t in arm-none-eabi-gcc arm-none-eabi-objcopy; do
	command -v $t >/dev/null 2>&1 ||
		skip_all "$t not installed: cannot build the demo firmware (scripts/install-deps installs gcc-arm-none-eabi, binutils-arm-none-eabi and libnewlib-arm-none-eabi)"
done
command -v qemu-system-arm >/dev/null 2>&1 ||
	skip_all "qemu-system-arm not installed: cannot boot the demo (scripts/install-deps installs qemu-system-arm)"
command -v make >/dev/null 2>&1 || skip_all "make not installed"
D=$MCUPROV_SRCDIR/examples/demo-qemu
[ -f "$D/Makefile" ] || skip_all "'$D/Makefile' not found"
# the demo is its own make run, not part of this one (-j, jobserver, variables)
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

BANNER_LINE='mcuprov demo loader: checks the image hash and that it names a trusted key; it does NOT verify the signature math on the target (mcuprov verifies it on the host before flashing). A demonstration of provisioning, not a secure boot.'
APP_LINE='mcuprov demo app: hello from the signed image'
# QEMU 7.2's own note when the board's timers reset (not from the firmware)
QEMU_NOTE='Timer with period zero, disabling'

# ---- layout
run make -s -C "$D" print-layout
check "print-layout: exit 0" 0 ''
assert "print-layout: slot0, slot size, header size" \
	test "$(cat "$T_TMP/out")" = "SLOT0=0x00010000 SLOT_SIZE=0x20000 HEADER_SIZE=0x200"

# boot LOADER_ELF IMAGE: QEMU as `mcuprov demo` runs it; RC, and the console
# (semihosting writes to QEMU's stderr when no chardev is given) without
# QEMU's own note in $T_TMP/console
boot() {
	local img=()
	[ -n "$2" ] && img=(-device "loader,file=$2,addr=0x00010000")
	run timeout 60 qemu-system-arm -M lm3s6965evb -nographic \
		-semihosting-config enable=on,target=native -kernel "$1" "${img[@]}"
	cat "$T_TMP/out" "$T_TMP/err" | grep -vx "$QEMU_NOTE" >"$T_TMP/console"
}

# console DESC LINE...: the console is exactly the banner then LINEs
console() {
	local desc=$1
	shift
	if printf '%s\n' "$BANNER_LINE" "$@" | cmp -s - "$T_TMP/console"; then
		ok "$desc"
	else
		not_ok "$desc" "console:" "$(cat "$T_TMP/console")" "expected:" "$BANNER_LINE" "$@"
	fi
}

# booted DESC RC LINE...: exit status RC and exactly those lines
booted() {
	local desc=$1 want=$2
	shift 2
	if [ "$RC" = "$want" ]; then ok "$desc: exit $want"; else not_ok "$desc: exit $want" "exit $RC" "$(cat "$T_TMP/console")"; fi
	console "$desc: console" "$@"
}

# sign IN OUT [ARGS...]: mcuprov sign with the demo's layout
sign() {
	local in=$1 out=$2
	shift 2
	run "$M" sign "$@" -v 1.2.3+4 -H 0x200 --pad-header -S 0x20000 "$in" "$out"
}

# poke FILE OFFSET BYTE: overwrite one byte (BYTE: two hex digits)
poke() {
	printf '%b' "\\x$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# peek FILE OFFSET: one byte as two hex digits
peek() {
	od -An -tx1 -j "$2" -N 1 "$1" | tr -d ' \n'
}

# le32 FILE OFFSET: a little-endian 32-bit field as a decimal number
le32() {
	local bytes
	read -r -a bytes < <(od -An -tu1 -j "$2" -N 4 "$1")
	echo $((bytes[0] | bytes[1] << 8 | bytes[2] << 16 | bytes[3] << 24))
}

# ---- each key type: fresh key patched into keys.c, build, sign, boot
for case in "ed25519 MCUBOOT_SIGN_ED25519" "ecdsa-p256 MCUBOOT_SIGN_EC256" "rsa-2048 MCUBOOT_SIGN_RSA"; do
	# shellcheck disable=SC2086 # two words
	set -- $case
	type=$1 def=$2 d=$T_TMP/$1
	mkdir "$d"
	cp "$D/loader/keys.c" "$d/keys.c"
	run "$M" keygen -k "$d/key.pem" -t "$type"
	check "$type: keygen" 0 '*'
	run "$M" patch --keys-c "$d/keys.c" -k "$d/key.pem"
	check "$type: patch keys.c: exit 0" 0 ''
	run make -s -C "$D" O="$d/build" KEYS_C="$d/keys.c" SIGN_DEFINE="$def"
	check "$type: make: exit 0" 0 ''
	assert "$type: make: loader.elf, app.elf and app.bin" \
		test -s "$d/build/loader.elf" -a -s "$d/build/app.elf" -a -s "$d/build/app.bin"
	sign "$d/build/app.bin" "$d/app.signed.bin" -k "$d/key.pem"
	check "$type: sign: exit 0" 0 ''
	run "$M" verify -k "$d/key.pem" "$d/app.signed.bin"
	check "$type: mcuprov verify -k accepts the image" 0 ''
	fp=$("$M" fingerprint -k "$d/key.pem" 2>/dev/null | awk '{ print $2 }')
	assert "$type: fingerprint is 64 hex digits" grep -Eqx '[0-9a-f]{64}' <<<"$fp"
	boot "$d/build/loader.elf" "$d/app.signed.bin"
	booted "$type: boot" 0 "image version 1.2.3+4" "key SHA-256 $fp" "$APP_LINE"
done

# ---- make run boots SIGNED the same way
d=$T_TMP/ed25519
run make -s -C "$D" O="$d/build" KEYS_C="$d/keys.c" SIGN_DEFINE=MCUBOOT_SIGN_ED25519 run SIGNED="$d/app.signed.bin"
check "make run: exit 0" 0 '*'
assert "make run: the app ran" grep -qx "$APP_LINE" "$T_TMP/err"

# ---- images the ed25519 loader must refuse (exit 1, one "loader:" line)
L=$d/build/loader.elf
"$M" keygen -k "$d/other.pem" -t ed25519 >/dev/null 2>&1
sign "$d/build/app.bin" "$d/other.bin" -k "$d/other.pem"
check "other key: sign: exit 0" 0 ''
boot "$L" "$d/other.bin"
booted "other key" 1 "loader: no trusted key matches the image's KEYHASH"

cp "$d/app.signed.bin" "$d/tampered.bin"
poke "$d/tampered.bin" $((0x200 + 0x40)) "$(printf '%02x' $((0x$(peek "$d/tampered.bin" $((0x200 + 0x40))) ^ 0xff)))"
assert "tampered: one byte differs" test "$(cmp -l "$d/app.signed.bin" "$d/tampered.bin" | wc -l)" = 1
run "$M" verify -k "$d/key.pem" "$d/tampered.bin"
check "tampered: mcuprov verify rejects it" 1 '*'
boot "$L" "$d/tampered.bin"
booted "tampered payload" 1 "loader: hash mismatch"

sign "$d/build/app.bin" "$d/hashonly.bin"
check "hash-only: sign: exit 0" 0 ''
boot "$L" "$d/hashonly.bin"
booted "hash-only image" 1 "loader: no KEYHASH TLV"

boot "$L" ""
booted "empty slot" 1 "loader: bad magic"

# img_size (offset 12) pointing past the slot
cp "$d/app.signed.bin" "$d/big.bin"
poke "$d/big.bin" 14 02
boot "$L" "$d/big.bin"
booted "img_size past the slot" 1 "loader: image outside the slot"

# TLV info magic (right after the payload) broken
cp "$d/app.signed.bin" "$d/badtlv.bin"
poke "$d/badtlv.bin" $((0x200 + $(le32 "$d/badtlv.bin" 12))) 00
boot "$L" "$d/badtlv.bin"
booted "bad TLV info magic" 1 "loader: bad TLV area"

# ---- the default keys.c trusts MCUboot's published development keys
if [ -d "$V/keys" ]; then
	for case in "ed25519 MCUBOOT_SIGN_ED25519" "ec-p256 MCUBOOT_SIGN_EC256" "rsa-2048 MCUBOOT_SIGN_RSA"; do
		# shellcheck disable=SC2086 # two words
		set -- $case
		k=$V/keys/root-$1.pem b=$T_TMP/dev-$1
		run make -s -C "$D" O="$b" SIGN_DEFINE="$2"
		check "default keys.c ($2): make: exit 0" 0 ''
		sign "$b/app.bin" "$b/app.signed.bin" -k "$k"
		check "default keys.c ($2): sign with root-$1.pem" 0 '*'
		fp=$("$M" fingerprint -k "$k" 2>/dev/null | awk '{ print $2 }')
		boot "$b/loader.elf" "$b/app.signed.bin"
		booted "default keys.c ($2): boots root-$1.pem's image" 0 \
			"image version 1.2.3+4" "key SHA-256 $fp" "$APP_LINE"
	done
else
	echo "# development-key boots skipped: vectors folder '$V' not found (set MCUPROV_VECTORS)"
fi

done_testing
