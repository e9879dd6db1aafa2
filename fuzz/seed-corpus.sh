#!/bin/sh
# Seed the working corpus CORPUS of libFuzzer target NAME (fuzz/fuzz-NAME):
#   image    the shared test vectors' images (VECTORS/images/*.bin) and a
#            few minimal hand-made images (an empty TLV area, a protected
#            area, trailers) that reach corners the large vector images
#            leave to chance;
#   keysc    the keys.c fixtures (tests/fixtures/keysc/*.c) and keys.c
#            files rendered from the key templates;
#   project  the profiles (templates/targets/*.yaml) and hand-made project
#            files: every optional key, flow style, anchors, and broken
#            ones (a var loop, a step as a string, tabs, two documents);
#   key      the vectors' keys (VECTORS/keys, keys-enc: PEM; getpub/*.raw:
#            DER public keys) and, when the openssl tool is there, the same
#            keys as DER private keys and as encrypted traditional PEM;
#   kconf    the Kconfig fixtures (tests/fixtures/keysc/*.conf, .config,
#            mcuboot_config.h), fragments rendered from the template, and
#            hand-made corner cases (CRLF, no final newline, "is not set");
#   ppcond   the same fixtures (keys.c, Kconfig files, mcuboot_config.h) and
#            hand-made conditionals: MCUboot's keys.c nesting, continuations,
#            comments, CRLF, macro chains, errors, #if expressions alone.
# Rendered seeds need the mcuprov binary ($MCUPROV); without it (or
# without the vectors) they are left out.  Vector files are never committed
# here; the working corpora (which the fuzzers also grow) are not tracked.
# usage: seed-corpus.sh NAME VECTORS CORPUS [SRCDIR]
set -eu
name=$1
vectors=$2
corpus=$3
srcdir=${4:-$(dirname "$0")/..}
mkdir -p "$corpus"

# copy PREFIX FILE...: copy the files that exist as CORPUS/seed-PREFIXBASENAME;
# counts them in $n
n=0
copy() {
	pfx=$1
	shift
	for f in "$@"; do
		[ -f "$f" ] || continue
		cp -f "$f" "$corpus/seed-$pfx$(basename "$f")"
		n=$((n + 1))
	done
}

# render OUT ARGS...: write `mcuprov render ARGS` to CORPUS/seed-OUT, when
# mcuprov and the vector keys are there (a failure only loses the seed)
render() {
	out=$1
	shift
	[ -n "${MCUPROV:-}" ] && [ -x "$MCUPROV" ] && [ -d "$vectors/keys" ] || return 0
	if MCUPROV_TEMPLATES="$srcdir/templates" ASAN_OPTIONS=detect_leaks=0 \
		"$MCUPROV" render --allow-dev-key "$@" >"$corpus/seed-$out" 2>/dev/null; then
		n=$((n + 1))
	else
		rm -f "$corpus/seed-$out"
	fi
}

# bin FILE HEX...: write the bytes given as hex pairs (spaces ignored)
bin() {
	f=$1
	shift
	hex=$(echo "$*" | tr -d ' ')
	: >"$f"
	while [ -n "$hex" ]; do
		rest=${hex#??}
		# shellcheck disable=SC2059
		printf "\\$(printf %03o "0x${hex%"$rest"}")" >>"$f"
		hex=$rest
	done
}

seed_image() {
	# header: magic, load_addr, hdr_size 0x20, protected TLV size, img_size 4,
	# flags, version 1.2.3+4, padding; then a 4-byte payload
	hdr() { # PROT_TLV_SIZE(2 bytes LE hex)
		echo "3db8f396 00000000 2000 $1 04000000 00000000 01020300 04000000 00000000 deadbeef"
	}
	ff32="ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	magic="77c295f360d2ef7f3552500f2cb67980"
	bin "$corpus/seed-min-empty-tlvs.bin" "$(hdr 0000) 07690400"
	bin "$corpus/seed-min-prot.bin" "$(hdr 1000) 08691000 50000400 01000000 a0000000" \
		"07692800 10002000 $ff32"
	bin "$corpus/seed-min-trailer.bin" "$(hdr 0000) 07690400 $ff32 $magic"
	bin "$corpus/seed-min-trailer-align32.bin" "$(hdr 0000) 07690400 $ff32 $ff32 $ff32" \
		"$ff32 $ff32 2000 2de15d29410b8d77679c110f1f8a"
	# sign --boot-record A --vid ...: a CBOR boot record and a UUID TLV,
	# little- and (-e big) big-endian
	cbor="a5016141 0465312e322e33 05420000 0666534841323536 02420000"
	uuid="0123456789abcdef0123456789abcdef"
	bin "$corpus/seed-min-bootrec.bin" "$(hdr 3700) 08693700 60001b00 $cbor 74001000 $uuid" \
		"07690400"
	bin "$corpus/seed-min-bootrec-be.bin" "96f3b83d 00000000 0020 0037 00000004 00000000" \
		"01020003 00000004 00000000 deadbeef 69080037 6000001b $cbor 74000010 $uuid 69070004"
	# a record whose version claims an array of 2^29 items in 95 bytes
	# (found by the fuzzer: libcbor allocated 6.6 GB for it)
	bin "$corpus/seed-min-bootrec-huge-array.bin" "96f3b83d 00000000 0020 0037 00000004" \
		"00000009 01020003 00000004 00000000 dee2beef 69080037 6000001b a5016141" \
		"049a312e322e33 05420000 0670534841323536 02420074 00000010 0123456789abcdef" \
		"0123456789abcdef 69070004"
	n=7
	copy "" "$vectors"/images/*.bin
	[ "$n" -gt 7 ] || echo "seed-corpus: no images in '$vectors/images' (set MCUPROV_VECTORS);" \
		"fuzzing from the hand-made seeds and the existing corpus only" >&2
}

seed_keysc() {
	k=$vectors/keys
	copy "" "$srcdir"/tests/fixtures/keysc/*.c
	render inline-single-ed25519.c -t inline-single -k "$k/root-ed25519.pem"
	render inline-multi-ed25519.c -t inline-multi -k "$k/root-ed25519.pem" \
		-k "$k/root-ed25519-2.pem"
	render inline-multi-ec.c -t inline-multi -k "$k/root-ec-p256.pem" \
		-k "$k/enc-ec256-pub.pem"
	render inline-multi-rsa-enc.c -t inline-multi -k "$k/root-rsa-2048.pem" \
		--enc-key "$k/enc-rsa2048-priv.pem"
	render generated-key-file.c -t generated-key-file -k "$k/root-ec-p256.pem"
	# one with CRLF line ends and key comments
	if [ -f "$corpus/seed-inline-multi-ed25519.c" ]; then
		sed 's/$/\r/' "$corpus/seed-inline-multi-ed25519.c" >"$corpus/seed-inline-multi-crlf.c"
	fi
}

# yaml NAME: the project file on standard input as CORPUS/seed-NAME.yaml
yaml() {
	cat >"$corpus/seed-$1.yaml"
	n=$((n + 1))
}

seed_project() {
	copy "" "$srcdir"/templates/targets/*.yaml
	yaml full <<'EOF'
version: 1
keys:
  - path: keys/a.pem
    type: ecdsa-p256
  - {path: /abs/b.pem, type: ecdsa-p256}
encryption_key: keys/enc.pem
bootloader: {tree: ../mcuboot, keys_c: boot/zephyr/keys.c}
image:
  header_size: 0x200
  slot_size: 131072
  align: 32
  version: 1.2.3+4
  security_counter: 7
  pad: true
  confirm: true
  pad_header: false
default_target: two
targets:
  one:
    vars: {board: qemu_x86, build_dir: "${project_dir}/out", tool: "${bin}/west", bin: /usr/bin}
    bootloader_build: [["${tool}", build, -b, "${board}", -d, "${build_dir}/mcuboot"]]
    app: "${build_dir}/app.bin"
    signed_app: "${app}.signed"
    flash:
      - [sh, -c, 'echo "$1" $${literal}', sh, "${signed_app}", "${key}"]
    run: [[qemu, "", x$y, "$"]]
  two:
    app: a.bin
    signed_app: s.bin
    app_build: []
EOF
	yaml flow <<'EOF'
{version: 1, keys: [{path: k.pem, type: rsa-2048}], bootloader: {conf: mcuboot.conf},
 image: {header_size: 32, slot_size: 0xffffffff, version: "255.255.65535+4294967295",
 security_counter: auto}, targets: {t-1.x: {app: a, signed_app: b}}}
EOF
	yaml anchors <<'EOF'
version: 1
keys: [{path: k.pem, type: ed25519}]
image: &img {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}
targets:
  a: &t
    vars: &v {board: b}
    flash: &f [[west, flash, "${board}"]]
    app: x.bin
    signed_app: y.bin
  b:
    vars: *v
    flash: *f
    run: *f
    app: x.bin
    signed_app: y.bin
EOF
	yaml vars-wide <<'EOF'
version: 1
keys: [{path: k.pem, type: ed25519}]
image: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}
targets:
  t:
    vars:
      a: "${b}${b}${b}${b}${b}${b}${b}${b}"
      b: "${c}${c}${c}${c}${c}${c}${c}${c}"
      c: "${d}${d}${d}${d}${d}${d}${d}${d}"
      d: "${project_dir}${project_dir}"
    app: "${a}"
    signed_app: s.bin
EOF
	yaml loop <<'EOF'
version: 1
keys: [{path: k.pem, type: ed25519}]
image: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}
targets:
  t:
    vars: {a: "${b}", b: "${c}", c: "${a}"}
    app: "${a}"
    signed_app: s.bin
EOF
	yaml string-step <<'EOF'
version: 1
keys: [{path: k.pem, type: ed25519}]
image: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}
targets:
  t:
    app: a.bin
    signed_app: s.bin
    flash: ["west flash -d ${build_dir}"]
    run: "west run"
EOF
	yaml unknown <<'EOF'
version: 1
keys: [{path: k.pem, type: ed25519}, {path: k.pem, type: rsa-3072}]
image: {header_size: 0x10, slot_size: 0x8, version: 1.0.0.0, align: 3, bogus: 1}
bootlaoder: {conf: x, keys_c: y}
targets:
  -bad: {app: "${bord}", signed_app: "${unterminated"}
EOF
	printf 'version: 1\r\nkeys:\r\n\t- path: k.pem\r\n  type: ed25519\r\n' >"$corpus/seed-tabs.yaml"
	printf 'version: 1\n---\nversion: 2\n...\n' >"$corpus/seed-two-docs.yaml"
	printf '\357\273\277version: 1\nkeys: [{path: "\\x00\\u00e9", type: ed25519}]\n' \
		>"$corpus/seed-bom.yaml"
	n=$((n + 3))
}

seed_key() {
	copy "" "$vectors"/keys/*.pem "$vectors"/keys-enc/*.pem
	copy "raw-" "$vectors"/getpub/*.raw
	command -v openssl >/dev/null 2>&1 || return 0
	for f in "$vectors"/keys/root-*.pem "$vectors"/keys/enc-*-priv.pem; do
		[ -f "$f" ] || continue
		b=$(basename "$f" .pem)
		if openssl pkey -in "$f" -outform DER -out "$corpus/seed-$b.der" 2>/dev/null; then
			n=$((n + 1))
		else
			rm -f "$corpus/seed-$b.der"
		fi
		# traditional PEM encryption (Proc-Type/DEK-Info): OpenSSL's old
		# EVP_BytesToKey path, where the key types have one
		case $b in *ed25519* | *x25519* | *-pub) continue ;; esac
		if openssl pkey -in "$f" -traditional -aes-128-cbc -passout pass:mcuprov-test \
			-out "$corpus/seed-$b-trad-enc.pem" 2>/dev/null; then
			n=$((n + 1))
		else
			rm -f "$corpus/seed-$b-trad-enc.pem"
		fi
	done
}

seed_kconf() {
	copy "" "$srcdir"/tests/fixtures/keysc/*.conf "$srcdir"/tests/fixtures/keysc/zephyr.config \
		"$srcdir"/tests/fixtures/keysc/mcuboot_config.h
	render kconfig-ed25519.conf -t kconfig-fragment -k "$vectors/keys/root-ed25519.pem"
	render kconfig-rsa.conf -t kconfig-fragment -k "$vectors/keys/root-rsa-2048.pem"
	printf 'CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256=y\r\nCONFIG_BOOT_SIGNATURE_KEY_FILE="a.pem"' \
		>"$corpus/seed-crlf-no-eol.conf"
	printf '%s\n' '# CONFIG_BOOT_SIGNATURE_TYPE_ED25519 is not set' \
		'CONFIG_BOOT_SIGNATURE_TYPE_RSA = y' 'CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN=3072' \
		'  CONFIG_BOOT_SIGNATURE_KEY_FILE="x.pem"' 'CONFIG_BOOT_SIGNATURE_KEY_FILE="y.pem"' \
		'CONFIG_BOOT_ENCRYPT_IMAGE=n' '#CONFIG_BOOT_ENCRYPTION_KEY_FILE="e.pem"' \
		'CONFIG_BOOT_SIGNATURE_TYPE_NONE=y' >"$corpus/seed-dups.conf"
	n=$((n + 2))
}

seed_ppcond() {
	copy "" "$srcdir"/tests/fixtures/keysc/*.c "$srcdir"/tests/fixtures/keysc/*.conf \
		"$srcdir"/tests/fixtures/keysc/zephyr.config \
		"$srcdir"/tests/fixtures/keysc/mcuboot_config.h
	cat >"$corpus/seed-sim-keys.c" <<'EOF'
#if !defined(MCUBOOT_HW_KEY)
#if defined(MCUBOOT_SIGN_RSA)
#if MCUBOOT_SIGN_RSA_LEN == 2048
#define HAVE_KEYS
#elif MCUBOOT_SIGN_RSA_LEN == 3072
#define HAVE_KEYS
#endif
#elif defined(MCUBOOT_SIGN_EC256) || \
      defined(MCUBOOT_SIGN_EC384)
#ifndef MCUBOOT_SIGN_EC384
const unsigned char ecdsa_pub_key[] = { 0x30 };
#else
#endif
#define HAVE_KEYS
#elifdef MCUBOOT_SIGN_ED25519
#define HAVE_KEYS
#endif
#if defined(HAVE_KEYS)
#endif
#else
#endif
EOF
	cat >"$corpus/seed-macros.h" <<'EOF'
#ifndef GUARD_H
#define GUARD_H
#define A B /* c */ + 1
#define B (A * 2u) // self
#define F(x, y) ((x) << (y))
#if (MCUBOOT_IMAGE_NUMBER > 1) && F(1, 2) || A ? -1 : ~0 >> 63
#undef A
#elif IS_ENABLED(CONFIG_X) || __has_include(<a.h>) || 'c' || 0x7fffffffffffffff + 1
#else
#error "no"
#endif
#endif
EOF
	printf '#if 1 /* a\r\n b */ \\\r\n && 2\r\n#else\r\n#endif' >"$corpus/seed-crlf.h"
	printf '(1 ? 2 : 3) * -4 / 5 %% 6 << 7 >> 1 < 2 <= 3 > 4 >= 5 == 6 != 7 & 8 ^ 9 | 10' \
		>"$corpus/seed-expr.txt"
	printf '#else\n#endif\n#if 1\n#else\n#elif 0\n#if\n#ifdef\n' >"$corpus/seed-errors.h"
	n=$((n + 5))
}

case $name in
image | keysc | project | key | kconf | ppcond) "seed_$name" ;;
*)
	echo "seed-corpus: unknown target '$name'" >&2
	exit 2
	;;
esac
echo "seed-corpus: $name: $n seeds in $corpus"
