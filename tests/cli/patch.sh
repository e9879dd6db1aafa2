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

# ---- refusals (exact message, nothing written)
refuse() { # DESC EXPECTED_RC EXPECTED_STDERR FIXTURE PATCH-ARGS...
	local desc=$1 rc=$2 msg=$3 fx=$4
	shift 4
	fresh r "$fx"
	run "$M" patch --keys-c r/keys.c "$@"
	check "$desc" "$rc" "$msg"
	assert "$desc: keys.c untouched, no backup" sh -c "cmp -s r/keys.c '$F/$fx' && [ ! -e r/keys.c.bak ]"
}
refuse "length disagreeing with the array" 1 "mcuprov: patch: 'r/keys.c': line 20: array 'root_pub_der' has 91 bytes but root_pub_der_len says 90" inline-badlen.c -k p256.pem
refuse "no block for the key's type" 1 "mcuprov: patch: 'r/keys.c': has no block for ecdsa-p256 keys (#if defined(MCUBOOT_SIGN_EC256)); it has blocks for: MCUBOOT_SIGN_RSA" inline-noec.c -k p256.pem
refuse "no block for ed25519" 1 "mcuprov: patch: 'r/keys.c': has no block for ed25519 keys (#if defined(MCUBOOT_SIGN_ED25519)); it has blocks for: MCUBOOT_SIGN_RSA, MCUBOOT_SIGN_EC256" inline-rsa-ec.c -k ed.pem
refuse "no block for P-384" 1 "mcuprov: patch: 'r/keys.c': has no block for ecdsa-p384 keys (#if defined(MCUBOOT_SIGN_EC384)); it has blocks for: MCUBOOT_SIGN_RSA, MCUBOOT_SIGN_EC256" inline-rsa-ec.c -k p384.pem
refuse "an unrelated file" 1 "mcuprov: patch: 'r/keys.c': matches no known keys.c shape: no inline key array (const unsigned char NAME[] = {...}) and no extern ..._pub_key[] declaration" unknown.c -k p256.pem
refuse "two keys for a one-key block" 1 "mcuprov: patch: 'r/keys.c': its MCUBOOT_SIGN_RSA block holds 1 key array (root_pub_der) but 2 keys were given (use 'mcuprov render --template inline-multi' for another number of keys)" inline-rsa-ec.c -k rsa2048.pem -k rsa2048b.pem
refuse "one key for a two-key block" 1 "mcuprov: patch: 'r/keys.c': its MCUBOOT_SIGN_RSA block holds 2 key arrays (root_pub_der, ...) but 1 key was given (use 'mcuprov render --template inline-multi' for another number of keys)" inline-multi.c -k rsa2048.pem
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
