#!/bin/bash
# keys.c under every configuration its conditionals allow: `mcuprov patch`
# writes exactly the key slots a bootloader built with that configuration
# compiles, and nothing a build with another configuration compiles.
#
# tests/fixtures/keysc/configs.tsv lists, for each keys.c fixture, the
# configurations (key type, number of keys, -D/-U/--image options) and what
# must happen.  For every row, in a fresh directory holding a copy of the
# fixture (and the key file it #includes), with fresh keys:
#
#  refuse rows  `patch --dry-run` and `patch` exit with the row's code, the
#               message holds the row's words, and no file is written,
#               changed or left behind.
#  ok rows      `patch --dry-run` writes nothing; `patch` exits 0, changes
#               exactly the row's files (the old ones kept as FILE.bak); the
#               --dry-run diff, applied with patch(1) to the original,
#               gives exactly what was written; a second `patch` changes
#               nothing; the style of the arrays is kept (line ends, hex
#               case, bytes a line, indentation).  Then the patched keys.c
#               is compiled with exactly the row's -D set (the key type's
#               MCUBOOT_SIGN_* and MCUBOOT_SIGN_RSA_LEN, then the row's
#               -D/-U) by arm-none-eabi-gcc (Cortex-M4) and the host gcc,
#               and read back from the object files: bootutil_keys[] points
#               to the row's arrays and lengths in order, each array holds
#               `getpub -e raw` of its key (or, for `=orig`, the original
#               bytes), each length is that size, bootutil_key_cnt is the
#               number of slots, and every other object in the file (the
#               image-encryption key, ...) is as in the original.
#
# Dead branches, the rule: an array is the same slot under two
# configurations when the same line of the same file defines it (found by
# preprocessing the ORIGINAL fixture under each).  For every other
# configuration C of the fixture (the distinct -D sets of its rows, except
# rows marked `skip`):
#  - if no array or length the row patched is defined by the same line under
#    C, the patched file must preprocess under C to exactly the tokens of
#    the original: a build for C compiles the same program, byte for byte;
#  - otherwise C shares a slot: the patched file is compiled for C (host
#    gcc) and every bootutil_keys[] array of C holds the row's key where it
#    is a shared slot (or an array the row added) and its original bytes
#    where not; the list and the count are the original's (unless the row
#    changed the number of keys), and every other object is unchanged.
#    (Only the host compiler here: the row's own configuration is compiled
#    by both.)
#
# The harness is checked first: a correct patch done by hand passes, and
# the two wrong outputs of issue 10 (a P-256 key in the P-384 array; two RSA
# keys spread over the 2048 and 3072 alternatives) are caught.
. "$MCUPROV_SRCDIR/tests/lib.sh"
. "$MCUPROV_SRCDIR/tests/keysc-lib.sh"
need_vectors
need_cross

F=$KEYSC_FIXTURES
MANIFEST=$F/configs.tsv
K=$T_TMP/keys O=$T_TMP/obj C=$T_TMP/cache
mkdir -p "$K" "$O" "$C"

# ---- the manifest
declare -a R_FX R_TYPE R_N R_ARGS R_CONF R_EXP R_DET R_WR
NR=0
while IFS=$'\t' read -r fx type n args conf exp det wr; do
	case $fx in '' | '#'*) continue ;; esac
	R_FX[NR]=$fx R_TYPE[NR]=$type R_N[NR]=$n R_ARGS[NR]=$args R_CONF[NR]=$conf
	R_EXP[NR]=$exp R_DET[NR]=$det R_WR[NR]=${wr:-${fx%%+*}}
	NR=$((NR + 1))
done <"$MANIFEST"
[ "$NR" -gt 0 ] || { not_ok "manifest $MANIFEST has rows"; done_testing; }

# ---- a pool of fresh keys: TYPE-1 .. TYPE-N, N the most a row takes
declare -A POOL KEYHEX
for ((r = 0; r < NR; r++)); do
	t=${R_TYPE[r]}
	[ "${POOL[$t]:-0}" -ge "${R_N[r]}" ] || POOL[$t]=${R_N[r]}
done
for t in "${!POOL[@]}"; do
	for ((i = 1; i <= POOL[$t]; i++)); do
		if "$M" keygen -k "$K/$t-$i.pem" -t "$t" >/dev/null 2>"$K/err" &&
		   "$M" getpub -e raw -k "$K/$t-$i.pem" >"$K/$t-$i.der" 2>"$K/err"; then
			KEYHEX[$t-$i]=$(od -An -v -tx1 "$K/$t-$i.der" | tr -d ' \n')
		else
			not_ok "keygen -t $t ($i)" "$(cat "$K/err")"
		fi
	done
done

# ---- configurations
# cflags_of TYPE ARGS: the -D set a bootloader build for keys of TYPE with
# the patch options ARGS has (the key type's macros, then -D/-U), sorted.
cflags_of() {
	local -A m=()
	local a want='' name
	case $1 in
	rsa-2048) m[MCUBOOT_SIGN_RSA]='' m[MCUBOOT_SIGN_RSA_LEN]=2048 ;;
	rsa-3072) m[MCUBOOT_SIGN_RSA]='' m[MCUBOOT_SIGN_RSA_LEN]=3072 ;;
	ecdsa-p256) m[MCUBOOT_SIGN_EC256]='' ;;
	ecdsa-p384) m[MCUBOOT_SIGN_EC384]='' ;;
	ed25519) m[MCUBOOT_SIGN_ED25519]='' ;;
	esac
	# shellcheck disable=SC2086 # ARGS is a word list
	set -- $2
	while [ $# -gt 0 ]; do
		case $1 in
		-D) a=$2; shift ;;
		-D*) a=${1#-D} ;;
		-U) unset "m[$2]"; shift; shift; continue ;;
		-U*) unset "m[${1#-U}]"; shift; continue ;;
		--image) shift 2; continue ;;
		*) shift; continue ;;
		esac
		shift
		case $a in *=*) m[${a%%=*}]=${a#*=} ;; *) m[$a]='' ;; esac
	done
	for name in "${!m[@]}"; do
		if [ -n "${m[$name]}" ]; then want+="-D$name=${m[$name]}"$'\n'; else want+="-D$name"$'\n'; fi
	done
	printf '%s' "$want" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

declare -a R_CFL
declare -A FX_CONFS # fixture -> the distinct -D sets of its rows, one per line
for ((r = 0; r < NR; r++)); do
	case ${R_CONF[r]} in
	auto) R_CFL[r]=$(cflags_of "${R_TYPE[r]}" "${R_ARGS[r]}") ;;
	skip) R_CFL[r]=$(cflags_of "${R_TYPE[r]}" "${R_ARGS[r]}"); continue ;;
	*) R_CFL[r]=${R_CONF[r]} ;;
	esac
	grep -qxF -- "${R_CFL[r]}" <<<"${FX_CONFS[${R_FX[r]}]:-}" ||
		FX_CONFS[${R_FX[r]}]+="${R_CFL[r]}"$'\n'
done

# the original fixtures, each in a directory of its own
orig_dir() { printf '%s/orig/%s' "$T_TMP" "${1%%+*}"; }
fx_files() { tr '+' '\n' <<<"$1"; }
for fx in $(printf '%s\n' "${R_FX[@]}" | sort -u); do
	d=$(orig_dir "$fx")
	mkdir -p "$d"
	for f in $(fx_files "$fx"); do cp "$F/$f" "$d/" || not_ok "fixture $f exists"; done
done

# cache KIND FIXTURE CFLAGS: a file name for something of the original
cache() { printf '%s/%s-%s' "$C" "$1" "$(printf '%s|%s' "$2" "$3" | md5sum | cut -c1-16)"; }

# orig_digest FIXTURE CFLAGS CC-NAME: the digest of the original compiled
# for CFLAGS (empty when it does not compile), cached.
orig_digest() {
	local c cc f
	c=$(cache "dg-$3" "$1" "$2")
	if [ ! -e "$c" ]; then
		if [ "$3" = arm ]; then cc=$KEYSC_CC_ARM; else cc=$KEYSC_CC_HOST; fi
		f=$(orig_dir "$1")/${1%%+*}
		# shellcheck disable=SC2086
		if keysc_compile "$cc" $2 -- "$f" "$c.o"; then keysc_digest "$c.o" >"$c"; else : >"$c"; fi
	fi
	cat "$c"
}
orig_defs() {
	local c
	c=$(cache defs "$1" "$2")
	[ -e "$c" ] || keysc_defs "$2" "$(orig_dir "$1")/${1%%+*}" >"$c"
	cat "$c"
}
orig_tokens_file() {
	local c
	c=$(cache tok "$1" "$2")
	[ -e "$c" ] || keysc_tokens "$2" "$(orig_dir "$1")/${1%%+*}" >"$c"
	printf '%s' "$c"
}

# ---- the checks of an ok row's output
# parse_slots ROW: SLOT_NAME[], SLOT_LEN[], SLOT_KEY[] (a pool key, or
# "orig"); false when the row's keys and slots do not add up.
parse_slots() {
	local r=$1 tok name len key k=0
	SLOT_NAME=() SLOT_LEN=() SLOT_KEY=()
	for tok in ${R_DET[r]}; do
		key=
		case $tok in *=*) key=${tok#*=} tok=${tok%%=*} ;; esac
		name=${tok%%/*} len=${name}_len
		case $tok in */*) len=${tok#*/} ;; esac
		if [ -z "$key" ]; then k=$((k + 1)) key=${R_TYPE[r]}-$k; fi
		case $key in k[0-9]) key=${R_TYPE[r]}-${key#k} ;; esac
		SLOT_NAME+=("$name") SLOT_LEN+=("$len") SLOT_KEY+=("$key")
	done
	[ "$k" = "${R_N[r]}" ]
}

# slot_hex I ORIG-DIGEST: the bytes slot I must hold
slot_hex() {
	if [ "${SLOT_KEY[$1]}" = orig ]; then keysc_dg_hex "$2" "${SLOT_NAME[$1]}"; else printf '%s\n' "${KEYHEX[${SLOT_KEY[$1]}]}"; fi
}

# others DIGEST NAME...: the digest without the objects NAME... and the
# pointers in them
others() {
	local dg=$1
	shift
	awk -v ex=" $* " '!index(ex, " " $2 " ")' <<<"$dg"
}

# check_own ROW DIR ARCH: the patched keys.c in DIR compiled for the row's
# configuration; sets ERR ("" when right).
check_own() {
	local r=$1 dir=$2 arch=$3 cc fx=${R_FX[$1]} obj dg odg got want i h n ex=() ol
	ERR=
	if [ "$arch" = arm ]; then cc=$KEYSC_CC_ARM; else cc=$KEYSC_CC_HOST; fi
	obj=$O/own-$r-$arch.o
	# shellcheck disable=SC2086
	if ! keysc_compile "$cc" ${R_CFL[r]} -- "$dir/${fx%%+*}" "$obj"; then ERR="does not compile: $KEYSC_ERR"; return; fi
	dg=$(keysc_digest "$obj") || { ERR=$KEYSC_ERR; return; }
	odg=$(orig_digest "$fx" "${R_CFL[r]}" "$arch")
	[ -n "$odg" ] || { ERR="the original fixture does not compile with ${R_CFL[r]}"; return; }
	if [ "${R_EXP[r]}" = ok ]; then
		got=$(keysc_dg_list "$dg" | tr '\n' ' ')
		want=$(for ((i = 0; i < ${#SLOT_NAME[@]}; i++)); do printf '%s %s ' "${SLOT_NAME[i]}" "${SLOT_LEN[i]}"; done)
		[ "$got" = "$want" ] || ERR+="bootutil_keys[] points to: $got(expected $want); "
		n=$(keysc_dg_uint "$dg" bootutil_key_cnt)
		[ "$n" = "${#SLOT_NAME[@]}" ] || ERR+="bootutil_key_cnt is ${n:-missing}, expected ${#SLOT_NAME[@]}; "
	elif grep -q '^sym bootutil_keys ' <<<"$dg"; then
		ERR+="a bootutil_keys[] appeared; "
	fi
	for ((i = 0; i < ${#SLOT_NAME[@]}; i++)); do
		h=$(slot_hex "$i" "$odg")
		[ -n "$h" ] || { ERR+="no original bytes for ${SLOT_NAME[i]}; "; continue; }
		got=$(keysc_dg_hex "$dg" "${SLOT_NAME[i]}")
		if [ "$got" != "$h" ]; then
			ERR+="${SLOT_NAME[i]} holds $((${#got} / 2)) bytes, not those of ${SLOT_KEY[i]} ($((${#h} / 2)) bytes)${got:+ (${got:0:24}...)}; "
		fi
		n=$(keysc_dg_uint "$dg" "${SLOT_LEN[i]}")
		[ "$n" = "$((${#h} / 2))" ] || ERR+="${SLOT_LEN[i]} is ${n:-missing}, expected $((${#h} / 2)); "
		ex+=("${SLOT_NAME[i]}" "${SLOT_LEN[i]}")
	done
	# everything else as it was (arrays the original listed may go when the
	# number of keys changes)
	ol=$(keysc_dg_list "$odg" | sed 's/+.*//' | tr '\n' ' ')
	# shellcheck disable=SC2086
	got=$(others "$dg" "${ex[@]}" bootutil_keys bootutil_key_cnt $ol)
	# shellcheck disable=SC2086
	want=$(others "$odg" "${ex[@]}" bootutil_keys bootutil_key_cnt $ol)
	[ "$got" = "$want" ] || ERR+="other objects changed: $(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | cut -c1-80 | head -n 3 | tr '\n' ' ')"
}

# check_dead ROW DIR: every other configuration of the fixture; sets ERR
# and DEAD_SUMMARY.
check_dead() {
	local r=$1 dir=$2 fx=${R_FX[$1]} cfl i name loc odefs shared n_un=0 n_sh=0 resized=0
	local obj dg odg pl ol k l h want got j ex
	ERR=
	# where the original defines the slots the row patched, under its configuration
	local -A rloc=() slot_of=()
	for ((i = 0; i < ${#SLOT_NAME[@]}; i++)); do
		[ "${SLOT_KEY[i]}" = orig ] && continue
		slot_of[${SLOT_NAME[i]}]=$i
		for name in "${SLOT_NAME[i]}" "${SLOT_LEN[i]}"; do
			loc=$(orig_defs "$fx" "${R_CFL[r]}" | awk -v n="$name" '$1 == n { print $2; exit }')
			[ -n "$loc" ] && rloc[$name]=$loc
		done
	done
	odg=$(orig_digest "$fx" "${R_CFL[r]}" host)
	if [ "${R_EXP[r]}" = ok ] && [ "$(keysc_dg_list "$odg" | grep -c .)" != "$((2 * ${#SLOT_NAME[@]}))" ]; then resized=1; fi
	while IFS= read -r cfl; do
		[ -z "$cfl" ] || [ "$cfl" = "${R_CFL[r]}" ] && continue
		odefs=$(orig_defs "$fx" "$cfl")
		shared=()
		for name in "${!rloc[@]}"; do
			awk -v n="$name" -v l="${rloc[$name]}" '$1 == n && $2 == l { f = 1 } END { exit !f }' <<<"$odefs" && shared+=("$name")
		done
		if [ ${#shared[@]} = 0 ]; then
			n_un=$((n_un + 1))
			if ! cmp -s "$(orig_tokens_file "$fx" "$cfl")" <(keysc_tokens "$cfl" "$dir/${fx%%+*}"); then
				ERR+="[$cfl] shares no slot but compiles to another program: $(diff <(cat "$(orig_tokens_file "$fx" "$cfl")") <(keysc_tokens "$cfl" "$dir/${fx%%+*}") | grep '^[<>]' | cut -c1-70 | head -n 2 | tr '\n' ' '); "
			fi
			continue
		fi
		n_sh=$((n_sh + 1))
		odg=$(orig_digest "$fx" "$cfl" host)
		obj=$O/dead-$r.o
		# shellcheck disable=SC2086
		if ! keysc_compile "$KEYSC_CC_HOST" $cfl -- "$dir/${fx%%+*}" "$obj"; then
			[ -z "$odg" ] || ERR+="[$cfl] (shares ${shared[*]}) no longer compiles: $(head -n 2 <<<"$KEYSC_ERR" | tr '\n' ' '); "
			continue
		fi
		dg=$(keysc_digest "$obj")
		pl=$(keysc_dg_list "$dg" | tr '\n' ' ')
		ol=$(keysc_dg_list "$odg" | tr '\n' ' ')
		[ "$resized" = 1 ] || [ "$pl" = "$ol" ] || ERR+="[$cfl] bootutil_keys[] is now $pl(was $ol); "
		if [ "$resized" = 0 ] && [ "$(keysc_dg_uint "$dg" bootutil_key_cnt)" != "$(keysc_dg_uint "$odg" bootutil_key_cnt)" ]; then
			ERR+="[$cfl] bootutil_key_cnt changed; "
		fi
		# the arrays of the list, or the shared ones of a file without a list
		if [ -z "$pl" ]; then
			pl=
			for name in "${shared[@]}"; do [ -n "${slot_of[$name]:-}" ] && pl+="$name ${SLOT_LEN[${slot_of[$name]}]} "; done
		fi
		ex=()
		# shellcheck disable=SC2086 # pairs of names
		set -- $pl
		while [ $# -ge 2 ]; do
			k=$1 l=$2
			shift 2
			ex+=("$k" "$l")
			# a shared slot, or one the row added (the original has no such array)
			if printf '%s\n' "${shared[@]}" | grep -qxF -- "$k" ||
			   { [ -n "${slot_of[$k]:-}" ] && ! grep -q "^sym $k " <<<"$odg"; }; then
				j=${slot_of[$k]:-}
				[ -n "$j" ] || { ERR+="[$cfl] shared $k is no slot of the row; "; continue; }
				want=${KEYHEX[${SLOT_KEY[j]}]}
			else
				want=$(keysc_dg_hex "$odg" "$k")
			fi
			got=$(keysc_dg_hex "$dg" "$k")
			[ "$got" = "$want" ] || ERR+="[$cfl] $k holds other bytes ($((${#got} / 2)), expected $((${#want} / 2))); "
			[ "$(keysc_dg_uint "$dg" "$l")" = "$((${#want} / 2))" ] || ERR+="[$cfl] $l is $(keysc_dg_uint "$dg" "$l"), expected $((${#want} / 2)); "
		done
		got=$(others "$dg" "${ex[@]}" "${shared[@]}" "${SLOT_NAME[@]}" "${SLOT_LEN[@]}" bootutil_keys bootutil_key_cnt)
		want=$(others "$odg" "${ex[@]}" "${shared[@]}" "${SLOT_NAME[@]}" "${SLOT_LEN[@]}" bootutil_keys bootutil_key_cnt)
		[ "$got" = "$want" ] || ERR+="[$cfl] other objects changed; "
	done <<<"${FX_CONFS[$fx]:-}"
	DEAD_SUMMARY="$n_un configurations sharing no slot compile to the same program, $n_sh sharing one checked"
}

# check_style ROW DIR: the written files kept the original's style; sets ERR
check_style() {
	local r=$1 dir=$2 f o n lines cr per_o per_n
	ERR=
	for f in ${R_WR[r]//+/ }; do
		o=$F/$f n=$dir/$f
		lines=$(wc -l <"$n") cr=$(grep -c $'\r$' "$n")
		if [ "$(grep -c $'\r$' "$o")" = "$(wc -l <"$o")" ]; then
			[ "$cr" = "$lines" ] || ERR+="$f: $((lines - cr)) lines without CRLF; "
		else
			[ "$cr" = 0 ] || ERR+="$f: $cr lines with CR; "
		fi
		if grep -q '0x[0-9A-F]*[A-F]' "$o" && ! grep -q '0x[0-9a-f]*[a-f]' "$o"; then
			! grep -q '0x[0-9a-f]*[a-f]' "$n" || ERR+="$f: lower-case hex in an upper-case file; "
		elif grep -q '0x[0-9a-f]*[a-f]' "$o"; then
			! grep -q '0x[0-9A-F]*[A-F]' "$n" || ERR+="$f: upper-case hex in a lower-case file; "
		fi
		per_o=$(grep -o '^[[:space:]]*0x.*' "$o" | awk -F'0x' '{ if (NF - 1 > m) m = NF - 1 } END { print m + 0 }')
		per_n=$(grep -o '^[[:space:]]*0x.*' "$n" | awk -F'0x' '{ if (NF - 1 > m) m = NF - 1 } END { print m + 0 }')
		[ "$per_o" -le 1 ] || [ "$per_o" = "$per_n" ] || ERR+="$f: $per_n bytes a line, the original has $per_o; "
		if [ "$per_o" -gt 1 ] && grep -o '^[[:space:]]*0x' "$n" | sort -u | grep -vxF -f <(grep -o '^[[:space:]]*0x' "$o" | sort -u) >/dev/null; then
			ERR+="$f: a new indentation; "
		fi
	done
}

# verify ROW DIR: every check of an ok row's written files (no mcuprov
# run); VER_ERR gets "CHECK: why" lines, VER_OK the names of those passed.
verify() {
	local r=$1 dir=$2 arch
	VER_ERR=() VER_OK=()
	for arch in arm host; do
		check_own "$r" "$dir" "$arch"
		if [ -n "$ERR" ]; then VER_ERR+=("$arch: $ERR"); else VER_OK+=("$arch"); fi
	done
	check_dead "$r" "$dir"
	if [ -n "$ERR" ]; then VER_ERR+=("dead branches: $ERR"); else VER_OK+=("dead branches: $DEAD_SUMMARY"); fi
	check_style "$r" "$dir"
	if [ -n "$ERR" ]; then VER_ERR+=("style: $ERR"); else VER_OK+=("style kept"); fi
}

# splice FILE NTH HEX [PER [COMMA]]: a hand patch: the NTH (1-based)
# `NAME[] = {` array of FILE gets the bytes HEX, PER (12) a line after 4
# spaces, a comma after the last when COMMA is 1, and the length after it
# their count
splice() {
	awk -v nth="$2" -v hex="$3" -v per="${4:-12}" -v comma="${5:-0}" '
	/^[^#]*\[[0-9]*\][^=]*= *\{/ { k++ }
	k == nth && !done && /= *\{/ { print; n = length(hex) / 2
		for (i = 0; i < n; i++) printf "%s0x%s%s", (i % per ? " " : "    "), substr(hex, 2 * i + 1, 2), (i + 1 < n || comma ? "," : "") ((i % per == per - 1 || i + 1 == n) ? "\n" : "")
		skip = 1; next }
	skip && /^\};/ { skip = 0; print; fixlen = 1; next }
	skip { next }
	fixlen && /_len(_[0-9]+)? = [0-9]+;/ { sub(/= [0-9]+;/, "= " n ";"); fixlen = 0; done = 1 }
	{ print }' "$1" >"$1.tmp" && mv "$1.tmp" "$1"
}

# row_of FIXTURE TYPE KEYS ARGS: the manifest row
row_of() {
	local r
	for ((r = 0; r < NR; r++)); do
		[ "${R_FX[r]}|${R_TYPE[r]}|${R_N[r]}|${R_ARGS[r]}" = "$1|$2|$3|$4" ] && { echo "$r"; return; }
	done
	return 1
}

# ---- the harness itself
# hand_check DESC WANT(pass|fail) ROW: verify() on $T_TMP/hand
hand_check() {
	local desc=$1 want=$2 r=$3
	parse_slots "$r"
	verify "$r" "$T_TMP/hand"
	if [ "$want" = pass ] && [ ${#VER_ERR[@]} = 0 ]; then ok "harness: $desc: passes (${VER_OK[*]})"
	elif [ "$want" = fail ] && [ ${#VER_ERR[@]} != 0 ]; then ok "harness: $desc: caught (${VER_ERR[0]:0:160})"
	else not_ok "harness: $desc: $want expected" "${VER_ERR[@]:-no error found}"; fi
}
if r_ec=$(row_of cond-sim.c ecdsa-p256 1 "-U MCUBOOT_SIGN_KEY_2") &&
   r_rsa=$(row_of cond-sim.c rsa-2048 1 "-U MCUBOOT_SIGN_KEY_2") &&
   r_img=$(row_of cond-tfm.c rsa-2048 1 "-D MCUBOOT_IMAGE_NUMBER=2 --image 1") &&
   r_one=$(row_of cond-tfm.c rsa-2048 1 "-D MCUBOOT_IMAGE_NUMBER=1"); then
	# cond-sim.c's arrays: 1 RSA-2048, 2 RSA-3072, 3 P-256, 4 P-384, 5 and 6 Ed25519
	rm -rf "$T_TMP/hand" && cp -r "$(orig_dir cond-sim.c)" "$T_TMP/hand"
	splice "$T_TMP/hand/cond-sim.c" 3 "${KEYHEX[ecdsa-p256-1]}"
	hand_check "P-256 key in the P-256 array, by hand" pass "$r_ec"
	rm -rf "$T_TMP/hand" && cp -r "$(orig_dir cond-sim.c)" "$T_TMP/hand"
	splice "$T_TMP/hand/cond-sim.c" 4 "${KEYHEX[ecdsa-p256-1]}"
	hand_check "P-256 key in the P-384 array (issue 10)" fail "$r_ec"
	rm -rf "$T_TMP/hand" && cp -r "$(orig_dir cond-sim.c)" "$T_TMP/hand"
	splice "$T_TMP/hand/cond-sim.c" 1 "${KEYHEX[rsa-2048-1]}"
	splice "$T_TMP/hand/cond-sim.c" 2 "${KEYHEX[rsa-2048-2]}"
	hand_check "two RSA keys spread over the 2048 and 3072 arrays (issue 10)" fail "$r_rsa"
	rm -rf "$T_TMP/hand" && cp -r "$(orig_dir cond-tfm.c)" "$T_TMP/hand"
	splice "$T_TMP/hand/cond-tfm.c" 2 "${KEYHEX[rsa-2048-1]}" 8 1
	hand_check "image 1's key, by hand" pass "$r_img"
	rm -rf "$T_TMP/hand" && cp -r "$(orig_dir cond-tfm.c)" "$T_TMP/hand"
	splice "$T_TMP/hand/cond-tfm.c" 1 "${KEYHEX[rsa-2048-1]}" 8 1
	hand_check "image 0's key where image 1's is asked for" fail "$r_img"
	rm -rf "$T_TMP/hand" && cp -r "$(orig_dir cond-tfm.c)" "$T_TMP/hand"
	splice "$T_TMP/hand/cond-tfm.c" 2 "${KEYHEX[rsa-2048-1]}" 8 1
	sed -i 's/^const unsigned int rsa_pub_key_len_1 = 270;/const unsigned int rsa_pub_key_len_1 = 271;/' "$T_TMP/hand/cond-tfm.c"
	hand_check "a wrong length" fail "$r_img"
	# a slot shared with the two-image build: checked there too
	rm -rf "$T_TMP/hand" && cp -r "$(orig_dir cond-tfm.c)" "$T_TMP/hand"
	splice "$T_TMP/hand/cond-tfm.c" 1 "${KEYHEX[rsa-2048-1]}" 8 1
	hand_check "the one image's key, by hand (the two-image build shares it)" pass "$r_one"
	splice "$T_TMP/hand/cond-tfm.c" 2 "${KEYHEX[rsa-2048-2]}" 8 1
	hand_check "image 1's key changed too" fail "$r_one"
else
	not_ok "harness: the manifest rows the self-checks use are there"
fi

# ---- every row
WRONG=0
declare -A FX_SEEN
for ((r = 0; r < NR; r++)); do
	fx=${R_FX[r]} main=${R_FX[r]%%+*}
	FX_SEEN[$fx]=1
	failed_before=$T_FAILED
	t="$main ${R_TYPE[r]} x${R_N[r]}${R_ARGS[r]:+ ${R_ARGS[r]}}"
	[ "${R_ARGS[r]}" != - ] || t="$main ${R_TYPE[r]} x${R_N[r]}"
	W=$T_TMP/rows/$r/w
	mkdir -p "$W"
	for f in $(fx_files "$fx"); do cp "$F/$f" "$W/"; done
	keyargs=()
	for ((i = 1; i <= R_N[r]; i++)); do keyargs+=(-k "$K/${R_TYPE[r]}-$i.pem"); done
	pargs=()
	[ "${R_ARGS[r]}" = - ] || read -ra pargs <<<"${R_ARGS[r]}"
	nfiles=$(ls -A "$W" | wc -l)

	# untouched: every file as in the fixtures, nothing else in the directory
	untouched() {
		local f
		[ "$(ls -A "$W" | wc -l)" = "$nfiles" ] || return 1
		for f in $(fx_files "$fx"); do cmp -s "$W/$f" "$F/$f" || return 1; done
	}

	if [ "${R_EXP[r]}" = refuse ]; then
		want_rc=${R_DET[r]%% *} words=${R_DET[r]#* }
		for dry in --dry-run ''; do
			cd "$W" && run "$M" patch --keys-c "$main" "${keyargs[@]}" "${pargs[@]}" $dry
			cd "$T_TMP" || exit 1
			miss=
			IFS='|' read -ra ws <<<"$words"
			for w in "${ws[@]}"; do grep -qF -- "$w" "$T_TMP/err" || miss+="'$w' "; done
			if [ "$RC" = "$want_rc" ] && [ -z "$miss" ]; then
				ok "$t${dry:+ $dry}: refused (exit $RC, names ${words//|/, })"
			else
				not_ok "$t${dry:+ $dry}: refused (exit $want_rc, names ${words//|/, })" "exit $RC${miss:+, the message lacks $miss}" "stdout: $(head -c 600 "$T_TMP/out")" "stderr: $(head -c 600 "$T_TMP/err")"
			fi
			if untouched; then ok "$t${dry:+ $dry}: nothing written"; else
				not_ok "$t${dry:+ $dry}: nothing written" "$(ls -A "$W" | tr '\n' ' ')"; fi
		done
		[ "$T_FAILED" = "$failed_before" ] || WRONG=$((WRONG + 1))
		continue
	fi

	if ! parse_slots "$r"; then
		not_ok "$t: manifest: ${R_N[r]} keys for the slots '${R_DET[r]}'"
		WRONG=$((WRONG + 1))
		continue
	fi

	# --dry-run: exit 0, nothing written
	cd "$W" && run "$M" patch --keys-c "$main" "${keyargs[@]}" "${pargs[@]}" --dry-run
	cd "$T_TMP" || exit 1
	cp "$T_TMP/out" "$T_TMP/rows/$r/dry.out"
	if [ "$RC" = 0 ] && untouched; then ok "$t --dry-run: exit 0, nothing written"; else
		not_ok "$t --dry-run: exit 0, nothing written" "exit $RC" "stderr: $(head -c 800 "$T_TMP/err")" "files: $(ls -A "$W" | tr '\n' ' ')"
		WRONG=$((WRONG + 1))
		continue
	fi

	# patch: exit 0; exactly the row's files changed, the old ones as .bak
	cd "$W" && run "$M" patch --keys-c "$main" "${keyargs[@]}" "${pargs[@]}"
	cd "$T_TMP" || exit 1
	bad=
	[ "$RC" = 0 ] || bad+="exit $RC: $(head -c 800 "$T_TMP/err"); "
	for f in $(fx_files "$fx"); do
		if [[ " ${R_WR[r]//+/ } " = *" $f "* ]]; then
			cmp -s "$W/$f" "$F/$f" && bad+="$f unchanged; "
			cmp -s "$W/$f.bak" "$F/$f" || bad+="$f.bak is not the original; "
		else
			cmp -s "$W/$f" "$F/$f" || bad+="$f changed; "
			[ ! -e "$W/$f.bak" ] || bad+="$f.bak written; "
		fi
	done
	extra=$(cd "$W" && ls -A | grep -vxF -f <(fx_files "$fx"; fx_files "$fx" | sed 's/$/.bak/'))
	[ -z "$extra" ] || bad+="left behind: $extra; "
	if [ -z "$bad" ]; then ok "$t: exit 0, writes ${R_WR[r]} (the old one as .bak)"; else
		not_ok "$t: exit 0, writes ${R_WR[r]} (the old one as .bak)" "$bad"
		WRONG=$((WRONG + 1))
		continue
	fi

	# the --dry-run diff, applied to the original, is what was written
	P=$T_TMP/rows/$r/p
	mkdir -p "$P"
	for f in $(fx_files "$fx"); do cp "$F/$f" "$P/"; done
	sed -n '/^--- /,$p' "$T_TMP/rows/$r/dry.out" >"$T_TMP/rows/$r/dry.diff"
	strip=0
	grep -q '^--- a/' "$T_TMP/rows/$r/dry.diff" && strip=1
	bad=
	if [ ! -s "$T_TMP/rows/$r/dry.diff" ]; then bad="no diff in the --dry-run output"
	elif ! (cd "$P" && patch -s -f -p"$strip" --no-backup-if-mismatch -r /dev/null <"$T_TMP/rows/$r/dry.diff" >"$T_TMP/rows/$r/patch.log" 2>&1); then
		bad="patch(1) refused it: $(head -c 400 "$T_TMP/rows/$r/patch.log")"
	else
		for f in $(fx_files "$fx"); do cmp -s "$P/$f" "$W/$f" || bad+="$f: the diff gives another file; "; done
	fi
	if [ -z "$bad" ]; then ok "$t: --dry-run diff = what is written"; else not_ok "$t: --dry-run diff = what is written" "$bad"; fi

	# once more: nothing changes
	mkdir -p "$T_TMP/rows/$r/first"
	for f in $(fx_files "$fx"); do cp "$W/$f" "$T_TMP/rows/$r/first/"; done
	cd "$W" && run "$M" patch --keys-c "$main" "${keyargs[@]}" "${pargs[@]}"
	cd "$T_TMP" || exit 1
	bad=
	[ "$RC" = 0 ] || bad+="exit $RC: $(head -c 600 "$T_TMP/err"); "
	grep -q 'nothing to change' "$T_TMP/out" || bad+="does not say 'nothing to change': $(head -c 300 "$T_TMP/out"); "
	for f in $(fx_files "$fx"); do cmp -s "$W/$f" "$T_TMP/rows/$r/first/$f" || bad+="$f changed again; "; done
	if [ -z "$bad" ]; then ok "$t: again: nothing to change"; else not_ok "$t: again: nothing to change" "$bad"; fi

	# what a bootloader built with this configuration (and the others) trusts
	verify "$r" "$W"
	for v in "${VER_OK[@]}"; do ok "$t: $v"; done
	for v in "${VER_ERR[@]}"; do not_ok "$t: ${v%%: *}" "${v#*: }"; done
	[ "$T_FAILED" = "$failed_before" ] || WRONG=$((WRONG + 1))
done

summary="${#FX_SEEN[@]} fixtures x $NR configurations checked, $WRONG wrong outputs"
echo "# $summary"
if [ "$WRONG" = 0 ]; then ok "$summary"; else not_ok "$summary"; fi
done_testing
