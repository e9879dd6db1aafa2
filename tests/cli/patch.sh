#!/bin/bash
# patch: after `mcuprov patch`, the bootloader trusts exactly the given keys.
# Every patched keys.c is compiled for Cortex-M4 and the host and the key
# bytes are read back out of the object files.
. "$MCUPROV_SRCDIR/tests/lib.sh"
. "$MCUPROV_SRCDIR/tests/keysc-lib.sh"
need_vectors
need_cross
F=$KEYSC_FIXTURES

"$M" keygen -k rsa2048.pem -t rsa-2048 >/dev/null
"$M" keygen -k rsa3072.pem -t rsa-3072 >/dev/null
"$M" keygen -k rsa2048b.pem -t rsa-2048 >/dev/null
"$M" keygen -k p256.pem -t ecdsa-p256 >/dev/null
"$M" keygen -k p384.pem -t ecdsa-p384 >/dev/null
"$M" keygen -k ed.pem -t ed25519 >/dev/null
"$M" keygen -k ed2.pem -t ed25519 >/dev/null
"$M" keygen -k x.pem -t x25519 >/dev/null
for k in rsa2048 rsa3072 rsa2048b p256 p384 ed ed2 x; do "$M" getpub -k $k.pem -e raw >$k.der; done

# fresh DIR/keys.c from FIXTURE (no config files beside it)
fresh() { rm -rf "$1" && mkdir "$1" && cp "$F/$2" "$1/keys.c"; }

# compiled DESC FILE DEFINE ARRAY DER: both compilers, ARRAY == DER
compiled() {
	local desc=$1 file=$2 def=$3 arr=$4 der=$5 cc
	for cc in "$KEYSC_CC_ARM" "$KEYSC_CC_HOST"; do
		if keysc_compile "$cc" -D"$def" -- "$file" "$file.o" &&
		   keysc_check_key "$file.o" "$arr" "$der"; then
			ok "$desc (${cc%% *})"
		else
			not_ok "$desc (${cc%% *})" "$KEYSC_ERR"
		fi
	done
}

# ---- shape 1: every key type whose block the fixture has
for case in "inline-rsa-ec.c rsa2048 MCUBOOT_SIGN_RSA" "inline-rsa-ec.c rsa3072 MCUBOOT_SIGN_RSA" \
	    "inline-rsa-ec.c p256 MCUBOOT_SIGN_EC256" "inline-rsa-ec-ed25519.c ed MCUBOOT_SIGN_ED25519" \
	    "inline-rsa-ec-ed25519.c p256 MCUBOOT_SIGN_EC256" "inline-crlf-tabs.c p256 MCUBOOT_SIGN_EC256" \
	    "inline-crlf-tabs.c rsa2048 MCUBOOT_SIGN_RSA"; do
	set -- $case
	fx=$1 k=$2 def=$3 d=w-$1-$2
	fresh $d "$fx"
	run "$M" patch --keys-c $d/keys.c -k $k.pem
	check "patch $fx with $k: exit 0" 0 ''
	assert "patch $fx with $k: says so" grep -qx "patched '$d/keys.c' (the old one is '$d/keys.c.bak')" "$T_TMP/out"
	compiled "patch $fx with $k: the bootloader trusts the key" $d/keys.c "$def" root_pub_der $k.der
	assert "patch $fx with $k: backup is the original" cmp -s $d/keys.c.bak "$F/$fx"
	cp $d/keys.c $d/first.c
	run "$M" patch --keys-c $d/keys.c -k $k.pem
	check "patch $fx with $k again: exit 0" 0 ''
	assert "patch $fx with $k again: nothing to change" grep -qx "'$d/keys.c' already trusts these keys: nothing to change" "$T_TMP/out"
	assert "patch $fx with $k again: file unchanged" cmp -s $d/keys.c $d/first.c
	# only the key's block changed: the other blocks are byte for byte the same
	other=$( [ "$def" = MCUBOOT_SIGN_RSA ] && echo MCUBOOT_SIGN_EC256 || echo MCUBOOT_SIGN_RSA)
	keysc_compile "$KEYSC_CC_HOST" -D$other -- "$F/$fx" orig.o >/dev/null 2>&1
	keysc_compile "$KEYSC_CC_HOST" -D$other -- $d/keys.c new.o >/dev/null 2>&1
	elf_symbol_bytes orig.o root_pub_der a.bin && elf_symbol_bytes new.o root_pub_der b.bin
	assert "patch $fx with $k: the $other block is untouched" cmp -s a.bin b.bin
done

# style: CRLF everywhere, tabs, 8 bytes a line, comma after the last byte
d=w-inline-crlf-tabs.c-p256
assert "CRLF kept on every line" test "$(grep -c $'\r$' $d/keys.c)" = "$(wc -l <$d/keys.c)"
assert "tab indentation kept" grep -q $'^\t0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86,\r$' $d/keys.c
assert "trailing comma after the last byte kept" grep -q $'^\t0x[0-9a-f][0-9a-f], 0x[0-9a-f][0-9a-f], 0x[0-9a-f][0-9a-f],\r$' $d/keys.c
assert "the lines outside the array are unchanged" \
	cmp -s <(grep -v $'^\t0x' $d/keys.c | grep -v '_len = ') <(grep -v $'^\t0x' "$F/inline-crlf-tabs.c" | grep -v '_len = ')

# backups never replace an earlier one: keys.c.bak, then keys.c.bak.1
fresh bk inline-rsa-ec.c
"$M" patch --keys-c bk/keys.c -k rsa2048.pem >/dev/null 2>&1
cp bk/keys.c bk/step1.c
run "$M" patch --keys-c bk/keys.c -k rsa2048b.pem
check "a second patch: exit 0" 0 ''
assert "a second patch: says where the old one is" grep -qx "patched 'bk/keys.c' (the old one is 'bk/keys.c.bak.1')" "$T_TMP/out"
assert "a second patch: the first backup is still the original" cmp -s bk/keys.c.bak "$F/inline-rsa-ec.c"
assert "a second patch: the new backup is the first step's result" cmp -s bk/keys.c.bak.1 bk/step1.c

# dry run
fresh dry inline-rsa-ec.c
run "$M" patch --keys-c dry/keys.c -k rsa3072.pem --dry-run
check "--dry-run: exit 0" 0 ''
assert "--dry-run: file untouched" cmp -s dry/keys.c "$F/inline-rsa-ec.c"
assert "--dry-run: no backup" test ! -e dry/keys.c.bak
assert "--dry-run: shows the unified diff" grep -qx -- "--- a/dry/keys.c" "$T_TMP/out"
assert "--dry-run: diff removes the old length" grep -qx -- "-const unsigned int root_pub_der_len = 270;" "$T_TMP/out"
assert "--dry-run: diff adds the new length" grep -qx -- "+const unsigned int root_pub_der_len = 398;" "$T_TMP/out"
assert "--dry-run: says so" grep -qx "dry run: 'dry/keys.c' left unchanged" "$T_TMP/out"
run "$M" patch --keys-c dry/keys.c -k rsa3072.pem -n
assert "-n is --dry-run" cmp -s dry/keys.c "$F/inline-rsa-ec.c"

# several keys in one block
fresh multi inline-multi.c
run "$M" patch --keys-c multi/keys.c -k rsa2048.pem -k rsa2048b.pem
check "inline-multi with two keys: exit 0" 0 ''
compiled "inline-multi: first key" multi/keys.c MCUBOOT_SIGN_RSA root_pub_der rsa2048.der
compiled "inline-multi: second key" multi/keys.c MCUBOOT_SIGN_RSA root_pub_der_1 rsa2048b.der

# ---- another number of keys than the block has arrays
"$M" keygen -k rsa2048c.pem -t rsa-2048 >/dev/null
"$M" keygen -k p256b.pem -t ecdsa-p256 >/dev/null
"$M" keygen -k p256c.pem -t ecdsa-p256 >/dev/null
"$M" keygen -k ed3.pem -t ed25519 >/dev/null
for k in rsa2048c p256b p256c ed3; do "$M" getpub -k $k.pem -e raw >$k.der; done
for k in root-rsa-2048 root-ec-p256; do "$M" getpub -k "$V/keys/$k.pem" -e raw >$k.der 2>/dev/null; done

# c_bytes DER PER INDENT x|X COMMA: DER's bytes as initializer lines, PER a
# line after INDENT, lower or upper case hex, COMMA 1: one after the last
c_bytes() {
	od -An -v -tx1 "$1" | tr -s ' ' '\n' | sed '/^$/d' |
		awk -v per="$2" -v ind="$3" -v up="$4" -v comma="$5" '
		{ b[n++] = $1 }
		END {
			for (i = 0; i < n; i++) {
				s = (i % per == 0 ? ind : s " ") "0x" (up == "X" ? toupper(b[i]) : b[i])
				if (i + 1 < n || comma) s = s ","
				if ((i + 1) % per == 0 || i + 1 == n) { print s; s = "" }
			}
		}'
}

# trusts DESC FILE DEFINE ARRAY=KEY...: compiled by both compilers, each
# ARRAY holds KEY.der and its _len their number, bootutil_keys[] points to
# exactly these arrays (and _len) in this order, bootutil_key_cnt counts them
trusts() {
	local desc=$1 file=$2 def=$3 cc spec bad
	local -a arrs=()
	shift 3
	for spec in "$@"; do arrs+=("${spec%%=*}"); done
	for cc in "$KEYSC_CC_ARM" "$KEYSC_CC_HOST"; do
		bad=
		if ! keysc_compile "$cc" -D"$def" -- "$file" "$file.o"; then
			bad=$KEYSC_ERR
		else
			for spec in "$@"; do
				keysc_check_key "$file.o" "${spec%%=*}" "${spec#*=}.der" || { bad=$KEYSC_ERR; break; }
			done
			[ -n "$bad" ] || keysc_check_list "$file.o" "${arrs[@]}" || bad=$KEYSC_ERR
		fi
		if [ -z "$bad" ]; then ok "$desc (${cc%% *})"; else not_ok "$desc (${cc%% *})" "$bad"; fi
	done
}

# again DESC FILE KEY-ARGS...: the same keys once more change nothing
again() {
	local desc=$1 f=$2
	shift 2
	cp "$f" "$f.first"
	run "$M" patch --keys-c "$f" "$@"
	if [ "$RC" = 0 ] && grep -qx "'$f' already trusts these keys: nothing to change" "$T_TMP/out" &&
	   cmp -s "$f" "$f.first"; then
		ok "$desc"
	else
		not_ok "$desc" "rc=$RC" "$(cat "$T_TMP/err")"
	fi
}

# 1 -> 2: inline-noec.c (RSA block, multi-line entries, bootutil_key_cnt = 1)
fresh g1 inline-noec.c
run "$M" patch --keys-c g1/keys.c -k rsa2048.pem -k rsa2048b.pem
check "1 -> 2 keys: exit 0" 0 ''
assert "1 -> 2 keys: says so" grep -qx "patched 'g1/keys.c' (the old one is 'g1/keys.c.bak')" "$T_TMP/out"
trusts "1 -> 2 keys: the bootloader trusts both, in order" g1/keys.c MCUBOOT_SIGN_RSA \
	root_pub_der=rsa2048 root_pub_der_1=rsa2048b
fresh g1one inline-noec.c
"$M" patch --keys-c g1one/keys.c -k rsa2048.pem >/dev/null
{
	sed -n '1,/^const unsigned int root_pub_der_len/p' g1one/keys.c
	printf '\nconst unsigned char root_pub_der_1[] = {\n'
	c_bytes rsa2048b.der 12 '    ' x 0
	printf '};\nconst unsigned int root_pub_der_1_len = 270;\n'
	sed -n '/^#else/,/^    },/p' g1one/keys.c
	printf '    {\n        .key = root_pub_der_1,\n        .len = &root_pub_der_1_len,\n    },\n};\n'
	printf 'const int bootutil_key_cnt = 2;\n'
} >g1.want
assert "1 -> 2 keys: root_pub_der_1 after root_pub_der_len in its style, an entry like the first, the count 2" \
	cmp -s g1/keys.c g1.want
again "1 -> 2 keys, again: nothing to change" g1/keys.c -k rsa2048.pem -k rsa2048b.pem
run "$M" patch --keys-c g1/keys.c -k rsa2048.pem
check "2 -> 1 key: exit 0" 0 ''
assert "2 -> 1 key: the file of one key again, byte for byte" cmp -s g1/keys.c g1one/keys.c

# 2 -> 3 -> 1: inline-multi.c (root_pub_der_1 already: the numbering goes on)
fresh g2 inline-multi.c
run "$M" patch --keys-c g2/keys.c -k rsa2048.pem -k rsa2048b.pem -k rsa2048c.pem
check "2 -> 3 keys: exit 0" 0 ''
trusts "2 -> 3 keys: the bootloader trusts the three, in order" g2/keys.c MCUBOOT_SIGN_RSA \
	root_pub_der=rsa2048 root_pub_der_1=rsa2048b root_pub_der_2=rsa2048c
assert "2 -> 3 keys: the third array is root_pub_der_2, the count 3" test \
	"$(grep -c -e '^const unsigned int root_pub_der_2_len = 270;$' -e '^        .key = root_pub_der_2,$' \
		-e '^const int bootutil_key_cnt = 3;$' g2/keys.c)" = 3
again "2 -> 3 keys, again: nothing to change" g2/keys.c -k rsa2048.pem -k rsa2048b.pem -k rsa2048c.pem
run "$M" patch --keys-c g2/keys.c -k rsa2048.pem
check "3 -> 1 key: exit 0" 0 ''
trusts "3 -> 1 key: the bootloader trusts the first key only" g2/keys.c MCUBOOT_SIGN_RSA root_pub_der=rsa2048
fresh g2two inline-multi.c
"$M" patch --keys-c g2two/keys.c -k rsa2048.pem -k rsa2048b.pem >/dev/null
a=$(grep -n '^const unsigned char root_pub_der_1\[\]' g2two/keys.c | cut -d: -f1)
b=$(grep -n '^const unsigned int root_pub_der_1_len' g2two/keys.c | cut -d: -f1)
e=$(grep -n '^        .key = root_pub_der_1,' g2two/keys.c | cut -d: -f1)
sed -e "$((a - 1)),${b}d" -e "$((e - 1)),$((e + 2))d" -e 's/^const int bootutil_key_cnt = 2;$/const int bootutil_key_cnt = 1;/' \
	g2two/keys.c >g2.want
assert "3 -> 1 key: exactly the other arrays' lines (and the blank lines above), their entries gone, the count 1" \
	cmp -s g2/keys.c g2.want
again "3 -> 1 key, again: nothing to change" g2/keys.c -k rsa2048.pem

# `[0] = { ... }` entries, as MCUboot's documentation writes the list: a new
# entry gets the next index, removing it gives the original file back
fresh gd inline-designated.c
run "$M" patch --keys-c gd/keys.c -k p256.pem -k p256b.pem
check "designated entries, 1 -> 2 keys: exit 0" 0 ''
trusts "designated entries, 1 -> 2 keys: both trusted" gd/keys.c MCUBOOT_SIGN_EC256 \
	image_sign_pub_der=p256 image_sign_pub_der_1=p256b
assert "designated entries: the new entry is [1]" test \
	"$(sed -n '/^const struct bootutil_key/,/^};/p' gd/keys.c | grep -c '^    \[[01]\] = {$')" = 2
again "designated entries, again: nothing to change" gd/keys.c -k p256.pem -k p256b.pem
run "$M" patch --keys-c gd/keys.c -k "$V/keys/root-ec-p256.pem" --allow-dev-key
check "designated entries, 2 -> 1 key: exit 0" 0 '*'
assert "designated entries, 2 -> 1: the original file again" cmp -s gd/keys.c "$F/inline-designated.c"
mkdir -p gdbad && sed 's/\[0\] = {/[1] = {/' "$F/inline-designated.c" >gdbad/keys.c
cp gdbad/keys.c gdbad/keys.c.orig
run "$M" patch --keys-c gdbad/keys.c -k p256.pem -k p256b.pem
check "a designator out of order: refused" 1 "mcuprov: patch: 'gdbad/keys.c': its MCUBOOT_SIGN_EC256 block holds 1 key array (image_sign_pub_der) but 2 keys were given: line 24: bootutil_keys[] holds more than { .key = NAME, .len = &NAME_len } entries (each perhaps [N] =, N its position) and preprocessor lines"
assert "a designator out of order: the file unchanged" cmp -s gdbad/keys.c gdbad/keys.c.orig

# positional entries `{ x, &x_len }` without a comma after the last, the
# list and a numeric count inside the block, 16 upper-case bytes a line
fresh g3 inline-positional.c
run "$M" patch --keys-c g3/keys.c -k p256.pem -k p256b.pem
check "positional entries, 1 -> 2 keys: exit 0" 0 ''
trusts "positional entries, 1 -> 2 keys: both trusted" g3/keys.c MCUBOOT_SIGN_EC256 ec_pub_key=p256 ec_pub_key_1=p256b
fresh g3one inline-positional.c
"$M" patch --keys-c g3one/keys.c -k p256.pem >/dev/null
assert "upper-case hex kept (the first byte, 0x30, has no letter)" cmp -s \
	<(sed -n '/^const unsigned char ec_pub_key\[\]/,/^};/p' g3one/keys.c) \
	<(echo 'const unsigned char ec_pub_key[] = {'; c_bytes p256.der 16 '    ' X 0; echo '};')
{
	sed -n '1,/^const unsigned int ec_pub_key_len/p' g3one/keys.c
	printf '\nconst unsigned char ec_pub_key_1[] = {\n'
	c_bytes p256b.der 16 '    ' X 0
	printf '};\nconst unsigned int ec_pub_key_1_len = 91;\n'
	sed -n '/^const unsigned int ec_pub_key_len/,$p' g3one/keys.c | tail -n +2 |
		sed -e 's/^    { ec_pub_key, &ec_pub_key_len }$/    { ec_pub_key, \&ec_pub_key_len },\n    { ec_pub_key_1, \&ec_pub_key_1_len }/' \
			-e 's/^const int bootutil_key_cnt = 1;$/const int bootutil_key_cnt = 2;/'
} >g3.want
assert "positional entries, 1 -> 2 keys: ec_pub_key_1 in the file's style, a comma after the old last entry, none after the new" \
	cmp -s g3/keys.c g3.want
run "$M" patch --keys-c g3/keys.c -k p256.pem -k p256b.pem -k p256c.pem
check "positional entries, 2 -> 3 keys: exit 0" 0 ''
trusts "positional entries, 2 -> 3 keys: the three trusted" g3/keys.c MCUBOOT_SIGN_EC256 \
	ec_pub_key=p256 ec_pub_key_1=p256b ec_pub_key_2=p256c
again "positional entries, 2 -> 3 keys, again: nothing to change" g3/keys.c -k p256.pem -k p256b.pem -k p256c.pem
run "$M" patch --keys-c g3/keys.c -k p256.pem
check "positional entries, 3 -> 1 key: exit 0" 0 ''
assert "positional entries, 3 -> 1 key: the file of one key again, the comma after the entry gone too" \
	cmp -s g3/keys.c g3one/keys.c

# a bare-metal port: no #if, tabs, one-line entries `{ .key = x, .len = &x_len },`
fresh g4 inline-bare.c
run "$M" patch --keys-c g4/keys.c -k ed.pem -k ed2.pem -k ed3.pem
check "no #if, one-line entries, 2 -> 3 keys: exit 0" 0 ''
trusts "no #if, one-line entries, 2 -> 3 keys: the three trusted" g4/keys.c MCUBOOT_SIGN_ED25519 \
	key_ed25519=ed key_ed25519_1=ed2 key_ed25519_2=ed3
assert "no #if: the new array tab-indented, 8 bytes a line, a comma after the last" cmp -s \
	<(sed -n '/^const unsigned char key_ed25519_2\[\]/,/^};/p' g4/keys.c) \
	<(echo 'const unsigned char key_ed25519_2[] = {'; c_bytes ed3.der 8 $'\t' x 1; echo '};')
assert "no #if: the new entry on one line, as the others" grep -qx $'\t{ .key = key_ed25519_2, .len = &key_ed25519_2_len },' g4/keys.c
run "$M" patch --keys-c g4/keys.c -k ed.pem
check "no #if, 3 -> 1 key: exit 0" 0 ''
trusts "no #if, 3 -> 1 key: only the first trusted" g4/keys.c MCUBOOT_SIGN_ED25519 key_ed25519=ed
fresh g4two inline-bare.c
"$M" patch --keys-c g4two/keys.c -k ed.pem -k ed2.pem >/dev/null
a=$(grep -n '^const unsigned char key_ed25519_1\[\]' g4two/keys.c | cut -d: -f1)
b=$(grep -n '^const unsigned int key_ed25519_1_len' g4two/keys.c | cut -d: -f1)
sed -e "$((a - 1)),${b}d" -e '/\.key = key_ed25519_1,/d' -e 's/^const int bootutil_key_cnt = 2;$/const int bootutil_key_cnt = 1;/' \
	g4two/keys.c >g4.want
assert "no #if, 3 -> 1 key: exactly the other arrays and entries gone, the count 1" cmp -s g4/keys.c g4.want

# CRLF, tabs, and one list for the RSA and EC256 blocks: the new entry goes
# under #if defined(MCUBOOT_SIGN_EC256), the sizeof count stays
fresh g5 inline-crlf-tabs.c
run "$M" patch --keys-c g5/keys.c -k p256.pem -k p256b.pem
check "CRLF, a list shared by two blocks, 1 -> 2 keys: exit 0" 0 ''
trusts "shared list, 1 -> 2 keys: an EC256 build trusts both" g5/keys.c MCUBOOT_SIGN_EC256 \
	root_pub_der=p256 root_pub_der_1=p256b
trusts "shared list, 1 -> 2 keys: an RSA build still trusts its one key" g5/keys.c MCUBOOT_SIGN_RSA \
	root_pub_der=root-rsa-2048
assert "CRLF: on every line, the new ones too" test "$(grep -c $'\r$' g5/keys.c)" = "$(wc -l <g5/keys.c)"
assert "CRLF: the new array tab-indented, 8 bytes a line, a comma after the last" cmp -s \
	<(sed -n '/^const unsigned char root_pub_der_1\[\]/,/^};/p' g5/keys.c) \
	<({ echo 'const unsigned char root_pub_der_1[] = {'; c_bytes p256b.der 8 $'\t' x 1; echo '};'; } | sed 's/$/\r/')
assert "shared list: the new entry under #if defined(MCUBOOT_SIGN_EC256); the sizeof count unchanged" cmp -s \
	<(sed -n '/^const struct bootutil_key bootutil_keys/,$p' g5/keys.c) \
	<(printf '%s\r\n' 'const struct bootutil_key bootutil_keys[] = {' $'\t{' $'\t\t.key = root_pub_der,' \
		$'\t\t.len = &root_pub_der_len,' $'\t},' '#if defined(MCUBOOT_SIGN_EC256)' $'\t{' \
		$'\t\t.key = root_pub_der_1,' $'\t\t.len = &root_pub_der_1_len,' $'\t},' '#endif' '};' \
		'const int bootutil_key_cnt = sizeof(bootutil_keys) / sizeof(bootutil_keys[0]);')
again "shared list, again: nothing to change" g5/keys.c -k p256.pem -k p256b.pem
fresh g5one inline-crlf-tabs.c
"$M" patch --keys-c g5one/keys.c -k p256.pem >/dev/null
run "$M" patch --keys-c g5/keys.c -k p256.pem
check "shared list, 2 -> 1 key: exit 0" 0 ''
assert "shared list, 2 -> 1 key: the file of one key again (the #if gone with its entry)" cmp -s g5/keys.c g5one/keys.c

# three blocks, one list: the ED25519 block gets two more keys, the others
# keep theirs
fresh g6 inline-rsa-ec-ed25519.c
run "$M" patch --keys-c g6/keys.c -k ed.pem -k ed2.pem -k ed3.pem
check "three blocks, ED25519 1 -> 3 keys: exit 0" 0 ''
trusts "three blocks: an ED25519 build trusts the three" g6/keys.c MCUBOOT_SIGN_ED25519 \
	root_pub_der=ed root_pub_der_1=ed2 root_pub_der_2=ed3
trusts "three blocks: an RSA build its one key" g6/keys.c MCUBOOT_SIGN_RSA root_pub_der=root-rsa-2048
trusts "three blocks: an EC256 build its one key" g6/keys.c MCUBOOT_SIGN_EC256 root_pub_der=root-ec-p256

# a keys.c rendered from inline-multi: its key comments follow
"$M" render -t inline-multi -k ed.pem >r1.c
"$M" render -t inline-multi -k ed.pem -k ed2.pem >r12.c
"$M" render -t inline-multi -k ed.pem -k ed2.pem -k ed3.pem >r123.c
"$M" render -t inline-multi -k ed2.pem -k ed.pem >r21.c
"$M" render -t inline-multi -k ed2.pem >r2.c
cp r1.c rr.c
"$M" patch --keys-c rr.c -k ed.pem -k ed2.pem >/dev/null
assert "rendered, 1 -> 2 keys: = rendered with both (key comment included)" cmp -s rr.c r12.c
"$M" patch --keys-c rr.c -k ed.pem -k ed2.pem -k ed3.pem >/dev/null
assert "rendered, 2 -> 3 keys: = rendered with the three" cmp -s rr.c r123.c
"$M" patch --keys-c rr.c -k ed.pem >/dev/null
assert "rendered, 3 -> 1 key: = rendered with one (key comments gone with their arrays)" cmp -s rr.c r1.c
cp r1.c rr.c
"$M" patch --keys-c rr.c -k ed2.pem -k ed.pem >/dev/null
assert "rendered, a rotation's add: = rendered with the new key first (the first comment follows its key)" cmp -s rr.c r21.c
"$M" patch --keys-c rr.c -k ed2.pem >/dev/null
assert "rendered, the rotation's retire: = rendered with the new key" cmp -s rr.c r2.c

# ---- refusals (exact message, nothing written)
refuse() { # DESC EXPECTED_RC EXPECTED_STDERR FIXTURE|PATH PATCH-ARGS...
	local desc=$1 rc=$2 msg=$3 fx=$4
	shift 4
	case $fx in */*) ;; *) fx=$F/$fx ;; esac
	rm -rf r && mkdir r && cp "$fx" r/keys.c
	run "$M" patch --keys-c r/keys.c "$@"
	check "$desc" "$rc" "$msg"
	assert "$desc: keys.c untouched, no backup" sh -c "cmp -s r/keys.c '$fx' && [ ! -e r/keys.c.bak ]"
}
refuse "length disagreeing with the array" 1 "mcuprov: patch: 'r/keys.c': line 20: array 'root_pub_der' has 91 bytes but root_pub_der_len says 90" inline-badlen.c -k p256.pem
refuse "no block for the key's type" 1 "mcuprov: patch: 'r/keys.c': has no block for ecdsa-p256 keys (#if defined(MCUBOOT_SIGN_EC256)); it has blocks for: MCUBOOT_SIGN_RSA" inline-noec.c -k p256.pem
refuse "no block for ed25519" 1 "mcuprov: patch: 'r/keys.c': has no block for ed25519 keys (#if defined(MCUBOOT_SIGN_ED25519)); it has blocks for: MCUBOOT_SIGN_RSA, MCUBOOT_SIGN_EC256" inline-rsa-ec.c -k ed.pem
refuse "no block for P-384" 1 "mcuprov: patch: 'r/keys.c': has no block for ecdsa-p384 keys (#if defined(MCUBOOT_SIGN_EC384)); it has blocks for: MCUBOOT_SIGN_RSA, MCUBOOT_SIGN_EC256" inline-rsa-ec.c -k p384.pem
# no false message (issue 10): an unrelated file with a byte array is not
# said to have none; a block the configuration turns off is not said to be
# missing
refuse "an unrelated file" 1 "mcuprov: patch: 'r/keys.c': has byte arrays ('crc16_seed', line 15) but no signing key: none is in an #if on MCUBOOT_SIGN_*, named in bootutil_keys[] or named and sized like a key (NAME_pub_key with NAME_pub_key_len)" unknown.c -k p256.pem
refuse "the key type's block turned off by -U" 1 "mcuprov: patch: 'r/keys.c': line 47: its MCUBOOT_SIGN_EC256 block is not compiled under this configuration (see the 'assuming' line: -D and -U change it)" inline-rsa-ec.c -k p256.pem -U MCUBOOT_SIGN_EC256
mkdir -p v
printf '/* no arrays at all */\nint crc16(int x) { return x; }\n' >v/none.c
refuse "no byte array at all" 1 "mcuprov: patch: 'r/keys.c': matches no known keys.c shape: no inline key array (const unsigned char NAME[] = {...}) and no extern ..._pub_key[] declaration" v/none.c -k p256.pem
# another number of keys where the change is not certain
H2="mcuprov: patch: 'r/keys.c': its MCUBOOT_SIGN_RSA block holds 2 key arrays (root_pub_der, ...) but 1 key was given"
refuse "two keys, no bootutil_keys[] in the file" 1 "mcuprov: patch: 'r/keys.c': its MCUBOOT_SIGN_ED25519 block holds 1 key array (root_pub_der) but 2 keys were given: no bootutil_keys[] list names its arrays (use 'mcuprov render --template inline-multi' for a keys.c with one)" inline-nolist.c -k ed.pem -k ed2.pem
fresh nl inline-nolist.c
run "$M" patch --keys-c nl/keys.c -k ed.pem
check "no bootutil_keys[], one key: exit 0" 0 ''
compiled "no bootutil_keys[], one key: patched" nl/keys.c MCUBOOT_SIGN_ED25519 root_pub_der ed.der
mkdir v
sed 's|sizeof(bootutil_keys) / sizeof(bootutil_keys\[0\])|1|' "$F/inline-rsa-ec.c" >v/shared-cnt.c
refuse "a numeric count the other blocks share" 1 "mcuprov: patch: 'r/keys.c': its MCUBOOT_SIGN_EC256 block holds 1 key array (root_pub_der) but 2 keys were given: line 68: bootutil_key_cnt = 1 counts the keys of the MCUBOOT_SIGN_RSA block too (write sizeof(bootutil_keys) / sizeof(bootutil_keys[0]) instead)" v/shared-cnt.c -k p256.pem -k p256b.pem
{ cat "$F/inline-multi.c"; echo 'const unsigned char *const spare_key = root_pub_der_1;'; } >v/used.c
refuse "the array to remove is used elsewhere" 1 "$H2: 'root_pub_der_1' is also used at line 93" v/used.c -k rsa2048.pem
{ cat "$F/inline-multi.c"; echo '#define SPARE_LEN root_pub_der_1_len'; } >v/used-pp.c
refuse "its _len is used by a macro" 1 "$H2: 'root_pub_der_1_len' is also used at line 93" v/used-pp.c -k rsa2048.pem
sed 's/\.key = root_pub_der_1,/.key = (const unsigned char *)root_pub_der_1,/' "$F/inline-multi.c" >v/cast.c
refuse "an entry it cannot read" 1 "mcuprov: patch: 'r/keys.c': line 87: cannot read this bootutil_keys[] entry (not { .key = NAME, .len = &NAME_len } or { NAME, &NAME_len })" v/cast.c -k rsa2048.pem
sed '/^    {$/{N;N;N;s/^    {\n        \.key = root_pub_der_1,\n.*/    KEY_ENTRY(root_pub_der_1),/}' "$F/inline-multi.c" >v/macro.c
refuse "a macro in the list" 1 "mcuprov: patch: 'r/keys.c': line 87: bootutil_keys[] holds more than { .key = NAME, .len = &NAME_len } entries and preprocessor lines: which keys it lists cannot be told" v/macro.c -k rsa2048.pem
sed 's/\.len = &root_pub_der_1_len/.len = \&root_pub_der_len/' "$F/inline-multi.c" >v/len.c
refuse "an entry with another array's length" 1 "mcuprov: patch: 'r/keys.c': line 87: the bootutil_keys[] entry for 'root_pub_der_1' takes its length from 'root_pub_der_len'" v/len.c -k rsa2048.pem
sed -e 's/\.key = root_pub_der,/.key = @,/' -e 's/\.len = &root_pub_der_len,/.len = \&@_len,/' \
	-e 's/\.key = root_pub_der_1,/.key = root_pub_der,/' -e 's/\.len = &root_pub_der_1_len,/.len = \&root_pub_der_len,/' \
	-e 's/@/root_pub_der_1/' "$F/inline-multi.c" >v/order.c
refuse "entries in another order than the arrays" 1 "$H2: line 83: bootutil_keys[] lists 'root_pub_der_1' where 'root_pub_der' is expected (the entries must follow the order of the arrays)" v/order.c -k rsa2048.pem
sed 's/bootutil_key_cnt = 2;/bootutil_key_cnt = 3;/' "$F/inline-multi.c" >v/cnt3.c
refuse "a count that disagrees with the list" 1 "mcuprov: patch: 'r/keys.c': line 92: bootutil_key_cnt is 3 but bootutil_keys[] (line 82) lists 2 keys under this configuration: the bootloader would read past the list" v/cnt3.c -k rsa2048.pem
sed 's/bootutil_key_cnt = 2;/bootutil_key_cnt = KEY_COUNT;/' "$F/inline-multi.c" >v/cntx.c
refuse "a count that is neither a number nor sizeof" 1 "$H2: line 92: bootutil_key_cnt is neither a number nor sizeof(bootutil_keys) / sizeof(bootutil_keys[0])" v/cntx.c -k rsa2048.pem
sed '/bootutil_key_cnt/d' "$F/inline-multi.c" >v/nocnt.c
refuse "no count" 1 "$H2: it defines no bootutil_key_cnt to count them" v/nocnt.c -k rsa2048.pem
# both blocks have a root_pub_der_1, one unconditional entry names them
awk '/^const unsigned char root_pub_der\[\]/ { grab = 1 }
	grab { buf = buf $0 "\n" }
	{ print }
	/^const unsigned int root_pub_der_len/ { grab = 0; gsub(/root_pub_der/, "root_pub_der_1", buf); printf "%s", buf; buf = "" }
	/^    },$/ && !done { printf "    {\n        .key = root_pub_der_1,\n        .len = &root_pub_der_1_len,\n    },\n"; done = 1 }' \
	"$F/inline-rsa-ec.c" >v/shared-entry.c
refuse "an entry the other block uses too" 1 "mcuprov: patch: 'r/keys.c': its MCUBOOT_SIGN_EC256 block holds 2 key arrays (root_pub_der, ...) but 1 key was given: line 104: the bootutil_keys[] entry for 'root_pub_der_1' also serves the MCUBOOT_SIGN_RSA block" v/shared-entry.c -k p256.pem
awk '/^const struct bootutil_key bootutil_keys/ { print "const struct bootutil_key bootutil_keys[] = { { root_pub_der, &root_pub_der_len } };"; skip = 1; next }
	skip && /^};/ { skip = 0; next } !skip' "$F/inline-rsa-ec.c" >v/oneline.c
refuse "a shared list on one line: no room for an #if" 1 "mcuprov: patch: 'r/keys.c': its MCUBOOT_SIGN_EC256 block holds 1 key array (root_pub_der) but 2 keys were given: bootutil_keys[] (line 62) also serves the MCUBOOT_SIGN_RSA block and its entries share lines: no room for an #if defined(MCUBOOT_SIGN_EC256) around the new ones" v/oneline.c -k p256.pem -k p256b.pem
refuse "keys of two types" 1 "mcuprov: patch: 'rsa2048.pem': is rsa-2048 but 'p256.pem' is ecdsa-p256: one bootloader verifies one signature type" inline-rsa-ec.c -k p256.pem -k rsa2048.pem
refuse "an encryption key as signing key" 1 "mcuprov: patch: 'x.pem': x25519 keys cannot sign (use --enc-key for an encryption key)" inline-rsa-ec.c -k x.pem
cp "$V/keys/root-ec-p256.pem" dev.pem && chmod 600 dev.pem
refuse "a published development key" 1 "mcuprov: warning: 'dev.pem' is MCUboot's published development key root-ec-p256.pem: its private half is public, anyone can sign images it accepts; never ship it
mcuprov: patch: 'dev.pem': is MCUboot's published development key root-ec-p256.pem: a bootloader trusting it boots anybody's images (use --allow-dev-key for a development build)" inline-rsa-ec.c -k dev.pem
fresh devok inline-rsa-ec.c
run "$M" patch --keys-c devok/keys.c -k dev.pem --allow-dev-key
check_last "--allow-dev-key accepts it (with the warning)" 0 "mcuprov: warning: 'dev.pem' is MCUboot's published development key root-ec-p256.pem: its private half is public, anyone can sign images it accepts; never ship it"

# consistency with the bootloader's configuration beside keys.c
fresh cfg inline-rsa-ec.c
printf '#define MCUBOOT_SIGN_RSA\n#define MCUBOOT_SIGN_RSA_LEN 2048\n' >cfg/mcuboot_config.h
run "$M" patch --keys-c cfg/keys.c -k p256.pem
check "key type vs mcuboot_config.h" 1 "mcuprov: patch: 'cfg/keys.c': the key is ecdsa-p256 but the bootloader is configured for another signature type (cfg/mcuboot_config.h:1: #define MCUBOOT_SIGN_RSA)"
run "$M" patch --keys-c cfg/keys.c -k rsa3072.pem
check "RSA length vs MCUBOOT_SIGN_RSA_LEN" 1 "mcuprov: patch: 'cfg/keys.c': the key is rsa-3072 but the bootloader expects RSA-2048 (cfg/mcuboot_config.h:2: #define MCUBOOT_SIGN_RSA_LEN 2048)"
mkdir elsewhere && printf 'CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y\n' >elsewhere/prj.conf
run "$M" patch --keys-c cfg/keys.c -k rsa2048.pem --config elsewhere/prj.conf
check "--config FILE is checked too" 1 "mcuprov: patch: 'cfg/keys.c': the key is rsa-2048 but the bootloader is configured for another signature type (elsewhere/prj.conf:1: CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y)"
fresh cnt inline-multi.c
printf '#define MCUBOOT_SIGN_RSA\n#define MCUBOOT_SIGN_KEY_COUNT 1\n' >cnt/mcuboot_config.h
run "$M" patch --keys-c cnt/keys.c -k rsa2048.pem -k rsa2048b.pem
check "number of keys vs MCUBOOT_SIGN_KEY_COUNT" 1 "mcuprov: patch: 'cnt/keys.c': 2 keys given but the bootloader counts 1 (cnt/mcuboot_config.h:2: #define MCUBOOT_SIGN_KEY_COUNT 1)"
assert "config refusals leave keys.c untouched" cmp -s cfg/keys.c "$F/inline-rsa-ec.c"

# ---- shapes 2 and 3: no bytes in keys.c
fresh gen generated.c
run "$M" patch --keys-c gen/keys.c -k ed.pem
check "generated shape without --emit-key-file" 1 "mcuprov: patch: 'gen/keys.c': this keys.c holds no key bytes; it takes them from CONFIG_BOOT_SIGNATURE_KEY_FILE: use 'mcuprov patch --conf FRAGMENT' (or --emit-key-file OUT for the generated file)"
assert "the shape is named" grep -qx "'gen/keys.c': generated key file (2018-2026 keys.c)" "$T_TMP/out"
run "$M" patch --keys-c gen/keys.c -k ed.pem --emit-key-file gen/ed25519_pub_key.c
check "--emit-key-file: exit 0" 0 ''
"$M" getpub -k ed.pem >want.c
assert "--emit-key-file equals getpub's output" cmp -s gen/ed25519_pub_key.c want.c
compiled "generated key file compiles to the key" gen/ed25519_pub_key.c MCUBOOT_SIGN_ED25519 ed25519_pub_key ed.der
for cc in "$KEYSC_CC_ARM" "$KEYSC_CC_HOST"; do
	if keysc_compile "$cc" -DMCUBOOT_SIGN_ED25519 -- gen/keys.c gen/keys.o; then ok "generated keys.c compiles (${cc%% *})"; else not_ok "generated keys.c compiles (${cc%% *})" "$KEYSC_ERR"; fi
done
fresh m26 multi-2026.c
run "$M" patch --keys-c m26/keys.c -k ed.pem -k ed2.pem --emit-key-file m26/keys-gen.c
check "2026 shape: two keys emitted" 0 ''
assert "2026 shape: named as such" grep -qx "'m26/keys.c': several generated keys (2026 keys.c)" "$T_TMP/out"
compiled "2026 shape: first key" m26/keys-gen.c MCUBOOT_SIGN_ED25519 ed25519_pub_key ed.der
compiled "2026 shape: second key" m26/keys-gen.c MCUBOOT_SIGN_ED25519 ed25519_pub_key_1 ed2.der
run "$M" patch --keys-c gen/keys.c -k ed.pem -k ed2.pem --emit-key-file x.c
check "two keys for a one-key generation" 1 "mcuprov: patch: 'gen/keys.c': takes one key; 2 keys need MCUboot 2026 or later (MCUBOOT_SIGN_KEY_COUNT)"

# ---- Kconfig fragment
mkdir conf && cp "$F/mcuboot.conf" conf/mcuboot.conf
run "$M" patch --conf conf/mcuboot.conf -k ed.pem
check "--conf: exit 0" 0 ''
assert "--conf: wrote the public key beside the private one" grep -qx "wrote the public key 'ed.pub.pem'" "$T_TMP/out"
"$M" getpub -k ed.pem -e pem >want.pem
assert "--conf: the public key file is the key's public half" cmp -s ed.pub.pem want.pem
assert "--conf: signature type replaced in place" grep -qx 'CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y' conf/mcuboot.conf
assert "--conf: no RSA settings left" sh -c '! grep -q "CONFIG_BOOT_SIGNATURE_TYPE_RSA" conf/mcuboot.conf'
assert "--conf: the key file is the public one, absolute" grep -qx "CONFIG_BOOT_SIGNATURE_KEY_FILE=\"$T_TMP/ed.pub.pem\"" conf/mcuboot.conf
assert "--conf: other lines kept" cmp -s <(grep -v 'CONFIG_BOOT_SIGNATURE' conf/mcuboot.conf) <(grep -v 'CONFIG_BOOT_SIGNATURE' "$F/mcuboot.conf")
assert "--conf: no private key bytes in any file written" sh -c '! grep -l "PRIVATE" conf/mcuboot.conf ed.pub.pem'
cp conf/mcuboot.conf conf/first
run "$M" patch --conf conf/mcuboot.conf -k ed.pem
assert "--conf twice: nothing to change" sh -c "grep -qx \"'conf/mcuboot.conf' already trusts these keys: nothing to change\" '$T_TMP/out' && cmp -s conf/mcuboot.conf conf/first"
run "$M" patch --conf conf/mcuboot.conf -k rsa3072.pem
check "--conf rsa-3072: exit 0" 0 ''
assert "--conf rsa-3072: RSA and RSA_LEN=3072" sh -c 'grep -qx CONFIG_BOOT_SIGNATURE_TYPE_RSA=y conf/mcuboot.conf && grep -qx CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN=3072 conf/mcuboot.conf && ! grep -q ED25519 conf/mcuboot.conf'
run "$M" patch --conf conf/mcuboot.conf -k ed.pem -k ed2.pem --enc-key x.pem
check "--conf with two keys and an encryption key: exit 0" 0 ''
assert "--conf: comma-separated key list" grep -qx "CONFIG_BOOT_SIGNATURE_KEY_FILE=\"$T_TMP/ed.pub.pem,$T_TMP/ed2.pub.pem\"" conf/mcuboot.conf
assert "--conf: encryption key file" grep -qx "CONFIG_BOOT_ENCRYPTION_KEY_FILE=\"$T_TMP/x.pem\"" conf/mcuboot.conf
run "$M" patch --conf new.conf -k p256.pem
check "--conf creates a missing fragment" 0 ''
assert "--conf new fragment content" cmp -s new.conf <(printf '%s\n' "# MCUboot signing key set by mcuprov (ecdsa-p256 $("$M" fingerprint -k p256.pem | cut -c12-27))" CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256=y "CONFIG_BOOT_SIGNATURE_KEY_FILE=\"$T_TMP/p256.pub.pem\"")
run "$M" patch --conf new.conf -k p384.pem
check "--conf P-384 refused" 1 "mcuprov: patch: MCUboot's Kconfig has no signature type for ecdsa-p384 keys (RSA, ECDSA_P256 and ED25519 only)"
run "$M" patch --conf new.conf -k p256.pem --enc-key x.pem
check "--conf enc key of the wrong kind" 1 "mcuprov: patch: 'x.pem': a x25519 encryption key does not go with ecdsa-p256 signing (MCUboot pairs rsa with rsa-2048, ecdsa-p256 with ecdsa-p256, ed25519 with x25519)"
mkdir cz && printf 'CONFIG_BOOT_SIGNATURE_TYPE_RSA=y\n' >cz/.config
run "$M" patch --conf cz/mcuboot.conf -k ed.pem
check "--conf checks the .config beside it" 1 "mcuprov: patch: 'cz/mcuboot.conf': the key is ed25519 but the bootloader is configured for another signature type (cz/.config:1: CONFIG_BOOT_SIGNATURE_TYPE_RSA=y)"
echo "not this key" >p256.pub.pem.tmp && "$M" getpub -k ed.pem -e pem >clash.pub.pem && cp p256.pem clash.pem
run "$M" patch --conf new2.conf -k clash.pem
check "an existing .pub.pem holding another key" 1 "mcuprov: patch: 'clash.pub.pem': exists and is not the public half of 'clash.pem'"

# ---- inputs the fuzzers (fuzz/fuzz-kconf, fuzz/fuzz-keysc) found mishandled
# a symbol name followed by 4000 blanks before its '=' overflowed the name buffer
mkdir fz && cp "$F/fuzz-long-blank.conf" fz/long.conf
run "$M" patch --conf fz/long.conf -k ed.pem
check "--conf: a name followed by 4000 blanks: exit 0" 0 ''
assert "--conf: a name followed by 4000 blanks: its lines kept" cmp -s <(head -n 3 fz/long.conf) "$F/fuzz-long-blank.conf"
# a last line ending in a lone CR got "\r\r\n", and "\r\n" on the next run
cp "$F/fuzz-cr-last-line.conf" fz/cr.conf
run "$M" patch --conf fz/cr.conf -k ed.pem
check "--conf: a last line ending in CR: exit 0" 0 ''
assert "--conf: a last line ending in CR: ended with LF, settings in CRLF" cmp -s fz/cr.conf <(printf '%s\r\n' "$(head -n 1 "$F/fuzz-cr-last-line.conf" | tr -d '\r')" "CONFIG_BOOT_SIGNATURE_KEY_FILE=\"$T_TMP/ed.pub.pem\"" "# MCUboot signing key set by mcuprov (ed25519 $("$M" fingerprint -k ed.pem | cut -c9-24))" CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y)
cp fz/cr.conf fz/cr-first.conf
run "$M" patch --conf fz/cr.conf -k ed.pem
assert "--conf: a last line ending in CR, twice: nothing to change" sh -c "grep -qx \"'fz/cr.conf' already trusts these keys: nothing to change\" '$T_TMP/out' && cmp -s fz/cr.conf fz/cr-first.conf"
# a NUL byte before the first CRLF hid the CRLF style: new lines got a bare LF
fresh fz-nul fuzz-nul-crlf.c
tr -d '\000' <"$F/fuzz-nul-crlf.c" >fz-nul/plain.c
run "$M" patch --keys-c fz-nul/keys.c -k ed.pem
check "keys.c with a NUL byte: exit 0" 0 ''
run "$M" patch --keys-c fz-nul/plain.c -k ed.pem
assert "keys.c with a NUL byte: patched as without it (CRLF kept)" sh -c "tr -d '\\000' <fz-nul/keys.c | cmp -s - fz-nul/plain.c"
all_crlf() { [ "$(grep -ac $'\r$' "$1")" = "$(wc -l <"$1")" ]; }
assert "keys.c with a NUL byte: every line ends in CRLF" all_crlf fz-nul/keys.c
# arrays were added after a _len defined below bootutil_keys[]: the list named
# them before their declaration, and the next run did not count them (added more)
refuse "a length only in a branch never compiled" 1 "mcuprov: patch: 'r/keys.c': line 11: array 'ed25519_pub_key' has no ed25519_pub_key_len to go with it" fuzz-dead-len.c -k ed.pem
refuse "a _len defined after bootutil_keys[]: no more keys" 1 "mcuprov: patch: 'r/keys.c': its key block holds 1 key array (key_ed25519) but 2 keys were given: bootutil_keys[] (line 20) comes before key_ed25519_len: arrays added after that would be listed before they are declared" fuzz-len-after-list.c -k ed.pem -k ed2.pem
fresh fz-len fuzz-len-after-list.c
run "$M" patch --keys-c fz-len/keys.c -k ed.pem
check "a _len defined after bootutil_keys[], one key: exit 0" 0 ''
compiled "a _len defined after bootutil_keys[], one key: the bootloader trusts it" fz-len/keys.c MCUBOOT_SIGN_ED25519 key_ed25519 ed.der
# a line like a key comment that only closed the comment above it went with
# the array it was above: the comment was left open (and the list in it)
fresh fz-cmt fuzz-comment-close.c
run "$M" patch --keys-c fz-cmt/keys.c -k ed.pem
check "a key-comment-like line closing a comment, 2 -> 1 keys: exit 0" 0 ''
for cc in "$KEYSC_CC_ARM" "$KEYSC_CC_HOST"; do # -Wno-comment: the "/*" within it
	if keysc_compile "$cc" -Wno-comment -- fz-cmt/keys.c fz-cmt/keys.o &&
	   keysc_check_key fz-cmt/keys.o key_ed25519 ed.der; then
		ok "a key-comment-like line closing a comment, 2 -> 1 keys: compiles, trusts the key (${cc%% *})"
	else
		not_ok "a key-comment-like line closing a comment, 2 -> 1 keys: compiles, trusts the key (${cc%% *})" "$KEYSC_ERR"
	fi
done
assert "a key-comment-like line closing a comment: the line kept, the array gone" sh -c "grep -qx '/\* key 1 \*/' fz-cmt/keys.c && ! grep -q key_ed25519_1 fz-cmt/keys.c"
cp fz-cmt/keys.c fz-cmt/first.c
run "$M" patch --keys-c fz-cmt/keys.c -k ed.pem
assert "a key-comment-like line closing a comment, again: nothing to change" sh -c "grep -qx \"'fz-cmt/keys.c' already trusts these keys: nothing to change\" '$T_TMP/out' && cmp -s fz-cmt/keys.c fz-cmt/first.c"

# ---- the configuration decides (issue 10): exact refusals
refuse "a macro the configuration does not give" 1 "mcuprov: patch: 'r/keys.c': line 146: whether the bootutil_keys[] entry for 'root_pub_der_2' is compiled depends on MCUBOOT_SIGN_KEY_2, which the configuration does not say: give -D MCUBOOT_SIGN_KEY_2[=VALUE] or -U MCUBOOT_SIGN_KEY_2" cond-sim.c -k ed.pem
refuse "one key per image, MCUBOOT_IMAGE_NUMBER unknown" 1 "mcuprov: patch: 'r/keys.c': line 220: whether the bootutil_keys[] entry for 'rsa_pub_key_1' is compiled depends on MCUBOOT_IMAGE_NUMBER, which the configuration does not say: give -D MCUBOOT_IMAGE_NUMBER[=VALUE] or -U MCUBOOT_IMAGE_NUMBER" cond-tfm.c -k rsa2048.pem
refuse "one key per image, no --image" 1 "mcuprov: patch: 'r/keys.c': holds one key per image (image 0: 'rsa_pub_key' SHA-256 fc5701dc6135e132..., image 1: 'rsa_pub_key_1' SHA-256 5ac4d62dc5efbed5...): choose the image whose key changes with --image N" cond-tfm.c -k rsa2048.pem -D MCUBOOT_IMAGE_NUMBER=2
refuse "--image past the images" 1 "mcuprov: patch: 'r/keys.c': --image 2: it holds keys for images 0 to 1 under this configuration" cond-tfm.c -k rsa2048.pem -D MCUBOOT_IMAGE_NUMBER=2 --image 2
refuse "--image on a file without per-image keys" 1 "mcuprov: patch: 'r/keys.c': --image 1: it holds no key per image (no list depending on MCUBOOT_IMAGE_NUMBER)" inline-multi.c -k rsa2048.pem --image 1
refuse "a hardware-key build" 1 "mcuprov: patch: 'r/keys.c': MCUBOOT_HW_KEY is defined: that bootloader takes the key from each image and checks its hash, keys.c holds no key to patch (use 'mcuprov patch --hw-key' for the hash to store)" cond-hwkey.c -k p256.pem -D MCUBOOT_HW_KEY
refuse "a count that disagrees, same number of keys" 1 "mcuprov: patch: 'r/keys.c': line 57: bootutil_key_cnt is 2 but bootutil_keys[] (line 45) lists 1 key under this configuration: the bootloader would read past the list" count-mismatch.c -k p256.pem
refuse "a tentative definition" 1 "mcuprov: patch: 'r/keys.c': line 17: 'ed25519_pub_key' is declared without its bytes (a tentative definition): declare it extern and build the key file that --emit-key-file OUT writes" decl-tentative.c -k ed.pem
refuse "MCUboot 2026's keys.c" 1 "mcuprov: patch: 'r/keys.c': this keys.c (MCUboot 2026) declares its keys through MCUBOOT_SIGN_KEY_COUNT and holds no key bytes; the build generates them from CONFIG_BOOT_SIGNATURE_KEY_FILE: use 'mcuprov patch --conf FRAGMENT' (or --emit-key-file OUT for the generated file)" listify-2026.c -k ed.pem
fresh tent decl-tentative.c
run "$M" patch --keys-c tent/keys.c -k ed.pem --emit-key-file tent/keys-gen.c
check "a tentative definition, --emit-key-file: exit 0" 0 ''
"$M" getpub -k ed.pem >want.c
assert "a tentative definition, --emit-key-file: the array under its name, as getpub writes it" cmp -s tent/keys-gen.c want.c
assert "a tentative definition, --emit-key-file: keys.c untouched" cmp -s tent/keys.c "$F/decl-tentative.c"
fresh img cond-tfm.c
run "$M" patch --keys-c img/keys.c -k rsa2048.pem -D MCUBOOT_IMAGE_NUMBER=2 --image 1
check "--image 1: exit 0" 0 ''
assert "--image 1: says the configuration it assumed" grep -qx "assuming MCUBOOT_HW_KEY undefined (inline keys); MCUBOOT_SIGN_RSA, MCUBOOT_SIGN_RSA_LEN=2048 (from the key type); MCUBOOT_IMAGE_NUMBER=2 (-D)" "$T_TMP/out"
"$M" getpub -e raw -k rsa2048.pem >rsa2048.der
for cc in "$KEYSC_CC_ARM" "$KEYSC_CC_HOST"; do
	# TF-M names image 1's length rsa_pub_key_len_1; image 0 keeps its key
	if keysc_compile "$cc" -DMCUBOOT_SIGN_RSA -DMCUBOOT_SIGN_RSA_LEN=2048 -DMCUBOOT_IMAGE_NUMBER=2 -- img/keys.c img/keys.o &&
	   elf_symbol_bytes img/keys.o rsa_pub_key_1 img/k1 && cmp -s img/k1 rsa2048.der &&
	   keysc_u32 img/keys.o rsa_pub_key_len_1 && [ "$KEYSC_U32" = 270 ] &&
	   keysc_compile "$cc" -DMCUBOOT_SIGN_RSA -DMCUBOOT_SIGN_RSA_LEN=2048 -DMCUBOOT_IMAGE_NUMBER=2 -- "$F/cond-tfm.c" img/orig.o &&
	   elf_symbol_bytes img/keys.o rsa_pub_key img/k0 && elf_symbol_bytes img/orig.o rsa_pub_key img/o0 &&
	   cmp -s img/k0 img/o0 && ! cmp -s img/k0 rsa2048.der; then
		ok "--image 1: image 1's array and length hold the key, image 0's is unchanged (${cc%% *})"
	else
		not_ok "--image 1: image 1's array and length hold the key, image 0's is unchanged (${cc%% *})" "$KEYSC_ERR"
	fi
done

# ---- hardware key: the hash the device stores
run "$M" patch --hw-key -k ed.pem --raw hw.bin
check "--hw-key: exit 0 with the reminder" 0 "mcuprov: patch: note: with MCUBOOT_HW_KEY the device stores only this hash; sign images with --public-key-format full so that they carry the whole key"
"$M" getpubhash -k ed.pem >want.h
check_out "--hw-key prints getpubhash's C array" want.h
"$M" getpubhash -k ed.pem -e raw >want.bin
assert "--hw-key --raw writes the raw hash" cmp -s hw.bin want.bin

# ---- usage
run "$M" patch -k ed.pem
check "no mode: exit 2" 2 "mcuprov: patch: give one of --keys-c, --conf or --hw-key
usage: mcuprov patch (--keys-c PATH | --conf PATH | --hw-key) -k KEY [-k KEY]... [OPTIONS]"
run "$M" patch --keys-c k.c
check "no key: exit 2" 2 "mcuprov: patch: missing -k/--key KEY
usage: mcuprov patch (--keys-c PATH | --conf PATH | --hw-key) -k KEY [-k KEY]... [OPTIONS]"
no_leftovers "no temporary files left" .

done_testing
