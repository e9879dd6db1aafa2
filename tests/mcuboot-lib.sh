# What the tests that build MCUboot or run imgtool need, in one place
# (sourced after tests/lib.sh).  MCUBOOT_DIR defaults to the MCUboot
# checkout beside the source tree, like the vectors.
: "${MCUBOOT_DIR:=$MCUPROV_SRCDIR/../shared/mcuboot}"

# need_mcuboot [FILE...]: skip the whole test, saying why, unless MCUboot
# can be built from MCUBOOT_DIR with arm-none-eabi-gcc and booted with
# qemu-system-arm, and each FILE (relative to the checkout) is there.
# make's variables from `make check` are dropped: the port's make is its own.
need_mcuboot() {
	local t f
	for t in arm-none-eabi-gcc arm-none-eabi-objcopy; do
		command -v $t >/dev/null 2>&1 ||
			skip_all "$t not installed: cannot build MCUboot (scripts/install-deps installs gcc-arm-none-eabi, binutils-arm-none-eabi and libnewlib-arm-none-eabi)"
	done
	command -v qemu-system-arm >/dev/null 2>&1 ||
		skip_all "qemu-system-arm not installed: cannot boot MCUboot (scripts/install-deps installs qemu-system-arm)"
	command -v make >/dev/null 2>&1 || skip_all "make not installed"
	[ -f "$MCUBOOT_DIR/boot/bootutil/src/loader.c" ] ||
		skip_all "no MCUboot checkout at '$MCUBOOT_DIR' (set MCUBOOT_DIR)"
	for f in "$@"; do
		[ -f "$MCUBOOT_DIR/$f" ] ||
			skip_all "the MCUboot checkout at '$MCUBOOT_DIR' has no $f"
	done
	unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
}

# find_imgtool [MODULE...]: IMGTOOL (MCUboot's scripts/imgtool.py) and PY, a
# Python that has imgtool's modules (click, intelhex, cbor2, cryptography)
# and MODULEs: $PYTHON, Debian's /usr/bin/python3 or python3.  Returns 1
# with NO_IMGTOOL saying why when there is none.
find_imgtool() {
	local p mods="click, intelhex, cbor2, cryptography"
	for p in "$@"; do mods="$mods, $p"; done
	IMGTOOL=$MCUBOOT_DIR/scripts/imgtool.py
	PY=''
	NO_IMGTOOL=''
	if [ ! -f "$IMGTOOL" ]; then
		NO_IMGTOOL="imgtool not found at '$IMGTOOL' (set MCUBOOT_DIR)"
		return 1
	fi
	for p in ${PYTHON:-} /usr/bin/python3 python3; do
		if command -v "$p" >/dev/null 2>&1 && "$p" -c "import $mods" 2>/dev/null; then
			PY=$p
			return 0
		fi
	done
	NO_IMGTOOL="no python3 with imgtool's modules ${mods%, *} and ${mods##*, } (scripts/install-deps installs them)"
	return 1
}

# need_imgtool [MODULE...]: find_imgtool, or skip the whole test saying why
need_imgtool() {
	find_imgtool "$@" || skip_all "$NO_IMGTOOL"
}

imgtool() { "$PY" "$IMGTOOL" "$@"; }

# ---- examples/mcuboot-qemu's board, as the tests drive it ----
SLOT0=0x00020000
FLASH_SIZE=$((0x62000 - 0x20000)) # slot 0 to the end of the scratch area
# what the port and MCUboot print
APP_LINE='app: hello from the image MCUboot verified'
SWAP_LINE='[INF] Image index: 0, Swap type: none'
INVALID_LINE='[ERR] Image in the primary slot is not valid!'
INVALID2_LINE='[ERR] Image in the secondary slot is not valid!'
NOBOOT_LINE='mcuboot: no bootable image'
# MCUboot's swap-state lines on an erased board, and after a swap
PRI_UNSET='[INF] Primary image: magic=unset, swap_type=0x1, copy_done=0x3, image_ok=0x3'
SCR_UNSET='[INF] Scratch: magic=unset, swap_type=0x1, copy_done=0x3, image_ok=0x3'
SRC_PRIMARY='[INF] Boot source: primary slot'
SRC_NONE='[INF] Boot source: none'
SWAPPING='[INF] Starting swap using scratch algorithm.'
# QEMU's own, not the board's
QEMU_NOTE='Timer with period zero, disabling'

# mkflash FLASH PRIMARY [SECONDARY]: an erased board (0xff) from slot 0 to
# the end of the scratch area, the images at their slots
mkflash() {
	head -c $FLASH_SIZE /dev/zero | tr '\000' '\377' >"$1"
	dd if="$2" of="$1" conv=notrunc status=none
	[ -z "${3:-}" ] || dd if="$3" of="$1" bs=4096 seek=32 conv=notrunc status=none
}

# reboot ELF FLASH: power the board whose flash is FLASH on; MCUboot writes
# FLASH back before it jumps or stops.  RC, console in $T_TMP/console
# (semihosting writes to QEMU's stderr)
reboot() {
	run timeout 60 env -C "$(dirname "$2")" qemu-system-arm -M mps2-an385 -nographic \
		-semihosting-config "enable=on,target=native,arg=mcuboot,arg=flash=${2##*/}" \
		-kernel "$1" -device "loader,file=${2##*/},addr=$SLOT0"
	cat "$T_TMP/out" "$T_TMP/err" | grep -vx "$QEMU_NOTE" >"$T_TMP/console"
}

# booted DESC RC LINE...: exit status RC and exactly those console lines
booted() {
	local desc=$1 want=$2
	shift 2
	if [ "$RC" = "$want" ]; then ok "$desc: exit $want"; else not_ok "$desc: exit $want" "exit $RC" "$(cat "$T_TMP/console")"; fi
	if printf '%s\n' "$@" | cmp -s - "$T_TMP/console"; then
		ok "$desc: console"
	else
		not_ok "$desc: console" "console:" "$(cat "$T_TMP/console")" "expected:" "$@"
	fi
}

le() { # le FILE OFFSET NBYTES: little-endian field as a decimal number
	local b n=0 i
	read -r -a b < <(od -An -tu1 -j "$2" -N "$3" "$1")
	for ((i = $3 - 1; i >= 0; i--)); do n=$((n << 8 | b[i])); done
	echo $n
}

# tlv_value FILE TYPE: offset of the value of the first unprotected TLV TYPE
tlv_value() {
	local off end type len
	off=$(($(le "$1" 8 2) + $(le "$1" 12 4) + $(le "$1" 10 2)))
	end=$((off + $(le "$1" $((off + 2)) 2)))
	off=$((off + 4))
	while [ $off -lt $end ]; do
		type=$(le "$1" $off 2) len=$(le "$1" $((off + 2)) 2)
		[ "$type" = "$2" ] && { echo $((off + 4)); return 0; }
		off=$((off + 4 + len))
	done
	return 1
}

# flip FILE OFFSET: invert one byte
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
	printf '%b' "\\x$(printf '%02x' $((b ^ 0xff)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# forgeries TYPE DIR SIGTLV: DIR/app.signed.bin (signed with DIR/key.pem)
# with one byte of its signature (TLV SIGTLV) flipped, and DIR/build/app.bin
# signed with another TYPE key: mcuprov verify and MCUboot refuse both.
# Uses the test's own boot ELF IMAGE, refused DESC and sign IN OUT ARGS...
forgeries() {
	local type=$1 d=$2 sigtlv=$3 off
	# one byte of the signature flipped, the hash intact: only the
	# signature check can catch it
	cp "$d/app.signed.bin" "$d/badsig.bin"
	off=$(tlv_value "$d/badsig.bin" "$sigtlv")
	assert "$type: signature TLV $sigtlv found" test -n "$off"
	flip "$d/badsig.bin" $((${off:-0} + 8))
	assert "$type: badsig: one byte differs" test "$(cmp -l "$d/app.signed.bin" "$d/badsig.bin" | wc -l)" = 1
	run "$M" verify "$d/badsig.bin"
	check "$type: badsig: the hash is intact (mcuprov verify without -k)" 0 '*'
	run "$M" verify -k "$d/key.pem" "$d/badsig.bin"
	check "$type: badsig: the signature is broken (mcuprov verify -k)" 1 '*'
	boot "$d/build/mcuboot.elf" "$d/badsig.bin"
	refused "$type: flipped signature byte refused"

	"$M" keygen -k "$d/other.pem" -t "$type" >/dev/null 2>&1
	sign "$d/build/app.bin" "$d/other.bin" -k "$d/other.pem"
	check "$type: other key: sign: exit 0" 0 ''
	boot "$d/build/mcuboot.elf" "$d/other.bin"
	refused "$type: image signed by another $type key refused"
}
