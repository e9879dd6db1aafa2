#!/bin/bash
# Issue 13, items 3, 4, 5, 6, 8 and 9: pathological input refused with an
# exact message (or, for an empty config file, accepted).  Every fixture is
# made here, by mcuprov itself, printf or python3.
. "$MCUPROV_SRCDIR/tests/lib.sh"
command -v python3 >/dev/null || skip_all "python3 not installed"

"$M" keygen -k p256.pem -t ecdsa-p256 >/dev/null
"$M" keygen -k p256b.pem -t ecdsa-p256 >/dev/null
"$M" keygen -k ed.pem -t ed25519 >/dev/null

# ---- item 3: a numeric bootutil_key_cnt that disagrees with the list
# inline DIR COUNT: keys.c with p256.pem's array (getpub: 16 lines), one
# list entry (line 18) and bootutil_key_cnt = COUNT (line 19)
inline() {
	rm -rf "$1" && mkdir "$1"
	{
		echo '#include <bootutil/sign_key.h>'
		"$M" getpub -k p256.pem
		echo 'const struct bootutil_key bootutil_keys[] = {{.key = ecdsa_pub_key, .len = &ecdsa_pub_key_len}};'
		echo "const int bootutil_key_cnt = $2;"
	} >"$1/keys.c"
	cp "$1/keys.c" "$1/orig.c"
}
CNT3="line 19: bootutil_key_cnt is 3 but bootutil_keys[] (line 18) lists 1 key under this configuration: the bootloader would read past the list"
inline c3 3
run "$M" patch --keys-c c3/keys.c -k p256.pem
check "count 3, one entry, the key it holds: refused" 1 "mcuprov: patch: 'c3/keys.c': $CNT3"
run "$M" patch --keys-c c3/keys.c -k p256b.pem
check "count 3, one entry, another key of the type: refused" 1 "mcuprov: patch: 'c3/keys.c': $CNT3"
run "$M" patch --keys-c c3/keys.c -k p256.pem -k p256b.pem
check "count 3, one entry, two keys: refused" 1 "mcuprov: patch: 'c3/keys.c': $CNT3"
assert "count 3: keys.c unchanged, no backup" cmp -s c3/keys.c c3/orig.c
assert "count 3: no backup" test ! -e c3/keys.c.bak
no_leftovers "count 3: no temporary file" c3
inline c1 1
run "$M" patch --keys-c c1/keys.c -k p256b.pem
check "count 1, one entry: patched" 0 ''
assert "count 1: patched, says so" grep -qx "patched 'c1/keys.c' (the old one is 'c1/keys.c.bak')" "$T_TMP/out"
# two entries, count 1: the second key would be ignored
rm -rf c2 && mkdir c2
{
	echo '#include <bootutil/sign_key.h>'
	"$M" getpub -k p256.pem
	"$M" getpub -k p256b.pem --name-suffix _1 | sed 1d
	echo 'const struct bootutil_key bootutil_keys[] = {'
	echo '    {.key = ecdsa_pub_key, .len = &ecdsa_pub_key_len},'
	echo '    {.key = ecdsa_pub_key_1, .len = &ecdsa_pub_key_1_len},'
	echo '};'
	echo 'const int bootutil_key_cnt = 1;'
} >c2/keys.c
run "$M" patch --keys-c c2/keys.c -k p256.pem -k p256b.pem
check "count 1, two entries: refused" 1 "mcuprov: patch: 'c2/keys.c': line 37: bootutil_key_cnt is 1 but bootutil_keys[] (line 33) lists 2 keys under this configuration: the bootloader would ignore the keys after the count"

# a keys.c whose key bytes the build generates (extern declarations):
# --emit-key-file wrote the key file and exited 0 whatever the count said
gen() { # DIR COUNT
	rm -rf "$1" && mkdir "$1"
	printf '%s\n' '#include <bootutil/sign_key.h>' '#if defined(MCUBOOT_SIGN_EC256)' \
		'extern const unsigned char ecdsa_pub_key[];' 'extern unsigned int ecdsa_pub_key_len;' \
		'#endif' 'const struct bootutil_key bootutil_keys[] = {' \
		'    { .key = ecdsa_pub_key, .len = &ecdsa_pub_key_len },' '};' \
		"const int bootutil_key_cnt = $2;" >"$1/keys.c"
}
gen g3 3
run "$M" patch --keys-c g3/keys.c -k p256.pem --emit-key-file g3/key.c
check "generated keys, count 3, --emit-key-file: refused" 1 "mcuprov: patch: 'g3/keys.c': line 9: bootutil_key_cnt is 3 but bootutil_keys[] (line 6) lists 1 key under this configuration: the bootloader would read past the list"
assert "generated keys, count 3: no key file written" test ! -e g3/key.c
run "$M" patch --keys-c g3/keys.c -k p256.pem
check "generated keys, count 3, no --emit-key-file: the count first" 1 "mcuprov: patch: 'g3/keys.c': line 9: bootutil_key_cnt is 3 but bootutil_keys[] (line 6) lists 1 key under this configuration: the bootloader would read past the list"
gen g1 1
run "$M" patch --keys-c g1/keys.c -k p256.pem --emit-key-file g1/key.c
check "generated keys, count 1: the key file written" 0 ''
assert "generated keys, count 1: says so" grep -qx "wrote the generated key file 'g1/key.c'" "$T_TMP/out"

# keys.c #including the file with the bytes: the count's refusal, not
# "has no block for ecdsa-p256 keys"
inc() { # DIR COUNT
	rm -rf "$1" && mkdir "$1"
	"$M" getpub -k p256.pem >"$1/pub.c"
	printf '%s\n' '#include <bootutil/sign_key.h>' '#include "pub.c"' \
		'const struct bootutil_key bootutil_keys[] = {' \
		'    { .key = ecdsa_pub_key, .len = &ecdsa_pub_key_len },' '};' \
		"const int bootutil_key_cnt = $2;" >"$1/keys.c"
	cp "$1/pub.c" "$1/pub.orig"
}
inc i3 3
run "$M" patch --keys-c i3/keys.c -k p256b.pem
check "included key file, count 3: the count's refusal" 1 "mcuprov: patch: 'i3/keys.c': line 6: bootutil_key_cnt is 3 but bootutil_keys[] (line 3) lists 1 key under this configuration: the bootloader would read past the list"
assert "included key file, count 3: nothing patched" cmp -s i3/pub.c i3/pub.orig
inc i1 1
run "$M" patch --keys-c i1/keys.c -k p256b.pem
check "included key file, count 1: patched" 0 ''
assert "included key file, count 1: the included file patched" grep -qx "patched 'i1/pub.c' (the old one is 'i1/pub.c.bak')" "$T_TMP/out"

# ---- items 4 and 9: hash TLVs as MCUboot checks them
# an Ed25519 image (deterministic): header 0x200, payload 1000 bytes, TLV
# area at 0x5e8: SHA256 at 0x5ec, KEYHASH, ED25519; area end 0x678
head -c 1000 /dev/zero | tr '\0' 'A' >app.bin
"$M" sign -k ed.pem -v 1.2.3 -H 0x200 --pad-header -S 0x10000 app.bin s.img >/dev/null
"$M" sign -k ed.pem -v 1.2.3 -H 0x200 --pad-header -S 0x10000 -s 7 app.bin sc.img >/dev/null
# mutate MODE IN OUT
mutate() {
	python3 - "$@" <<'PY'
import struct, sys
mode, src, dst = sys.argv[1:4]
b = bytearray(open(src, "rb").read())
_, _, h, p, i = struct.unpack("<IIHHI", b[:16])
o = h + i + p                       # the TLV area
m, tot = struct.unpack("<HH", b[o:o + 4])
first = o + 4                       # its first TLV: SHA256
if mode in ("dup-bad", "dup-same", "dup-first"):
    t, l = struct.unpack("<HH", b[first:first + 4])
    assert t == 0x10 and l == 32
    good = bytes(b[first:first + 36])
    bad = struct.pack("<HH", 0x10, 32) + bytes(32)
    at = first if mode == "dup-first" else o + tot
    b[at:at] = good if mode == "dup-same" else bad
    struct.pack_into("<H", b, o + 2, tot + 36)
elif mode == "short":               # says 16, 32 bytes follow
    struct.pack_into("<H", b, first + 2, 16)
elif mode == "short-whole":         # says 16, holds 16: the area adds up
    struct.pack_into("<H", b, first + 2, 16)
    del b[first + 4 + 16:first + 36]
    struct.pack_into("<H", b, o + 2, tot - 16)
elif mode == "seccnt":              # protected SEC_CNT says 2
    q = h + i + 4
    assert struct.unpack("<H", b[q:q + 2])[0] == 0x50
    struct.pack_into("<H", b, q + 2, 2)
open(dst, "wb").write(b)
PY
}
for m in dup-bad dup-same dup-first short short-whole; do mutate $m s.img $m.img; done
mutate seccnt sc.img seccnt.img
run "$M" verify -k ed.pem s.img
check "the image as signed: verified" 0 ''
run "$M" verify -k ed.pem dup-bad.img
check "a second SHA256 TLV with a wrong hash: refused" 1 "mcuprov: verify: 'dup-bad.img': hash mismatch: the SHA256 TLV at 0x678 does not match the image (MCUboot checks every SHA256 TLV)"
run "$M" verify dup-bad.img
check "a second SHA256 TLV with a wrong hash, no key: refused" 1 "mcuprov: verify: 'dup-bad.img': hash mismatch: the SHA256 TLV at 0x678 does not match the image (MCUboot checks every SHA256 TLV)"
run "$M" verify -k ed.pem dup-first.img
check "the wrong SHA256 TLV first: refused" 1 "mcuprov: verify: 'dup-first.img': hash mismatch: the image was corrupted or tampered with"
run "$M" verify -k ed.pem dup-same.img
check "a second SHA256 TLV with the right hash: verified (as MCUboot)" 0 ''
LEN16="TLV 0x10 (SHA256) at 0x5ec has length 16, expected 32"
run "$M" verify -k ed.pem short.img
check "SHA256 TLV of length 0x10: verify names the length" 1 "mcuprov: verify: 'short.img': bad TLV area: $LEN16"
run "$M" dumpinfo short.img
check "SHA256 TLV of length 0x10: dumpinfo names the length" 1 "mcuprov: dumpinfo: 'short.img': bad TLV area: $LEN16"
run "$M" verify -k ed.pem short-whole.img
check "SHA256 TLV of 16 bytes, area consistent: verify names the length" 1 "mcuprov: verify: 'short-whole.img': bad TLV area: $LEN16"
run "$M" dumpinfo short-whole.img
check "SHA256 TLV of 16 bytes, area consistent: dumpinfo shows it" 0 ''
assert "dumpinfo shows its length" grep -qx '        len:  0x10' "$T_TMP/out"
run "$M" verify -k ed.pem seccnt.img
check "protected SEC_CNT of length 2: verify names the length" 1 "mcuprov: verify: 'seccnt.img': bad protected TLV area: TLV 0x50 (SEC_CNT) at 0x5ec has length 2, expected 4"
run "$M" dumpinfo seccnt.img
check "protected SEC_CNT of length 2: dumpinfo names the length" 1 "mcuprov: dumpinfo: 'seccnt.img': bad protected TLV area: TLV 0x50 (SEC_CNT) at 0x5ec has length 2, expected 4"

# ---- item 8: 0 is no slot size, no sector count, no alignment
U="usage: mcuprov sign [-k KEY] -v VERSION -H SIZE -S SIZE [OPTIONS] INFILE OUTFILE"
sign0() { # DESC MESSAGE OPTIONS...
	local desc=$1 msg=$2
	shift 2
	rm -f z.img
	run "$M" sign -k ed.pem -v 1.2.3 -H 0x200 --pad-header "$@" app.bin z.img
	check "$desc" 2 "mcuprov: sign: $msg
$U"
	assert "$desc: no image" test ! -e z.img
}
sign0 "-S 0: usage error" "invalid -S/--slot-size '0' (the size of the slot the image must fit, more than 0)" -S 0
sign0 "--slot-size 0x0: usage error" "invalid -S/--slot-size '0x0' (the size of the slot the image must fit, more than 0)" --slot-size 0x0
sign0 "-M 0: usage error" "invalid -M/--max-sectors '0' (the sectors of the swap status area, 1 or more)" -S 0x10000 -M 0
sign0 "--max-align 0: usage error" "invalid --max-align '0' (8, 16 or 32)" -S 0x10000 --max-align 0
run "$M" sign -k ed.pem -v 1.2.3 -H 0x200 --pad-header -S 0x10000 --align 0 app.bin z.img
check "--align 0: refused (as before)" 2 "mcuprov: sign: invalid --align 0 (1, 2, 4, 8, 16 or 32)"
run "$M" sign -k ed.pem -v 1.2.3 -H 0 --pad-header -S 0x10000 app.bin z.img
check "-H 0: refused (as before)" 2 "mcuprov: sign: header size 0x0 out of range (0x20 to 0xffff)"
run "$M" sign -k ed.pem -v 1.2.3 -H 0x200 --pad-header -S 0x400 app.bin z.img
check "a slot too small: the fit check runs" 2 "mcuprov: sign: 'app.bin': image (0x678 bytes with header and TLVs) + trailer (0x1b0) exceeds the slot size 0x400"
run "$M" sign -k ed.pem -v 1.2.3 -H 0x200 --pad-header -S 0x10000 -M 1 --max-align 8 app.bin z.img
check "-M 1 --max-align 8: signed" 0 ''

# ---- item 6: an empty config file is valid and sets nothing
rm -rf d && mkdir d && : >d/prj.conf
run "$M" patch --conf d/mcuboot.conf -k p256.pem
check "empty prj.conf beside mcuboot.conf: patched" 0 ''
assert "empty prj.conf: mcuboot.conf created" grep -qx "created 'd/mcuboot.conf'" "$T_TMP/out"
assert "empty prj.conf: the key file set" grep -qx "CONFIG_BOOT_SIGNATURE_KEY_FILE=\"$T_TMP/p256.pub.pem\"" d/mcuboot.conf
: >d/.config && : >d/autoconf.h && : >d/mcuboot_config.h && : >empty.conf
run "$M" patch --conf d/mcuboot.conf -k p256b.pem --config empty.conf --dry-run
check "empty .config, autoconf.h, mcuboot_config.h and --config: read" 0 ''
: >d/mcuboot.conf
run "$M" patch --conf d/mcuboot.conf -k p256.pem
check "an empty mcuboot.conf itself: patched" 0 ''
assert "an empty mcuboot.conf: patched, says so" grep -qx "patched 'd/mcuboot.conf' (the old one is 'd/mcuboot.conf.bak')" "$T_TMP/out"
inline d 1
: >d/prj.conf && : >d/.config
run "$M" patch --keys-c d/keys.c -k p256b.pem --config empty.conf
check "keys.c with empty config files beside it: patched" 0 ''

# ---- item 5: nesting and size bounded before the document is built
{ printf 'version: 1\nkeys: '; head -c 80000 /dev/zero | tr '\0' '['; head -c 80000 /dev/zero | tr '\0' ']'; echo; } >deep.yaml
for cmd in run build; do
	run "$M" $cmd -f deep.yaml --dry-run
	check "$cmd: 80,000 levels of nesting refused" 1 "mcuprov: $cmd: deep.yaml:2:70: nesting deeper than 64 levels"
done
run "$M" rotate add p256b.pem -f deep.yaml --dry-run
check "rotate: 80,000 levels of nesting refused" 1 "mcuprov: rotate: deep.yaml:2:70: nesting deeper than 64 levels"
{ printf 'version: 1\nkeys:\n'; for i in $(seq 1 70); do printf '%*sa:\n' "$i" ''; done; printf '%*sb\n' 71 ''; } >block.yaml
run "$M" run -f block.yaml --dry-run
check "block mappings 70 deep: refused at the 65th level" 1 "mcuprov: run: block.yaml:66:65: nesting deeper than 64 levels"
{ printf 'version: 1\nkeys: '; head -c 63 /dev/zero | tr '\0' '['; head -c 63 /dev/zero | tr '\0' ']'; echo; } >d64.yaml
run "$M" run -f d64.yaml --dry-run
check "64 levels: within the bound, refused for what it is" 1 "mcuprov: run: d64.yaml:1:1: missing required key 'image'"
{ printf 'version: 1\nkeys: ['; yes '1,' | head -n 100000 | tr -d '\n'; printf '1]\n'; } >wide.yaml
run "$M" run -f wide.yaml --dry-run
check "100,001 nodes: refused" 1 "mcuprov: run: wide.yaml:2:199998: more than 100000 nodes"

done_testing
