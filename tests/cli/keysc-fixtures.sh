#!/bin/bash
# The keys.c fixtures (tests/fixtures/keysc) and the compile-check harness
# (tests/keysc-lib.sh): every fixture compiles for Cortex-M4 and the host as
# MCUboot would build it, and the key bytes read back out of the object files
# are exactly MCUboot's development keys as `mcuprov getpub -e raw` prints
# them.  The harness must also be able to fail: wrong _len, wrong bytes,
# missing arrays and pointers are reported, not passed.
. "$MCUPROV_SRCDIR/tests/lib.sh"
. "$MCUPROV_SRCDIR/tests/keysc-lib.sh"
need_vectors
need_cross

F=$KEYSC_FIXTURES
E=$T_TMP/expected
mkdir -p "$E"

# the key bytes a keys.c must hold: mcuprov's raw export, which is imgtool's
for k in root-rsa-2048 root-ec-p256 root-ed25519 root-ed25519-2 enc-rsa2048-pub; do
	run "$M" getpub -e raw -k "$V/keys/$k.pem"
	cp "$T_TMP/out" "$E/$k.der"
	if [ "$RC" = 0 ] && cmp -s "$E/$k.der" "$V/getpub/$k.raw"; then
		ok "getpub -e raw $k: imgtool's bytes"
	else
		not_ok "getpub -e raw $k: imgtool's bytes" "rc=$RC" "$(cat "$T_TMP/err")"
	fi
done

# check_key DESC OBJ ARRAY DER: ARRAY and ARRAY_len hold DER exactly.
check_key() {
	if keysc_check_key "$2" "$3" "$4"; then ok "$1"; else not_ok "$1" "$KEYSC_ERR"; fi
}

# check_u32 DESC OBJ SYMBOL VALUE
check_u32() {
	if keysc_u32 "$2" "$3" && [ "$KEYSC_U32" = "$4" ]; then ok "$1"; else
		not_ok "$1" "${KEYSC_ERR:-$3 is $KEYSC_U32, expected $4}"; fi
}

# check_undef DESC OBJ [SYMBOL...]: OBJ refers to exactly these symbols.
check_undef() {
	local desc=$1 obj=$2 got want
	shift 2
	got=$(elf_undefined "$obj")
	want=$(printf '%s\n' "$@" | LC_ALL=C sort | sed '/^$/d')
	if [ "$got" = "$want" ]; then ok "$desc"; else
		not_ok "$desc" "undefined: ${got//$'\n'/ }" "expected: ${want//$'\n'/ }"; fi
}

# compile DESC CC FLAG... -- FILE OUT.o: an assertion that it compiles.
compile() {
	local desc=$1
	shift
	if keysc_compile "$@"; then ok "$desc"; else not_ok "$desc" "$KEYSC_ERR"; fi
}

# compile_fails DESC MESSAGE CC FLAG... -- FILE OUT.o: it does not compile,
# and the compiler says MESSAGE.
compile_fails() {
	local desc=$1 msg=$2
	shift 2
	if keysc_compile "$@"; then
		not_ok "$desc" "compiled"
	elif grep -qF -- "$msg" <<<"$KEYSC_ERR"; then
		ok "$desc"
	else
		not_ok "$desc" "$KEYSC_ERR"
	fi
}

NOKEY='#error "No public key available for given signing algorithm."'

for arch in arm host; do
	if [ $arch = arm ]; then CC=$KEYSC_CC_ARM; else CC=$KEYSC_CC_HOST; fi
	D=$T_TMP/$arch
	mkdir -p "$D"

	# ---- shape 1: the key bytes inline in keys.c
	# FILE ALG LIST ARRAY=KEY...: the arrays hold the keys; LIST: bootutil_keys[]
	# points to exactly these arrays, bootutil_key_cnt counts them (none: the
	# file defines neither)
	while read -r file alg list specs; do
		o=$D/${file%.c}-$alg.o
		t="$arch: $file -DMCUBOOT_SIGN_$alg"
		compile "$t: compiles" "$CC" "-DMCUBOOT_SIGN_$alg" -- "$F/$file" "$o" || continue
		arrays=()
		for spec in $specs; do
			arrays+=("${spec%%=*}")
			check_key "$t: ${spec%%=*} is ${spec#*=}, ${spec%%=*}_len its length" "$o" "${spec%%=*}" "$E/${spec#*=}.der"
		done
		if [ "$list" = list ]; then
			if keysc_check_list "$o" "${arrays[@]}"; then
				ok "$t: bootutil_keys[] lists ${arrays[*]}, bootutil_key_cnt = ${#arrays[@]}"
			else
				not_ok "$t: bootutil_keys[] lists ${arrays[*]}, bootutil_key_cnt = ${#arrays[@]}" "$KEYSC_ERR"
			fi
		elif elf_key_list "$o" >/dev/null || keysc_u32 "$o" bootutil_key_cnt; then
			not_ok "$t: defines no bootutil_keys[] and no bootutil_key_cnt" "defined"
		else
			ok "$t: defines no bootutil_keys[] and no bootutil_key_cnt"
		fi
		check_undef "$t: self-contained" "$o"
	done <<-EOF
	inline-rsa-ec.c RSA list root_pub_der=root-rsa-2048
	inline-rsa-ec.c EC256 list root_pub_der=root-ec-p256
	inline-rsa-ec-ed25519.c RSA list root_pub_der=root-rsa-2048
	inline-rsa-ec-ed25519.c EC256 list root_pub_der=root-ec-p256
	inline-rsa-ec-ed25519.c ED25519 list root_pub_der=root-ed25519
	inline-crlf-tabs.c RSA list root_pub_der=root-rsa-2048
	inline-crlf-tabs.c EC256 list root_pub_der=root-ec-p256
	inline-noec.c RSA list root_pub_der=root-rsa-2048
	inline-multi.c RSA list root_pub_der=root-rsa-2048 root_pub_der_1=enc-rsa2048-pub
	inline-positional.c EC256 list ec_pub_key=root-ec-p256
	inline-designated.c EC256 list image_sign_pub_der=root-ec-p256
	inline-bare.c ED25519 list key_ed25519=root-ed25519 key_ed25519_1=root-ed25519-2
	inline-nolist.c ED25519 none root_pub_der=root-ed25519
	EOF

	# algorithms a file has no block for stop the build
	compile_fails "$arch: inline-rsa-ec.c -DMCUBOOT_SIGN_ED25519: #error" "$NOKEY" \
		"$CC" -DMCUBOOT_SIGN_ED25519 -- "$F/inline-rsa-ec.c" "$D/x.o"
	compile_fails "$arch: inline-rsa-ec.c without MCUBOOT_SIGN_*: #error" "$NOKEY" \
		"$CC" -- "$F/inline-rsa-ec.c" "$D/x.o"
	compile_fails "$arch: inline-crlf-tabs.c -DMCUBOOT_SIGN_ED25519: #error" "$NOKEY" \
		"$CC" -DMCUBOOT_SIGN_ED25519 -- "$F/inline-crlf-tabs.c" "$D/x.o"
	compile_fails "$arch: inline-noec.c -DMCUBOOT_SIGN_EC256: #error" "$NOKEY" \
		"$CC" -DMCUBOOT_SIGN_EC256 -- "$F/inline-noec.c" "$D/x.o"

	# ---- the harness fails when it should
	o=$D/badlen.o
	t="$arch: inline-badlen.c -DMCUBOOT_SIGN_EC256"
	if compile "$t: compiles" "$CC" -DMCUBOOT_SIGN_EC256 -- "$F/inline-badlen.c" "$o"; then
		if elf_symbol_bytes "$o" root_pub_der "$D/badlen.der" && cmp -s "$D/badlen.der" "$E/root-ec-p256.der"; then
			ok "$t: root_pub_der is root-ec-p256"
		else
			not_ok "$t: root_pub_der is root-ec-p256" "$KEYSC_ERR"
		fi
		if keysc_check_key "$o" root_pub_der "$E/root-ec-p256.der"; then
			not_ok "$t: root_pub_der_len = 90 is reported" "passed"
		elif [ "$KEYSC_ERR" = "root_pub_der_len is 90, but root_pub_der holds 91 bytes" ]; then
			ok "$t: root_pub_der_len = 90 is reported"
		else
			not_ok "$t: root_pub_der_len = 90 is reported" "$KEYSC_ERR"
		fi
	fi
	if keysc_check_key "$D/inline-rsa-ec-EC256.o" root_pub_der "$E/root-rsa-2048.der"; then
		not_ok "$arch: an EC key where RSA is expected is reported" "passed"
	else
		case $KEYSC_ERR in
		"root_pub_der differs from $E/root-rsa-2048.der"*) ok "$arch: an EC key where RSA is expected is reported" ;;
		*) not_ok "$arch: an EC key where RSA is expected is reported" "$KEYSC_ERR" ;;
		esac
	fi
	if elf_symbol_bytes "$D/inline-rsa-ec-RSA.o" bootutil_keys "$D/x.bin"; then
		not_ok "$arch: bootutil_keys (pointers) is refused" "passed"
	else
		case $KEYSC_ERR in
		*"symbol 'bootutil_keys' has 2 relocations in its bytes") ok "$arch: bootutil_keys (pointers) is refused" ;;
		*) not_ok "$arch: bootutil_keys (pointers) is refused" "$KEYSC_ERR" ;;
		esac
	fi

	# bootutil_keys[]: the wrong order, a pointer into an array
	if keysc_check_list "$D/inline-multi-RSA.o" root_pub_der_1 root_pub_der; then
		not_ok "$arch: bootutil_keys[] in another order is reported" "passed"
	elif [ "$KEYSC_ERR" = "bootutil_keys[] points to: root_pub_der root_pub_der_len root_pub_der_1 root_pub_der_1_len (expected root_pub_der_1 root_pub_der_1_len root_pub_der root_pub_der_len)" ]; then
		ok "$arch: bootutil_keys[] in another order is reported"
	else
		not_ok "$arch: bootutil_keys[] in another order is reported" "$KEYSC_ERR"
	fi
	sed 's/^const int bootutil_key_cnt = 2;/const int bootutil_key_cnt = 3;/' "$F/inline-multi.c" >"$D/cnt.c"
	if compile "$arch: inline-multi.c with bootutil_key_cnt = 3: compiles" "$CC" -DMCUBOOT_SIGN_RSA -- "$D/cnt.c" "$D/cnt.o"; then
		if keysc_check_list "$D/cnt.o" root_pub_der root_pub_der_1; then
			not_ok "$arch: a wrong bootutil_key_cnt is reported" "passed"
		elif [ "$KEYSC_ERR" = "bootutil_key_cnt is 3, expected 2" ]; then
			ok "$arch: a wrong bootutil_key_cnt is reported"
		else
			not_ok "$arch: a wrong bootutil_key_cnt is reported" "$KEYSC_ERR"
		fi
	fi
	sed 's/\.key = root_pub_der,/.key = root_pub_der + 4,/' "$F/inline-noec.c" >"$D/into.c"
	if compile "$arch: .key = root_pub_der + 4: compiles" "$CC" -DMCUBOOT_SIGN_RSA -- "$D/into.c" "$D/into.o"; then
		got=$(elf_key_list "$D/into.o" | tr '\n' ' ')
		if [ "$got" = "root_pub_der+4 root_pub_der_len " ]; then
			ok "$arch: a pointer into an array is read as root_pub_der+4"
		else
			not_ok "$arch: a pointer into an array is read as root_pub_der+4" "$got $KEYSC_ERR"
		fi
	fi

	# ---- a file with no keys at all
	o=$D/unknown.o
	if compile "$arch: unknown.c compiles" "$CC" -- "$F/unknown.c" "$o"; then
		if keysc_check_key "$o" root_pub_der "$E/root-rsa-2048.der"; then
			not_ok "$arch: unknown.c: missing root_pub_der is reported" "passed"
		elif [ "$KEYSC_ERR" = "$o: 0 definitions of symbol 'root_pub_der'" ]; then
			ok "$arch: unknown.c: missing root_pub_der is reported"
		else
			not_ok "$arch: unknown.c: missing root_pub_der is reported" "$KEYSC_ERR"
		fi
	fi

	# ---- several symbols in one section (no -fdata-sections)
	o=$D/multi-shared.o
	t="$arch: inline-multi.c without -fdata-sections"
	if KEYSC_CFLAGS='' compile "$t: compiles" "$CC" -DMCUBOOT_SIGN_RSA -- "$F/inline-multi.c" "$o"; then
		keysc_tools "$o"
		if "$KEYSC_READELF" -sW "$o" | awk '$8 == "root_pub_der_1" && $2 !~ /^0+$/ { f = 1 } END { exit !f }'; then
			ok "$t: root_pub_der_1 at a nonzero offset"
		else
			not_ok "$t: root_pub_der_1 at a nonzero offset" "$("$KEYSC_READELF" -sW "$o" | grep root_pub)"
		fi
		check_key "$t: root_pub_der is root-rsa-2048" "$o" root_pub_der "$E/root-rsa-2048.der"
		check_key "$t: root_pub_der_1 is enc-rsa2048-pub" "$o" root_pub_der_1 "$E/enc-rsa2048-pub.der"
	fi

	# ---- writable arrays (.data) and zeros (.bss)
	sed -e 's/^const unsigned char root_pub_der\[\]/unsigned char root_pub_der[]/' \
		-e 's/^const unsigned int root_pub_der_len/unsigned int root_pub_der_len/' \
		"$F/inline-rsa-ec.c" >"$D/data.c"
	printf 'unsigned int keysc_zero_len;\nunsigned char keysc_zero[16];\n' >>"$D/data.c"
	o=$D/data.o
	t="$arch: inline-rsa-ec.c without const"
	for flags in -fdata-sections -fno-data-sections; do
		if KEYSC_CFLAGS="$flags -fno-common" compile "$t, $flags: compiles" "$CC" -DMCUBOOT_SIGN_EC256 -- "$D/data.c" "$o"; then
			keysc_tools "$o"
			ndx=$("$KEYSC_READELF" -sW "$o" | awk '$8 == "root_pub_der" { print $7 }')
			if "$KEYSC_READELF" -SW "$o" | grep -Eq "^ *\[ *$ndx\] \.data(\.root_pub_der)? "; then
				check_key "$t, $flags: root_pub_der (in .data) is root-ec-p256" "$o" root_pub_der "$E/root-ec-p256.der"
			else
				not_ok "$t, $flags: root_pub_der (in .data) is root-ec-p256" "section $ndx is not .data"
			fi
			if elf_symbol_bytes "$o" keysc_zero "$D/zero.bin" && cmp -s "$D/zero.bin" <(head -c 16 /dev/zero) &&
			   keysc_u32 "$o" keysc_zero_len && [ "$KEYSC_U32" = 0 ]; then
				ok "$t, $flags: .bss symbols read as zeros"
			else
				not_ok "$t, $flags: .bss symbols read as zeros" "$KEYSC_ERR"
			fi
		fi
	done

	# ---- shape 2: keys.c refers to a generated key file
	t="$arch: generated.c"
	compile "$t without MCUBOOT_SIGN_*: compiles" "$CC" -- "$F/generated.c" "$D/gen-none.o" &&
		check_undef "$t without MCUBOOT_SIGN_*: refers to nothing" "$D/gen-none.o"
	compile "$t -DMCUBOOT_SIGN_RSA: compiles" "$CC" -DMCUBOOT_SIGN_RSA -- "$F/generated.c" "$D/gen-rsa.o" &&
		check_undef "$t -DMCUBOOT_SIGN_RSA: refers to rsa_pub_key" "$D/gen-rsa.o" rsa_pub_key rsa_pub_key_len
	compile "$t -DMCUBOOT_SIGN_EC256: compiles" "$CC" -DMCUBOOT_SIGN_EC256 -- "$F/generated.c" "$D/gen-ec.o" &&
		check_undef "$t -DMCUBOOT_SIGN_EC256: refers to ecdsa_pub_key" "$D/gen-ec.o" ecdsa_pub_key ecdsa_pub_key_len
	mkdir -p "$D/cfg/mcuboot_config"
	cp "$F/mcuboot_config.h" "$D/cfg/mcuboot_config/"
	compile "$t with mcuboot_config.h: compiles" "$CC" -I "$D/cfg" -- "$F/generated.c" "$D/gen-cfg.o" &&
		check_undef "$t with mcuboot_config.h: refers to rsa_pub_key" "$D/gen-cfg.o" rsa_pub_key rsa_pub_key_len
	o=$D/gen-ed-enc.o
	t="$arch: generated.c -DMCUBOOT_SIGN_ED25519 -DMCUBOOT_ENC_IMAGES"
	if compile "$t: compiles" "$CC" -DMCUBOOT_SIGN_ED25519 -DMCUBOOT_ENC_IMAGES -- "$F/generated.c" "$o"; then
		check_undef "$t: refers to ed25519_pub_key and enc_priv_key" "$o" \
			ed25519_pub_key ed25519_pub_key_len enc_priv_key enc_priv_key_len
		# link it with the key files mcuprov generates
		"$M" getpub -k "$V/keys/root-ed25519.pem" -o "$D/pub.c" 2>/dev/null
		"$M" getpriv -k "$V/keys/enc-x25519-priv.pem" --minimal >"$D/priv.c" 2>/dev/null
		compile "$t: getpub output compiles" "$CC" -- "$D/pub.c" "$D/pub.o"
		compile "$t: getpriv output compiles" "$CC" -- "$D/priv.c" "$D/priv.o"
		# shellcheck disable=SC2086
		if $CC -nostdlib -r "$o" "$D/pub.o" "$D/priv.o" -o "$D/gen-linked.o" 2>"$D/ld.err"; then
			ok "$t: links with them"
			check_undef "$t: linked: nothing undefined" "$D/gen-linked.o"
			check_key "$t: linked: ed25519_pub_key is root-ed25519" "$D/gen-linked.o" ed25519_pub_key "$E/root-ed25519.der"
			if elf_symbol_bytes "$D/gen-linked.o" enc_priv_key "$D/enc.bin" &&
			   keysc_u32 "$D/gen-linked.o" enc_priv_key_len && [ "$KEYSC_U32" = "$(wc -c <"$D/enc.bin")" ] &&
			   [ "$KEYSC_U32" -gt 0 ]; then
				ok "$t: linked: enc_priv_key_len is enc_priv_key's length"
			else
				not_ok "$t: linked: enc_priv_key_len is enc_priv_key's length" "${KEYSC_ERR:-$KEYSC_U32}"
			fi
		else
			not_ok "$t: links with them" "$(cat "$D/ld.err")"
		fi
	fi

	# ---- shape 3: several generated keys, MCUBOOT_SIGN_KEY_COUNT
	t="$arch: multi-2026.c"
	compile "$t -DMCUBOOT_SIGN_RSA: compiles" "$CC" -DMCUBOOT_SIGN_RSA -- "$F/multi-2026.c" "$D/m-rsa.o" &&
		check_undef "$t -DMCUBOOT_SIGN_RSA: refers to rsa_pub_key" "$D/m-rsa.o" rsa_pub_key rsa_pub_key_len
	compile "$t -DMCUBOOT_SIGN_EC256 -DMCUBOOT_SIGN_KEY_COUNT=3: compiles" \
		"$CC" -DMCUBOOT_SIGN_EC256 -DMCUBOOT_SIGN_KEY_COUNT=3 -- "$F/multi-2026.c" "$D/m-ec.o" &&
		check_undef "$t -DMCUBOOT_SIGN_EC256 -DMCUBOOT_SIGN_KEY_COUNT=3: refers to three keys" "$D/m-ec.o" \
			ecdsa_pub_key ecdsa_pub_key_len ecdsa_pub_key_1 ecdsa_pub_key_1_len ecdsa_pub_key_2 ecdsa_pub_key_2_len
	compile_fails "$t -DMCUBOOT_SIGN_KEY_COUNT=4: #error" "MCUBOOT_SIGN_KEY_COUNT must be 1, 2 or 3." \
		"$CC" -DMCUBOOT_SIGN_ED25519 -DMCUBOOT_SIGN_KEY_COUNT=4 -- "$F/multi-2026.c" "$D/x.o"
	o=$D/m-ed.o
	t="$arch: multi-2026.c -DMCUBOOT_SIGN_ED25519 -DMCUBOOT_SIGN_KEY_COUNT=2"
	if compile "$t: compiles" "$CC" -DMCUBOOT_SIGN_ED25519 -DMCUBOOT_SIGN_KEY_COUNT=2 -- "$F/multi-2026.c" "$o"; then
		check_undef "$t: refers to two keys" "$o" \
			ed25519_pub_key ed25519_pub_key_len ed25519_pub_key_1 ed25519_pub_key_1_len
		"$M" getpub -k "$V/keys/root-ed25519-2.pem" --name-suffix _1 -o "$D/pub1.c" 2>/dev/null
		compile "$t: getpub --name-suffix _1 output compiles" "$CC" -- "$D/pub1.c" "$D/pub1.o"
		# shellcheck disable=SC2086
		if $CC -nostdlib -r "$o" "$D/pub.o" "$D/pub1.o" -o "$D/m-linked.o" 2>"$D/ld.err"; then
			ok "$t: links with them"
			check_undef "$t: linked: nothing undefined" "$D/m-linked.o"
			check_key "$t: linked: ed25519_pub_key is root-ed25519" "$D/m-linked.o" ed25519_pub_key "$E/root-ed25519.der"
			check_key "$t: linked: ed25519_pub_key_1 is root-ed25519-2" "$D/m-linked.o" ed25519_pub_key_1 "$E/root-ed25519-2.der"
			check_u32 "$t: linked: bootutil_key_cnt = 2" "$D/m-linked.o" bootutil_key_cnt 2
		else
			not_ok "$t: links with them" "$(cat "$D/ld.err")"
		fi
	fi
done

done_testing
