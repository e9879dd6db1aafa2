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
#   c_bytes DER, keysc DER..., trusts DESC ARRAY=DER...  (ed25519 keys.c)

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

# ---- whole-object digests (tests/cli/keysc-configs.sh)
#
#   keysc_digest OBJ
#   keysc_dg_list DIGEST
#   keysc_dg_hex DIGEST SYMBOL
#   keysc_dg_uint DIGEST SYMBOL
#   keysc_defs CC-FLAGS FILE
#   keysc_tokens CC-FLAGS FILE

# keysc_digest OBJ: every data object OBJ defines, and every pointer in
# them, one line each (sorted), from four readelf runs:
#   sym NAME SIZE HEX        HEX: the bytes it is initialised with (zeros
#                            for .bss and common symbols); pointers are in
#                            it as the object file holds them
#   ref NAME OFFSET TARGET   a pointer OFFSET bytes into NAME to TARGET
#                            (SYMBOL, or SYMBOL+N for N bytes into it)
# A relocation against a section symbol (static arrays: .rodata.NAME + 0,
# .rodata + 91 without -fdata-sections) is named by the object at that
# offset of the section, so static and global arrays read the same.
keysc_digest() {
	local obj=$1 t=$T_TMP/keysc-dg secs
	KEYSC_ERR=
	keysc_tools "$obj" || return 1
	"$KEYSC_READELF" -sW "$obj" >"$t.s" && "$KEYSC_READELF" -SW "$obj" >"$t.S" &&
		"$KEYSC_READELF" -rW "$obj" >"$t.r" || { KEYSC_ERR="$obj: readelf failed"; return 1; }
	# the sections with contents that hold objects
	secs=$(awk 'NF == 8 && $4 == "OBJECT" && $7 ~ /^[0-9]+$/ { print $7 }' "$t.s" | sort -un |
		while read -r n; do grep -q "^ *\[ *$n\] [^ ]* *NOBITS " "$t.S" || printf -- '-x %s ' "$n"; done)
	: >"$t.x"
	# shellcheck disable=SC2086 # a list of options
	[ -z "$secs" ] || "$KEYSC_READELF" $secs "$obj" >"$t.x" 2>/dev/null
	awk -v S="$t.s" -v H="$t.S" -v R="$t.r" -v X="$t.x" '
	function num(s,   i, v, c, d) {	# decimal or 0x hex
		if (s !~ /^0x/) return s + 0
		v = 0; s = tolower(substr(s, 3))
		for (i = 1; i <= length(s); i++) { c = substr(s, i, 1); d = index("0123456789abcdef", c) - 1; v = v * 16 + d }
		return v
	}
	function hex(s) { return num("0x" s) }
	function le(h, off, n,   v, i) {	# n bytes little-endian at byte off of hex string h
		v = 0
		for (i = n - 1; i >= 0; i--) v = v * 256 + hex(substr(h, (off + i) * 2 + 1, 2))
		return v
	}
	function at(sec, off,   i, best) {	# the object holding byte off of section sec
		best = ""
		for (i = 1; i <= nsym; i++)
			if (sym_sec[i] == sec && sym_val[i] <= off && (off < sym_val[i] + sym_size[i] || (sym_size[i] == 0 && off == sym_val[i]))) {
				best = i; break
			}
		return best
	}
	BEGIN {
		while ((getline l < H) > 0)
			if (match(l, /^ *\[ *[0-9]+\] /)) {
				idx = substr(l, RSTART, RLENGTH); gsub(/[^0-9]/, "", idx); idx += 0
				split(substr(l, RSTART + RLENGTH), g, / +/)
				sec_name[idx] = g[1]; sec_type[idx] = g[2]; if (g[1] != "") sec_by_name[g[1]] = idx
			}
		while ((getline l < S) > 0) {
			nf = split(l, f, / +/)
			if (f[1] == "") { for (i = 1; i < nf; i++) f[i] = f[i + 1]; nf-- }
			if (nf == 8 && f[4] == "OBJECT" && (f[7] ~ /^[0-9]+$/ || f[7] == "COM")) {
				nsym++; sym_name[nsym] = f[8]; sym_val[nsym] = hex(f[2]); sym_size[nsym] = num(f[3])
				sym_sec[nsym] = (f[7] == "COM" ? -1 : f[7] + 0)
			}
		}
		cur = ""
		while ((getline l < X) > 0) {
			if (l ~ /^Hex dump of section /) { cur = l; sub(/^Hex dump of section \047/, "", cur); sub(/\047:.*$/, "", cur); continue }
			if (cur != "" && l ~ /^  0x[0-9a-f]+ /) { h = substr(l, 14, 35); gsub(/ /, "", h); data[sec_by_name[cur]] = data[sec_by_name[cur]] h }
		}
		for (i = 1; i <= nsym; i++) {
			s = sym_sec[i]
			if (s >= 0 && sec_type[s] != "NOBITS") h = substr(data[s], sym_val[i] * 2 + 1, sym_size[i] * 2)
			else { h = ""; for (k = 0; k < sym_size[i]; k++) h = h "00" }
			print "sym", sym_name[i], sym_size[i], (h == "" ? "-" : h)
		}
		rsec = ""
		while ((getline l < R) > 0) {
			if (l ~ /^Relocation section /) {
				rsec = l; sub(/^Relocation section \047/, "", rsec); sub(/\047.*$/, "", rsec)
				rela = (rsec ~ /^\.rela\./); if (rela) sub(/^\.rela/, "", rsec); else sub(/^\.rel/, "", rsec)
				rsec = (rsec in sec_by_name) ? sec_by_name[rsec] : -2
				continue
			}
			nf = split(l, f, / +/)
			if (f[1] == "") { for (i = 1; i < nf; i++) f[i] = f[i + 1]; nf-- }
			if (rsec < 0 || f[1] !~ /^[0-9a-f]+$/ || nf < 5) continue
			off = hex(f[1]); tname = f[5]
			add = rela ? (f[6] == "-" ? -hex(f[7]) : hex(f[7])) : le(data[rsec], off, 4)
			owner = at(rsec, off)
			if (owner == "") continue
			if (tname in sec_by_name) {	# a section symbol: the object at that offset
				t = at(sec_by_name[tname], add)
				if (t != "") { add -= sym_val[t]; tname = sym_name[t] }
			}
			print "ref", sym_name[owner], off - sym_val[owner], tname (add ? "+" add : "")
		}
	}' | LC_ALL=C sort
}

# keysc_dg_list DIGEST: the pointers of bootutil_keys[] in DIGEST (the text
# keysc_digest printed), in order, one per line.
keysc_dg_list() {
	awk '$1 == "ref" && $2 == "bootutil_keys" { print $3, $4 }' <<<"$1" | sort -n | cut -d' ' -f2
}

# keysc_dg_hex DIGEST SYMBOL: SYMBOL's bytes as hex ("" when it is not there).
keysc_dg_hex() {
	awk -v s="$2" '$1 == "sym" && $2 == s { print ($4 == "-" ? "" : $4); exit }' <<<"$1"
}

# keysc_dg_uint DIGEST SYMBOL: SYMBOL (1 to 8 bytes, little-endian) as a
# decimal number, or nothing when it is missing or of another size.
keysc_dg_uint() {
	local h v='' i
	h=$(keysc_dg_hex "$1" "$2")
	case ${#h} in 2 | 4 | 8 | 16) ;; *) return 1 ;; esac
	for ((i = ${#h} - 2; i >= 0; i -= 2)); do v+=${h:i:2}; done
	printf '%s\n' "$((16#$v))"
}

# keysc_defs "FLAG..." FILE: where FILE, preprocessed with FLAGs the way
# keysc_compile compiles it, defines each name: `NAME FILE:LINE` per
# definition-looking line (NAME, perhaps [N] and __attribute__((...)),
# then `=`), FILE the basename of the file the line is in (an #include'd
# key file too).  Which branch of an #if defines an array is its line.
keysc_defs() {
	# shellcheck disable=SC2086 # FLAGs are a word list
	gcc -std=c99 -E $1 -I"$KEYSC_STUBS" "$2" 2>/dev/null | awk '
	/^# [0-9]+ "/ { line = $2; f = $3; gsub(/"/, "", f); n = split(f, p, "/"); file = p[n]; next }
	{
		s = $0
		while (match(s, /[A-Za-z_][A-Za-z0-9_]*[ \t]*(\[[^]]*\])?[ \t]*(__attribute__[ \t]*\(\(.*\)\)[ \t]*)?=/)) {
			m = substr(s, RSTART, RLENGTH); rest = substr(s, RSTART + RLENGTH)
			if (substr(rest, 1, 1) != "=") { match(m, /^[A-Za-z_][A-Za-z0-9_]*/); print substr(m, 1, RLENGTH), file ":" line }
			s = rest
		}
		line++
	}'
}

# keysc_tokens "FLAG..." FILE: FILE preprocessed with FLAGs, without line
# markers, blank lines or layout: equal for two files exactly when the
# compiler sees the same program (an #error still prints what came before).
keysc_tokens() {
	# shellcheck disable=SC2086
	gcc -std=c99 -E -P $1 -I"$KEYSC_STUBS" "$2" 2>/dev/null |
		sed -e 's/[[:space:]]\{1,\}/ /g' -e 's/^ //' -e 's/ $//' | grep -v '^$'
}

# ---- an inline-array ed25519 keys.c (MCUboot's sim shape), as rotations
# change it

# c_bytes DER: DER's bytes as initializer lines, 8 a line, a comma after each
c_bytes() {
	od -An -v -tx1 "$1" | tr -s ' ' '\n' | sed '/^$/d' | awk '
		{ b[n++] = $1 }
		END { for (i = 0; i < n; i++) { s = (i % 8 == 0 ? "    " : s " ") "0x" b[i] ","
			if ((i + 1) % 8 == 0 || i + 1 == n) { print s; s = "" } } }'
}
# keysc DER...: an ed25519 keys.c trusting these keys: root_pub_der,
# root_pub_der_1, ... each after a blank line, all in bootutil_keys[], the
# count a number
keysc() {
	local i=0 d s
	printf '#include "bootutil/sign_key.h"\n\n#if defined(MCUBOOT_SIGN_ED25519)\n'
	for d in "$@"; do
		s=$([ "$i" = 0 ] || echo "_$i")
		[ "$i" = 0 ] || echo
		echo "const unsigned char root_pub_der${s}[] = {"
		c_bytes "$d"
		printf '};\nconst unsigned int root_pub_der%s_len = 44;\n' "$s"
		i=$((i + 1))
	done
	printf '#else\n#error "No public key available for given signing algorithm."\n#endif\n\n'
	echo 'const struct bootutil_key bootutil_keys[] = {'
	for i in $(seq 0 $(($# - 1))); do
		s=$([ "$i" = 0 ] || echo "_$i")
		printf '    {\n        .key = root_pub_der%s,\n        .len = &root_pub_der%s_len,\n    },\n' "$s" "$s"
	done
	printf '};\nconst int bootutil_key_cnt = %s;\n' $#
}
# trusts DESC ARRAY=DER...: boot/keys.c compiled, each ARRAY holds DER (and
# its _len their number), bootutil_keys[] lists these arrays in this order,
# bootutil_key_cnt counts them
trusts() {
	local desc=$1 spec bad=
	local -a arrs=()
	shift
	if ! command -v gcc >/dev/null || ! command -v readelf >/dev/null ||
		! command -v objcopy >/dev/null; then
		ok "# SKIP $desc: gcc, readelf or objcopy missing"
		return
	fi
	for spec in "$@"; do arrs+=("${spec%%=*}"); done
	if keysc_compile "$KEYSC_CC_HOST" -DMCUBOOT_SIGN_ED25519 -- boot/keys.c keys.o; then
		for spec in "$@"; do
			keysc_check_key keys.o "${spec%%=*}" "${spec#*=}" || { bad=$KEYSC_ERR; break; }
		done
		[ -n "$bad" ] || keysc_check_list keys.o "${arrs[@]}" || bad=$KEYSC_ERR
	else
		bad=$KEYSC_ERR
	fi
	if [ -z "$bad" ]; then ok "$desc"; else not_ok "$desc" "$bad"; fi
}
