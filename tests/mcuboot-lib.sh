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
