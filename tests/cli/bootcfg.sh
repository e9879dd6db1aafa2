#!/bin/bash
# bootcfg: the bootloader's configuration as `patch`, `render` and `rotate`
# read it: the config files beside the target in their documented order
# (.config, *.conf by name, autoconf.h, mcuboot_config.h), mcuboot_config.h's
# #if / #ifdef followed, -D and -U over them, mcuprov.yaml's
# bootloader.defines / undefines; exact messages and exit codes.
. "$MCUPROV_SRCDIR/tests/lib.sh"
F=$MCUPROV_SRCDIR/tests/fixtures/keysc
unset MCUPROV_TEMPLATES

"$M" keygen -k rsa2048.pem -t rsa-2048 >/dev/null
"$M" keygen -k rsa3072.pem -t rsa-3072 >/dev/null
"$M" keygen -k p256.pem -t ecdsa-p256 >/dev/null
"$M" keygen -k ed.pem -t ed25519 >/dev/null

# fresh DIR: DIR/keys.c, an inline keys.c with an RSA and an EC256 block
fresh() { rm -rf "$1" && mkdir "$1" && cp "$F/inline-rsa-ec.c" "$1/keys.c"; }
# refused DESC DIR WANT_STDERR ARGS...: patch --keys-c DIR/keys.c refuses
# with exit 1 and leaves keys.c as it was
refused() {
	local desc=$1 dir=$2 want=$3
	shift 3
	run "$M" patch --keys-c "$dir/keys.c" "$@"
	check "$desc" 1 "$want"
	assert "$desc: keys.c untouched" cmp -s "$dir/keys.c" "$F/inline-rsa-ec.c"
}
# patched DESC DIR ARGS...: patch --keys-c DIR/keys.c succeeds
patched() {
	local desc=$1 dir=$2
	shift 2
	run "$M" patch --keys-c "$dir/keys.c" "$@"
	check "$desc" 0 ''
	assert "$desc: the patched line" grep -qx "patched '$dir/keys.c' (the old one is '$dir/keys.c.bak')" "$T_TMP/out"
}

# ---- mcuboot_config.h: only the #defines its conditionals select count
fresh if0
cat >if0/mcuboot_config.h <<'EOF'
/* a port's settings */
#define MCUBOOT_SIGN_EC256
#if 0
#define MCUBOOT_SIGN_ED25519
#endif
EOF
refused "#if 0: its #define does not count, the live one does" if0 \
	"mcuprov: patch: 'if0/keys.c': the key is ed25519 but the bootloader is configured for another signature type (if0/mcuboot_config.h:2: #define MCUBOOT_SIGN_EC256)" -k ed.pem
patched "#if 0: the EC256 block takes a P-256 key" if0 -k p256.pem

# Zephyr's mcuboot_config.h derives the signature type from Kconfig
zephyr_config_h() {
	cat <<'EOF'
#ifndef __MCUBOOT_CONFIG_H__
#define __MCUBOOT_CONFIG_H__

#ifdef CONFIG_BOOT_SIGNATURE_TYPE_RSA
#define MCUBOOT_SIGN_RSA
#  if (CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN != 2048 && \
       CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN != 3072)
#    error "Invalid RSA key size (must be 2048 or 3072)"
#  else
#    define MCUBOOT_SIGN_RSA_LEN CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN
#  endif
#elif defined(CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256)
#define MCUBOOT_SIGN_EC256
#elif defined(CONFIG_BOOT_SIGNATURE_TYPE_ED25519)
#define MCUBOOT_SIGN_ED25519
#endif

#endif /* __MCUBOOT_CONFIG_H__ */
EOF
}
fresh zh
zephyr_config_h >zh/mcuboot_config.h
patched "#ifdef CONFIG_...: without Kconfig values it states no type" zh -k p256.pem
fresh zr
zephyr_config_h >zr/mcuboot_config.h
printf 'CONFIG_BOOT_SIGNATURE_TYPE_RSA=y\nCONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN=2048\n' >zr/.config
refused "#ifdef CONFIG_..._RSA with .config's RSA: the header's #define" zr \
	"mcuprov: patch: 'zr/keys.c': the key is ecdsa-p256 but the bootloader is configured for another signature type (zr/mcuboot_config.h:5: #define MCUBOOT_SIGN_RSA)" -k p256.pem
refused "RSA length through CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN" zr \
	"mcuprov: patch: 'zr/keys.c': the key is rsa-3072 but the bootloader expects RSA-2048 (zr/mcuboot_config.h:10: #    define MCUBOOT_SIGN_RSA_LEN CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN)" -k rsa3072.pem
patched "#ifdef CONFIG_..._RSA with .config's RSA: an RSA-2048 key" zr -k rsa2048.pem
fresh ze
zephyr_config_h >ze/mcuboot_config.h
printf '%s\n' '# CONFIG_BOOT_SIGNATURE_TYPE_NONE is not set' '# CONFIG_BOOT_SIGNATURE_TYPE_RSA is not set' \
	'# CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256 is not set' 'CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y' >ze/.config
refused "#elif defined(CONFIG_..._ED25519): the #elif's #define" ze \
	"mcuprov: patch: 'ze/keys.c': the key is rsa-2048 but the bootloader is configured for another signature type (ze/mcuboot_config.h:15: #define MCUBOOT_SIGN_ED25519)" -k rsa2048.pem

# a header is read as on its first inclusion: its include guard undefined
fresh grd
printf '%s\n' '#if !defined(PORT_CONFIG_H)' '#define PORT_CONFIG_H' '' '#define MCUBOOT_SIGN_EC256' '#endif' >grd/mcuboot_config.h
refused "#if !defined(GUARD): the header's #defines count" grd \
	"mcuprov: patch: 'grd/keys.c': the key is ed25519 but the bootloader is configured for another signature type (grd/mcuboot_config.h:4: #define MCUBOOT_SIGN_EC256)" -k ed.pem
# conditionals that do not balance
mkdir bad && printf '#if 1\n#define MCUBOOT_SIGN_RSA\n' >bad/mcuboot_config.h
run "$M" patch --conf bad/mcuboot.conf -k ed.pem --dry-run
check "an #if without #endif" 1 "mcuprov: patch: bad/mcuboot_config.h:1: #if without #endif"
printf '#define MCUBOOT_SIGN_ED25519\n#else\n' >bad/port.h
run "$M" patch --conf if0/mcuboot.conf -k ed.pem --dry-run --config bad/port.h
check "an #else without #if in a --config header" 1 "mcuprov: patch: bad/port.h:2: #else without #if"

# ---- the order: .config, *.conf by name, autoconf.h, mcuboot_config.h
fresh ord
printf 'CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256=y\n' >ord/.config
printf '# the fragment\nCONFIG_BOOT_SIGNATURE_TYPE_RSA=y\n' >ord/mcuboot.conf
refused "a *.conf overrides .config" ord \
	"mcuprov: patch: 'ord/keys.c': the key is ecdsa-p256 but the bootloader is configured for another signature type (ord/mcuboot.conf:2: CONFIG_BOOT_SIGNATURE_TYPE_RSA=y)" -k p256.pem
printf 'CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y\n' >ord/prj.conf
refused "*.conf files by name: prj.conf after mcuboot.conf" ord \
	"mcuprov: patch: 'ord/keys.c': the key is rsa-2048 but the bootloader is configured for another signature type (ord/prj.conf:1: CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y)" -k rsa2048.pem
run "$M" patch --keys-c ord/keys.c -k rsa2048.pem --config ord/mcuboot.conf
check "--config files after those beside: mcuboot.conf again over prj.conf" 0 ''
rm ord/prj.conf ord/mcuboot.conf ord/keys.c.bak && cp "$F/inline-rsa-ec.c" ord/keys.c
printf '#define CONFIG_BOOT_SIGNATURE_TYPE_RSA 1\n#define CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN 3072\n' >ord/autoconf.h
zephyr_config_h >ord/mcuboot_config.h
refused "autoconf.h after .config, mcuboot_config.h after autoconf.h" ord \
	"mcuprov: patch: 'ord/keys.c': the key is ecdsa-p256 but the bootloader is configured for another signature type (ord/mcuboot_config.h:5: #define MCUBOOT_SIGN_RSA)" -k p256.pem
refused "autoconf.h's RSA length through mcuboot_config.h" ord \
	"mcuprov: patch: 'ord/keys.c': the key is rsa-2048 but the bootloader expects RSA-3072 (ord/mcuboot_config.h:10: #    define MCUBOOT_SIGN_RSA_LEN CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN)" -k rsa2048.pem

# ---- patch --keys-c names what it assumed, right after the shape line
# head2 DESC LINE1 LINE2: the first two lines of stdout
head2() {
	if [ "$(head -n 2 "$T_TMP/out")" = "$2
$3" ]; then ok "$1"; else not_ok "$1" "$(head -n 2 "$T_TMP/out")"; fi
}
SHAPE="'as/keys.c': inline key arrays (2017-2018 keys.c)"
fresh as
run "$M" patch --keys-c as/keys.c -k p256.pem --dry-run
head2 "assuming: from the key type" "$SHAPE" "assuming MCUBOOT_SIGN_EC256 (from the key type); MCUBOOT_SIGN_RSA undefined (from the key type)"
run "$M" patch --keys-c as/keys.c -k p256.pem --dry-run -D MCUBOOT_SIGN_EC256 -U MCUBOOT_SIGN_RSA
head2 "assuming: -D and -U" "$SHAPE" "assuming MCUBOOT_SIGN_RSA undefined (-U); MCUBOOT_SIGN_EC256=1 (-D)"
printf 'CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256=y\n' >as/.config
run "$M" patch --keys-c as/keys.c -k p256.pem --dry-run
head2 "assuming: from the .config beside it" "$SHAPE" "assuming MCUBOOT_SIGN_EC256 (as/.config:1); MCUBOOT_SIGN_RSA undefined (as/.config:1)"

# ---- --conf reads the same configuration (not the fragment it sets)
mkdir cf && printf 'CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256=y\n' >cf/.config
printf 'CONFIG_BOOT_SIGNATURE_TYPE_RSA=y\n' >cf/mcuboot.conf
printf 'CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y\n' >cf/sysbuild.conf
run "$M" patch --conf cf/mcuboot.conf -k p256.pem --dry-run
check "--conf: a later fragment beside it overrides .config" 1 "mcuprov: patch: 'cf/mcuboot.conf': the key is ecdsa-p256 but the bootloader is configured for another signature type (cf/sysbuild.conf:1: CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y)"
run "$M" patch --conf cf/mcuboot.conf -k ed.pem --dry-run
check "--conf: the fragment being set does not count" 0 ''

# ---- -D and -U: over every file
run "$M" patch --conf cf/mcuboot.conf -k p256.pem --dry-run -U MCUBOOT_SIGN_ED25519 -D MCUBOOT_SIGN_EC256
check "-U and -D over the files" 0 ''
run "$M" patch --conf cf/mcuboot.conf -k p256.pem --dry-run -D MCUBOOT_SIGN_RSA -U MCUBOOT_SIGN_ED25519
check "-D names itself in the refusal" 1 "mcuprov: patch: 'cf/mcuboot.conf': the key is ecdsa-p256 but the bootloader is configured for another signature type (-D MCUBOOT_SIGN_RSA)"
run "$M" patch --conf cf/mcuboot.conf -k rsa3072.pem --dry-run --define MCUBOOT_SIGN_RSA --define MCUBOOT_SIGN_RSA_LEN=2048
check "--define NAME=VALUE" 1 "mcuprov: patch: 'cf/mcuboot.conf': the key is rsa-3072 but the bootloader expects RSA-2048 (-D MCUBOOT_SIGN_RSA_LEN=2048)"
run "$M" patch --conf cf/mcuboot.conf -k ed.pem --dry-run -D MCUBOOT_SIGN_RSA -U MCUBOOT_SIGN_RSA
check "a later -U replaces an earlier -D" 0 ''
run "$M" patch --conf cf/mcuboot.conf -k p256.pem --dry-run --undef MCUBOOT_SIGN_ED25519 -U MCUBOOT_SIGN_EC256 -D MCUBOOT_SIGN_EC256
check "a later -D replaces an earlier -U" 0 ''
mkdir cnt && printf '#define MCUBOOT_SIGN_KEY_COUNT 2\n' >cnt/mcuboot_config.h
run "$M" patch --conf cnt/mcuboot.conf -k ed.pem --dry-run
check "MCUBOOT_SIGN_KEY_COUNT from mcuboot_config.h" 1 "mcuprov: patch: 'cnt/mcuboot.conf': 1 key given but the bootloader counts 2 (cnt/mcuboot_config.h:1: #define MCUBOOT_SIGN_KEY_COUNT 2)"
run "$M" patch --conf cnt/mcuboot.conf -k ed.pem --dry-run -D MCUBOOT_SIGN_KEY_COUNT=1
check "-D MCUBOOT_SIGN_KEY_COUNT over it" 0 ''

# ---- render: a keys.c must compile exactly the keys under -D/-U and the key type
"$M" keygen -k p256b.pem -t ecdsa-p256 >/dev/null
run "$M" render -t inline-multi -k p256.pem -k p256b.pem -o multi.c
check "render: the template compiles the keys" 0 ''
run "$M" render -t inline-multi -k p256.pem -k p256b.pem -D MCUBOOT_SIGN_EC256=1 -U MCUBOOT_HW_KEY
check "render -D/-U that keep the keys compiled" 0 ''
check_out "render -D/-U: the same text" multi.c
run "$M" render -t inline-single -k p256.pem -U MCUBOOT_SIGN_EC256 -o single.c
check "render -U of the key type's macro: refused" 1 "mcuprov: render: 'inline-single': line 26: bootutil_keys[] names 'root_pub_der', which this file does not define under this configuration (only in branches that are not compiled)"
assert "render refused: nothing written" test ! -e single.c
sed 's/{{sign_define}}/MCUBOOT_SIGN_RSA/' "$MCUPROV_SRCDIR/templates/keys/inline-single.c.tmpl" >rsa-only.c.tmpl
run "$M" render -t ./rsa-only.c.tmpl -k p256.pem
check "render: a template whose block the key type does not compile" 1 "mcuprov: render: './rsa-only.c.tmpl': line 26: bootutil_keys[] names 'root_pub_der', which this file does not define under this configuration (only in branches that are not compiled)"
run "$M" render -t ./rsa-only.c.tmpl -k p256.pem -D MCUBOOT_SIGN_RSA
check "render: the same template under -D of its block" 0 ''
run "$M" render -t generated-key-file -k p256.pem -U MCUBOOT_SIGN_EC256
check "render: a generated key file is not a keys.c to check" 0 ''
run "$M" render -t kconfig-fragment -k p256.pem -U MCUBOOT_SIGN_EC256
check "render: nor is the Kconfig fragment" 0 ''

# ---- the command line
U="usage: mcuprov patch (--keys-c PATH | --conf PATH | --hw-key) -k KEY [-k KEY]... [OPTIONS]"
run "$M" patch --conf cf/mcuboot.conf -k ed.pem -D 1X
check "-D: not a macro name" 2 "mcuprov: patch: -D '1X': '1X' is not a macro name
$U"
run "$M" patch --conf cf/mcuboot.conf -k ed.pem -U A=1
check "-U: a value" 2 "mcuprov: patch: -U 'A=1': 'A=1' is not a macro name
$U"
run "$M" patch --keys-c if0/keys.c -k ed.pem --image x
check "--image: not a number" 2 "mcuprov: patch: --image: expected a non-negative integer, got 'x'
$U"
run "$M" patch --keys-c if0/keys.c -k ed.pem --image -1
check "--image: negative" 2 "mcuprov: patch: --image: expected a non-negative integer, got '-1'
$U"
run "$M" patch --keys-c if0/keys.c -k ed.pem --image 12345678901
check "--image: too large" 2 "mcuprov: patch: --image: expected a non-negative integer, got '12345678901'
$U"
run "$M" patch --conf cf/mcuboot.conf -k ed.pem --image 1
check "--image without --keys-c" 2 "mcuprov: patch: --image goes with --keys-c
$U"
run "$M" patch --hw-key -k ed.pem -D MCUBOOT_HW_KEY
check "-D with --hw-key" 2 "mcuprov: patch: -D and -U go with --keys-c or --conf
$U"
run "$M" render -t inline-single -k ed.pem -D 'A B'
check_last "render -D: not a macro name" 2 "usage: mcuprov render -t NAME|PATH -k KEY [-k KEY]... [--enc-key KEY] [-o OUT] [--allow-dev-key] [--passin [KEY=]SRC]... [-D NAME[=VALUE]]... [-U NAME]..."
assert "render -D: the reason" grep -qxF "mcuprov: render: -D 'A B': 'A B' is not a macro name" "$T_TMP/err"

# ---- mcuprov.yaml: bootloader.defines and undefines; rotate -D/-U over them
mkdir p p/keys p/boot && cd p || exit 1
cp ../ed.pem keys/old.pem && "$M" keygen -k keys/new.pem -t ed25519 >/dev/null
project() {
	cat >mcuprov.yaml <<EOF
version: 1
keys:
  - path: keys/old.pem
    type: ed25519
bootloader:
  conf: boot/mcuboot.conf
  defines: [$1]
  undefines: [$2]
image:
  header_size: 0x200
  slot_size: 0x20000
  version: 1.0.0
EOF
}
printf 'CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y\n' >boot/prj.conf
project MCUBOOT_SIGN_RSA MCUBOOT_SIGN_ED25519
run "$M" rotate add keys/new.pem --dry-run
check "bootloader.defines and undefines reach the configuration check" 1 "mcuprov: rotate: 'boot/mcuboot.conf': the key is ed25519 but the bootloader is configured for another signature type (-D MCUBOOT_SIGN_RSA)"
run "$M" rotate add keys/new.pem --dry-run -U MCUBOOT_SIGN_RSA -D MCUBOOT_SIGN_ED25519
check "rotate -U / -D override them" 0 ''
project '' ''
run "$M" rotate add keys/new.pem --dry-run
check "empty lists: the files decide" 0 ''
run "$M" rotate add keys/new.pem --dry-run -D MCUBOOT_SIGN_EC256 -U MCUBOOT_SIGN_ED25519
check "rotate -D alone" 1 "mcuprov: rotate: 'boot/mcuboot.conf': the key is ed25519 but the bootloader is configured for another signature type (-D MCUBOOT_SIGN_EC256)"
run "$M" rotate add keys/new.pem --dry-run -D 9
check "rotate -D: not a macro name" 2 '*'
assert "rotate -D: the reason" grep -qxF "mcuprov: rotate: -D '9': '9' is not a macro name" "$T_TMP/err"
project 'MCUBOOT_SIGN_RSA_LEN=2048, 2X=1' ''
run "$M" rotate add keys/new.pem --dry-run
check "bootloader.defines: a schema error" 1 "mcuprov: rotate: mcuprov.yaml:7:40: bootloader.defines[1]: expected NAME or NAME=VALUE, got '2X=1' ('2X' is not a macro name)"
cd .. || exit 1

no_leftovers "no temporary files left" .
done_testing
