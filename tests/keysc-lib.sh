# Compile checks for MCUboot keys.c files (sourced after tests/lib.sh).
#
# A keys.c is compiled the way a bootloader build would (Cortex-M4 with
# arm-none-eabi-gcc, or the host gcc as MCUboot's simulator does) against the
# stand-in headers in tests/stubs, and the bytes of its key arrays are read
# back out of the object file: what the bootloader would really trust,
# whatever the text of the file looks like.
#
#   keysc_compile CC [FLAG...] -- FILE OUT.o
#   elf_symbol_bytes OBJ SYMBOL OUT
#   elf_u32 OBJ SYMBOL
#   elf_undefined OBJ
#   keysc_check_key OBJ ARRAY EXPECTED_DER
#   elf_key_list OBJ
#   keysc_check_list OBJ ARRAY...
#   need_cross

: "${MCUPROV_SRCDIR:?MCUPROV_SRCDIR must name the source tree (make check sets it)}"
: "${T_TMP:?source tests/lib.sh before tests/keysc-lib.sh}"

# shellcheck disable=SC2034 # used by the tests that source this file
KEYSC_FIXTURES=$MCUPROV_SRCDIR/tests/fixtures/keysc
KEYSC_STUBS=$MCUPROV_SRCDIR/tests/stubs
# The two compilers (word-split on use).
# shellcheck disable=SC2034
KEYSC_CC_ARM='arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb' KEYSC_CC_HOST='gcc'
# Extra flags for every compile: one section per object keeps symbols apart
# (elf_symbol_bytes also copes with shared sections; set KEYSC_CFLAGS= to
# check that).
: "${KEYSC_CFLAGS=-fdata-sections}"
# Why the last helper failed (compiler output, missing symbol, ...).
KEYSC_ERR=

# Skip the whole test file when the Cortex-M cross toolchain is missing.
need_cross() {
	local t
	for t in arm-none-eabi-gcc arm-none-eabi-readelf arm-none-eabi-objcopy; do
		command -v "$t" >/dev/null 2>&1 ||
			skip_all "$t not installed: cannot compile keys.c for Cortex-M (scripts/install-deps installs gcc-arm-none-eabi, binutils-arm-none-eabi and libnewlib-arm-none-eabi)"
	done
	for t in gcc readelf objcopy; do
		command -v "$t" >/dev/null 2>&1 ||
			skip_all "$t not installed: cannot compile keys.c for the host (scripts/install-deps installs build-essential and binutils)"
	done
}

# keysc_compile CC [FLAG...] -- FILE OUT.o: compile FILE to OUT.o with
# -std=c99 -Wall -Werror against tests/stubs.  FLAGs (-DMCUBOOT_SIGN_RSA,
# -I DIR, -x c, ...) come before the stubs on the command line, so a -I here
# wins over the stub headers.  On failure returns the compiler's status and
# leaves its output in KEYSC_ERR (always also in OUT.o.log).
keysc_compile() {
	local cc=$1 file out rc
	local -a flags=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		flags+=("$1")
		shift
	done
	if [ $# -ne 3 ]; then
		KEYSC_ERR="usage: keysc_compile CC [FLAG...] -- FILE OUT.o"
		return 2
	fi
	file=$2 out=$3
	rm -f "$out"
	# shellcheck disable=SC2086 # CC and KEYSC_CFLAGS are word lists
	$cc -std=c99 -Wall -Werror $KEYSC_CFLAGS "${flags[@]}" \
		-I"$KEYSC_STUBS" -c "$file" -o "$out" >"$out.log" 2>&1
	rc=$?
	KEYSC_ERR=$(cat "$out.log")
	[ "$rc" = 0 ] || KEYSC_ERR="$cc ${flags[*]} -c $file: exit $rc
$KEYSC_ERR"
	return "$rc"
}

# keysc_tools OBJ: set KEYSC_READELF and KEYSC_OBJCOPY to the binutils
# matching OBJ's machine (readelf reads any ELF; objcopy needs its target).
keysc_tools() {
	local machine
	machine=$(readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p')
	case $machine in
	'') KEYSC_ERR="$1: not an ELF object"; return 1 ;;
	ARM) KEYSC_READELF=arm-none-eabi-readelf KEYSC_OBJCOPY=arm-none-eabi-objcopy ;;
	*) KEYSC_READELF=readelf KEYSC_OBJCOPY=objcopy ;;
	esac
}

# elf_symbol_bytes OBJ SYMBOL OUT: write the SIZE bytes SYMBOL is initialised
# with (its section's contents at the symbol's offset) to OUT.  Works for
# .rodata*, .data* (contents) and .bss*/common symbols (zeros).  Fails when
# SYMBOL is missing, undefined, defined more than once, or has relocations
# in its bytes (pointers: the object file does not hold their final value).
elf_symbol_bytes() {
	local obj=$1 sym=$2 out=$3 syms n value size ndx sec type dump off
	KEYSC_ERR=
	rm -f "$out"
	keysc_tools "$obj" || return 1
	# readelf -sW: Num: Value Size Type Bind Vis Ndx Name
	syms=$("$KEYSC_READELF" -sW "$obj" | awk -v s="$sym" '$8 == s && NF == 8 { print $2, $3, $7 }')
	n=$(printf '%s' "$syms" | grep -c .)
	if [ "$n" != 1 ]; then
		KEYSC_ERR="$obj: $n definitions of symbol '$sym'"
		return 1
	fi
	read -r value size ndx <<<"$syms"
	value=$((16#$value))
	size=$((size))	# readelf prints large sizes as 0x...
	case $ndx in
	UND) KEYSC_ERR="$obj: symbol '$sym' is undefined"; return 1 ;;
	COM) head -c "$size" /dev/zero >"$out"; return 0 ;;
	ABS | *[!0-9]*) KEYSC_ERR="$obj: symbol '$sym' is in no section ($ndx)"; return 1 ;;
	esac
	# readelf -SW: [Nr] Name Type Address Off Size ...
	read -r sec type <<<"$("$KEYSC_READELF" -SW "$obj" |
		sed -n "s/^ *\[ *$ndx\] \([^ ]*\) \{1,\}\([A-Z_0-9]*\) .*/\1 \2/p")"
	if [ -z "$sec" ]; then
		KEYSC_ERR="$obj: symbol '$sym': no section $ndx"
		return 1
	fi
	if [ "$type" = NOBITS ]; then
		head -c "$size" /dev/zero >"$out"
		return 0
	fi
	# relocations against bytes in [value, value + size) of that section
	n=0
	for off in $("$KEYSC_READELF" -rW "$obj" | awk -v s1=".rel$sec" -v s2=".rela$sec" '
		/^Relocation section / { name = $3; gsub("\047", "", name); in_sec = (name == s1 || name == s2); next }
		in_sec && $1 ~ /^[0-9a-f]+$/ { print $1 }'); do
		off=$((16#$off))
		[ "$off" -ge "$value" ] && [ "$off" -lt "$((value + size))" ] && n=$((n + 1))
	done
	if [ "$n" != 0 ]; then
		KEYSC_ERR="$obj: symbol '$sym' has $n relocations in its bytes"
		return 1
	fi
	dump=$(mktemp "$T_TMP/keysc-dump.XXXXXX") || return 1
	if ! KEYSC_ERR=$("$KEYSC_OBJCOPY" --dump-section "$sec=$dump" "$obj" "$dump.o" 2>&1); then
		KEYSC_ERR="$KEYSC_OBJCOPY --dump-section $sec: $KEYSC_ERR"
		rm -f "$dump" "$dump.o"
		return 1
	fi
	tail -c +"$((value + 1))" "$dump" | head -c "$size" >"$out"
	rm -f "$dump" "$dump.o"
	if [ "$(wc -c <"$out")" != "$size" ]; then
		KEYSC_ERR="$obj: section $sec too short for symbol '$sym' ($size bytes at $value)"
		return 1
	fi
}

# elf_u32 OBJ SYMBOL: print the value of a 4-byte little-endian symbol
# (root_pub_der_len, bootutil_key_cnt) in decimal.  On failure prints the
# reason to stderr (KEYSC_ERR does not leave a $(...)).
elf_u32() {
	keysc_u32 "$1" "$2" || { printf '%s\n' "$KEYSC_ERR" >&2; return 1; }
	printf '%s\n' "$KEYSC_U32"
}

# keysc_u32 OBJ SYMBOL: like elf_u32, but sets KEYSC_U32 (or KEYSC_ERR).
keysc_u32() {
	local tmp=$T_TMP/keysc-u32
	KEYSC_U32=
	elf_symbol_bytes "$1" "$2" "$tmp" || return 1
	if [ "$(wc -c <"$tmp")" != 4 ]; then
		KEYSC_ERR="$1: symbol '$2' is $(wc -c <"$tmp") bytes, not 4"
		return 1
	fi
	KEYSC_U32=$(od -An -v -tu4 --endian=little "$tmp" | tr -d ' ')
}

# elf_undefined OBJ: the names of the symbols OBJ refers to but does not
# define, sorted, one per line.
elf_undefined() {
	keysc_tools "$1" || return 1
	"$KEYSC_READELF" -sW "$1" | awk 'NF == 8 && $7 == "UND" { print $8 }' | LC_ALL=C sort
}

# keysc_check_key OBJ ARRAY EXPECTED_DER: ARRAY holds exactly the bytes of
# the file EXPECTED_DER and ARRAY_len equals their count.  On mismatch returns
# 1 with the reason in KEYSC_ERR.
keysc_check_key() {
	local obj=$1 arr=$2 want=$3 got=$T_TMP/keysc-key n
	n=$(wc -c <"$want")
	elf_symbol_bytes "$obj" "$arr" "$got" || return 1
	if ! cmp -s "$got" "$want"; then
		KEYSC_ERR="$arr differs from $want ($(wc -c <"$got") bytes, expected $n): $(cmp "$got" "$want" 2>&1 | sed -e 's/.* differ: \(byte [0-9]*\).*/first difference at \1/' -e 's/^cmp: //')"
		return 1
	fi
	keysc_u32 "$obj" "${arr}_len" || return 1
	if [ "$KEYSC_U32" != "$n" ]; then
		KEYSC_ERR="${arr}_len is $KEYSC_U32, but $arr holds $n bytes"
		return 1
	fi
}

# elf_key_list OBJ: what the pointers of bootutil_keys[] point to, in order
# (ARRAY ARRAY_len for each entry), one per line; NAME+N for a pointer N
# bytes into NAME.  Read from the relocations of its bytes (REL: the
# addend is in the bytes).  Fails when bootutil_keys is missing, or a
# pointer in it has no relocation.
elf_key_list() {
	local obj=$1 syms value size ndx sec ptr dump n=0 off name add
	KEYSC_ERR=
	keysc_tools "$obj" || return 1
	syms=$("$KEYSC_READELF" -sW "$obj" | awk '$8 == "bootutil_keys" && NF == 8 { print $2, $3, $7 }')
	if [ "$(printf '%s' "$syms" | grep -c .)" != 1 ]; then
		KEYSC_ERR="$obj: no single definition of bootutil_keys"
		return 1
	fi
	read -r value size ndx <<<"$syms"
	value=$((16#$value))
	size=$((size))
	sec=$("$KEYSC_READELF" -SW "$obj" | sed -n "s/^ *\[ *$ndx\] \([^ ]*\) .*/\1/p")
	case $("$KEYSC_READELF" -h "$obj" | sed -n 's/^ *Class: *//p') in
	ELF32) ptr=4 ;;
	*) ptr=8 ;;
	esac
	dump=$(mktemp "$T_TMP/keysc-dump.XXXXXX") || return 1
	if ! KEYSC_ERR=$("$KEYSC_OBJCOPY" --dump-section "$sec=$dump" "$obj" "$dump.o" 2>&1); then
		KEYSC_ERR="$KEYSC_OBJCOPY --dump-section $sec: $KEYSC_ERR"
		rm -f "$dump" "$dump.o"
		return 1
	fi
	# readelf -rW: Offset Info Type Sym.Value Sym.Name [+ Addend] (hex)
	while read -r off name add; do
		off=$((16#$off))
		if [ "$off" -lt "$value" ] || [ "$off" -ge "$((value + size))" ]; then
			continue
		fi
		if [ "$add" = rel ]; then
			add=$(od -An -tu$ptr --endian=little -j "$off" -N "$ptr" "$dump" | tr -d ' ')
		else
			add=$((add))
		fi
		if [ "$add" = 0 ]; then echo "$name"; else echo "$name+$add"; fi
		n=$((n + 1))
	done < <("$KEYSC_READELF" -rW "$obj" | awk -v s1=".rel$sec" -v s2=".rela$sec" '
		/^Relocation section / { name = $3; gsub("\047", "", name); in_sec = (name == s1 || name == s2); rela = (name == s2); next }
		in_sec && $1 ~ /^[0-9a-f]+$/ { print $1, $5, (!rela ? "rel" : $6 == "-" ? "-0x" $7 : "0x" $7) }' | LC_ALL=C sort)
	rm -f "$dump" "$dump.o"
	if [ "$((n * ptr))" != "$size" ]; then
		KEYSC_ERR="$obj: bootutil_keys is $size bytes but has $n relocations of $ptr bytes"
		return 1
	fi
}

# keysc_check_list OBJ ARRAY...: bootutil_keys[] lists exactly these arrays
# (each with its _len), in this order, and bootutil_key_cnt is their number.
# On mismatch returns 1 with the reason in KEYSC_ERR.
keysc_check_list() {
	local obj=$1 got want a
	shift
	got=$(elf_key_list "$obj") || return 1
	want=$(for a in "$@"; do printf '%s\n%s_len\n' "$a" "$a"; done)
	if [ "$got" != "$want" ]; then
		KEYSC_ERR="bootutil_keys[] points to: ${got//$'\n'/ } (expected ${want//$'\n'/ })"
		return 1
	fi
	keysc_u32 "$obj" bootutil_key_cnt || return 1
	if [ "$KEYSC_U32" != $# ]; then
		KEYSC_ERR="bootutil_key_cnt is $KEYSC_U32, expected $#"
		return 1
	fi
}
