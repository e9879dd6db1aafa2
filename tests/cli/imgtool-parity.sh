#!/bin/bash
# imgtool parity (issue 14): --boot-record, --vid/--cid, --pad-sig,
# -e big, create, and mcuprov under the drop-in name `imgtool`, each
# against MCUboot's imgtool run here as the reference: byte for byte where
# imgtool is deterministic (hash-only and Ed25519), everything but the
# signature bytes for RSA-PSS and ECDSA.  Plus dumpinfo of the new TLVs and
# of big-endian images, and every refusal (exact exit code and message).
. "$MCUPROV_SRCDIR/tests/lib.sh"
need_vectors
. "$MCUPROV_SRCDIR/tests/mcuboot-lib.sh"
need_imgtool
IMGTOOL_VERSION=$(imgtool version 2>&1) || skip_all "imgtool does not run: $IMGTOOL_VERSION"

it() { imgtool "$@"; }

cp "$V/images/app.bin" app.bin
head -c 70000 /dev/urandom >big.bin
# keys readable only by us: no mode warnings on stderr
for k in root-ed25519 root-ec-p256 root-ec-p384 root-rsa-2048; do
	cp "$V/keys/$k.pem" "$k.pem" && chmod 600 "$k.pem"
done
ED=root-ed25519.pem
U="usage: mcuprov sign [-k KEY] -v VERSION -H SIZE -S SIZE [OPTIONS] INFILE OUTFILE"
DEVWARN="mcuprov: warning: '$ED' is MCUboot's published development key root-ed25519.pem: its private half is public, anyone can sign images it accepts; never ship it"

# Compare two images field by field: header, payload, protected TLVs and
# trailer byte for byte; the unprotected TLVs type by type, values equal
# except the signature's (SIGLEN: "same" or "any").
cat >cmpimg.py <<'PY'
import struct, sys
a, b, siglen = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(), sys.argv[3]
e = ">" if a[:4] == bytes.fromhex("96f3b83d") else "<"
def parse(d):
    hs, ps, isz = struct.unpack(e + "HHI", d[8:16])
    off = hs + isz
    hashed = d[:off + ps]
    off += ps
    magic, tot = struct.unpack(e + "HH", d[off:off + 4])
    assert magic == 0x6907, hex(magic)
    tlvs, p = [], off + 4
    while p < off + tot:
        t, n = (d[p], struct.unpack(e + "H", d[p + 2:p + 4])[0])
        tlvs.append((t, d[p + 4:p + 4 + n])); p += 4 + n
    return hashed, tlvs, d[off + tot:]
ha, ta, ra = parse(a); hb, tb, rb = parse(b)
sig = {0x20, 0x22, 0x23, 0x24}
err = []
if ha != hb: err.append("header/payload/protected TLVs differ")
if [t for t, _ in ta] != [t for t, _ in tb]: err.append("TLV types %s vs %s" % ([t for t, _ in ta], [t for t, _ in tb]))
for (t, va), (_, vb) in zip(ta, tb):
    if t in sig:
        if siglen == "same" and len(va) != len(vb): err.append("signature lengths %d vs %d" % (len(va), len(vb)))
    elif va != vb: err.append("TLV 0x%x differs" % t)
if siglen == "same" and ra != rb: err.append("trailer differs")
if siglen == "any" and ra.lstrip(b"\xff") != rb.lstrip(b"\xff"): err.append("trailer differs")
print("; ".join(err)); sys.exit(1 if err else 0)
PY

# same DESC ARGS...: imgtool sign and mcuprov sign with ARGS, byte for byte.
same() {
	desc=$1
	shift
	rm -f ref.bin got.bin
	if ! it sign "$@" app.bin ref.bin >/dev/null 2>it.err; then
		not_ok "$desc" "imgtool failed: $(tail -n 1 it.err)"
		return
	fi
	run "$M" sign "$@" app.bin got.bin
	if [ "$RC" != 0 ]; then
		not_ok "$desc" "mcuprov exit $RC: $(cat "$T_TMP/err")"
	elif cmp -s ref.bin got.bin; then
		ok "$desc"
	else
		not_ok "$desc" "$(cmp ref.bin got.bin 2>&1)"
	fi
}

# similar DESC SIGLEN ARGS...: as same, all but the signature bytes.
similar() {
	desc=$1 siglen=$2
	shift 2
	rm -f ref.bin got.bin
	if ! it sign "$@" app.bin ref.bin >/dev/null 2>it.err; then
		not_ok "$desc" "imgtool failed: $(tail -n 1 it.err)"
		return
	fi
	run "$M" sign "$@" app.bin got.bin
	if [ "$RC" != 0 ]; then
		not_ok "$desc" "mcuprov exit $RC: $(cat "$T_TMP/err")"
	elif d=$(/usr/bin/python3 cmpimg.py ref.bin got.bin "$siglen" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc" "$d"
	fi
}

B="-v 1.2.3+4 -H 0x200 --pad-header -S 0x20000"
UUID=12345678-1234-5678-1234-567812345678

# ---- --boot-record --------------------------------------------------------
same "boot record, hash only" $B --boot-record BL2
same "boot record, ed25519" -k $ED $B --boot-record SPE
same "boot record, ed25519, 12 characters (the most)" -k $ED $B --boot-record ABCDEFGHIJKL
same "boot record, ed25519, non-ASCII (12 characters, more bytes)" -k $ED $B --boot-record 'ÄÖÜäöüßéèêëï'
same "boot record, empty software type" -k $ED $B --boot-record ''
same "boot record, ed25519 --sha 512" -k $ED $B --boot-record NSPE --sha 512
same "boot record, ed25519 --pure" -k $ED $B --boot-record NSPE --pure
same "boot record, ed25519, full public key" -k $ED $B --boot-record X --public-key-format full
same "boot record, hash only --sha 384" $B --boot-record X --sha 384
same "boot record with SEC_CNT, dependencies and custom TLVs (order)" -k $ED $B \
	--boot-record CoFM -s auto -d "(1,2.3.4+5), (0, 1.0)" --custom-tlv 0xa0 0x0102 \
	--custom-tlv-file 0x1234 app.bin
similar "boot record, ecdsa-p256 (all but the signature)" any -k root-ec-p256.pem $B --boot-record SPE
similar "boot record, ecdsa-p384 (all but the signature)" any -k root-ec-p384.pem $B --boot-record SPE
similar "boot record, rsa-2048 (all but the signature)" same -k root-rsa-2048.pem $B --boot-record SPE

# ---- --vid / --cid --------------------------------------------------------
same "vid as a domain name (UUIDv5)" -k $ED $B --vid example.com
same "vid and cid names (cid in vid's namespace)" -k $ED $B --vid example.com --cid my-class
same "raw vid, cid name in its namespace" -k $ED $B --vid $UUID --cid class
same "raw vid and raw cid (32 hex digits, upper case)" $B --vid $UUID --cid ABCDEFABCDEFABCDEFABCDEFABCDEFAB
same "cid alone, raw" $B --cid $UUID
same "empty vid and cid names" $B --vid '' --cid ''
same "vid name with spaces and UTF-8" -k $ED $B --vid 'Acme Widgets Ünited' --cid 'boot loader'
same "vid/cid with boot record, SEC_CNT, dependency and custom TLV" -k $ED $B --vid a.example \
	--cid c --boot-record X -s 7 -d "(1,2.0)" --custom-tlv 0xa1 text
similar "vid/cid, rsa-2048" same -k root-rsa-2048.pem $B --vid example.com --cid fw

# ---- -e big ---------------------------------------------------------------
same "big endian, hash only" -e big $B
same "big endian, ed25519" -e big -k $ED $B
same "big endian, everything protected, --pad --confirm, --max-align 16" -e big -k $ED $B \
	--pad --confirm --max-align 16 --align 16 -s auto -d "(1,2.3.4+5)" --boot-record SPE \
	--vid a.b --cid c --custom-tlv 0xa0 0x0102 --custom-tlv 0x1234 abc
same "big endian, --pad --test, load address, non-bootable" -e big -k $ED $B --pad --test \
	-L 0x20000000 --non-bootable
same "big endian, --rom-fixed, --overwrite-only --pad, erased 0" -e big $B -F 0x8000 \
	--overwrite-only --pad -R 0
same "big endian, ed25519 --pure, full key" -e big -k $ED $B --pure --public-key-format full
same "-e little is the default" -e little -k $ED $B --boot-record X
similar "big endian, rsa-2048" same -e big -k root-rsa-2048.pem $B -s 3 --pad --confirm
similar "big endian, ecdsa-p256" any -e big -k root-ec-p256.pem $B --boot-record SPE

# ---- --pad --confirm with the new options, other sign types ----------------
same "--pad --confirm, boot record, vid/cid, ed25519" -k $ED $B --pad --confirm --align 8 \
	--boot-record SPE --vid x.y --cid z
same "--pad --confirm, hash only, --max-sectors" $B --pad --confirm -M 64 --boot-record A --vid v
similar "--pad --confirm, rsa-2048, boot record" same -k root-rsa-2048.pem $B --pad --confirm \
	--boot-record SPE --vid x.y
similar "--pad --confirm, ecdsa-p384, vid/cid" any -k root-ec-p384.pem $B --pad --confirm --vid x.y --cid z

# ---- --pad-sig ------------------------------------------------------------
# ECDSA signatures are random and DER-encoded (P-256: 70 to 72 bytes): with
# --pad-sig imgtool pads them with zeros to 72 (P-384: to 103).
cat >sigcheck.py <<'PY'
import struct, sys
d, want = open(sys.argv[1], "rb").read(), int(sys.argv[2])
hs, ps, isz = struct.unpack("<HHI", d[8:16])
off = hs + isz + ps
tot = struct.unpack("<H", d[off + 2:off + 4])[0]
p = off + 4
while p < off + tot:
    t, n = d[p], struct.unpack("<H", d[p + 2:p + 4])[0]
    if t == 0x22:
        s = d[p + 4:p + 4 + n]; der = s[1] + 2
        ok = s[0] == 0x30 and der <= n and not any(s[der:]) and (n == want or (n == der and der > want))
        print("%d %d" % (n, der)); sys.exit(0 if ok else 1)
    p += 4 + n
sys.exit(2)
PY
padsig() {
	curve=$1 key=$2 want=$3 fail="" lens=""
	for i in 1 2 3 4 5 6 7 8; do
		head -c $((1000 + i * 37)) /dev/urandom >ps.in
		it sign -k $key $B --pad-sig ps.in ps-ref.bin >/dev/null 2>&1 || fail="$fail imgtool($i)"
		"$M" sign -k $key $B --pad-sig ps.in ps-got.bin >/dev/null 2>&1 || fail="$fail mcuprov($i)"
		/usr/bin/python3 sigcheck.py ps-ref.bin $want >/dev/null || fail="$fail ref-structure($i)"
		l=$(/usr/bin/python3 sigcheck.py ps-got.bin $want) || fail="$fail structure($i: $l)"
		lens="$lens ${l#* }"
		/usr/bin/python3 cmpimg.py ps-ref.bin ps-got.bin any >/dev/null ||
			fail="$fail layout($i)"
		[ "$curve" = p384 ] || cmp -s <(stat -c %s ps-ref.bin) <(stat -c %s ps-got.bin) ||
			fail="$fail size($i)"
		"$M" verify -k $key ps-got.bin >/dev/null 2>&1 || fail="$fail mcuprov-verify($i)"
		it verify -k $key ps-got.bin >/dev/null 2>&1 || fail="$fail imgtool-verify($i)"
		"$M" verify -k $key ps-ref.bin >/dev/null 2>&1 || fail="$fail verify-imgtool's($i)"
	done
	if [ -z "$fail" ]; then
		ok "--pad-sig $curve: 8 images, padded to $want as imgtool pads (DER lengths:$lens), both tools verify"
	else
		not_ok "--pad-sig $curve" "$fail"
	fi
}
padsig p256 root-ec-p256.pem 72
padsig p384 root-ec-p384.pem 103
same "--pad-sig does nothing for ed25519" -k $ED $B --pad-sig --boot-record X
similar "--pad-sig does nothing for rsa-2048" same -k root-rsa-2048.pem $B --pad-sig
rm -f got.bin
run "$M" sign -k root-ec-p256.pem $B --pad-sig --sig-out sig.b64 app.bin got.bin
if [ "$RC" = 0 ] && [ "$(base64 -d sig.b64 | wc -c)" = 72 ]; then
	ok "--sig-out writes the padded signature (72 bytes), as imgtool does"
else
	not_ok "--sig-out with --pad-sig" "exit $RC, $(base64 -d sig.b64 2>/dev/null | wc -c) bytes"
fi

# ---- create is sign -------------------------------------------------------
run "$M" create -k $ED $B --boot-record X --vid v app.bin create.bin
check "mcuprov create runs sign" 0 "$DEVWARN"
"$M" sign -k $ED $B --boot-record X --vid v app.bin sign.bin >/dev/null 2>&1
assert "mcuprov create writes what mcuprov sign writes" cmp -s create.bin sign.bin
it create -k $ED $B --boot-record X --vid v app.bin ref.bin >/dev/null 2>&1
assert "mcuprov create writes what imgtool create writes" cmp -s create.bin ref.bin
run "$M" create --help
if [ "$RC" = 0 ] && [ "$(head -n 1 "$T_TMP/out")" = "usage: mcuprov create [-k KEY] -v VERSION -H SIZE -S SIZE [OPTIONS] INFILE OUTFILE" ] &&
	grep -q -- '--boot-record SW_TYPE' "$T_TMP/out"; then
	ok "mcuprov create --help shows create, with sign's options"
else
	not_ok "mcuprov create --help" "$(head -n 3 "$T_TMP/out")"
fi
run "$M" create -v 1 app.bin x.bin
check "create's usage errors name create" 2 "mcuprov: create: missing -H/--header-size
usage: mcuprov create [-k KEY] -v VERSION -H SIZE -S SIZE [OPTIONS] INFILE OUTFILE"
run "$M" help
if grep -q '^  create       the same as sign' "$T_TMP/out"; then ok "mcuprov help lists create"; else not_ok "mcuprov help lists create"; fi

# ---- refusals -------------------------------------------------------------
rm -f out.bin
run "$M" sign $B --boot-record ABCDEFGHIJKLM app.bin out.bin
check "a 13-character software type is refused" 2 "mcuprov: sign: 'ABCDEFGHIJKLM': --boot-record: the software type is too long (13 characters; at most 12)"
run "$M" sign $B --boot-record "$(printf 'a\377')" app.bin out.bin
check "a software type that is not UTF-8 is refused" 2 "mcuprov: sign: '$(printf 'a\377')': --boot-record: the software type is not UTF-8 text"
run "$M" sign $B --cid my-class app.bin out.bin
check "a cid name without --vid is refused (no namespace)" 2 "mcuprov: sign: 'my-class': --cid: a name needs a namespace: give --vid too, or a raw UUID"
run "$M" sign $B --vid "$(printf 'a\tb')" app.bin out.bin
check "a vid with a control character is refused" 2 "mcuprov: sign: '$(printf 'a\tb')': --vid: not a UUID (8-4-4-4-12 or 32 hex digits) nor a printable name"
run "$M" sign $B -e middle app.bin out.bin
check "-e takes little or big" 2 "mcuprov: sign: invalid -e/--endian 'middle' (little or big)
$U"
if [ ! -e out.bin ]; then ok "no output after a refusal"; else not_ok "no output after a refusal"; fi
# imgtool refuses them as well
it sign $B --boot-record ABCDEFGHIJKLM app.bin out.bin >/dev/null 2>it.err
if [ $? = 2 ] && grep -q "is too long (13 characters)" it.err; then ok "imgtool also refuses 13 characters"; else not_ok "imgtool also refuses 13 characters" "$(cat it.err)"; fi
it sign $B --cid my-class app.bin out.bin >/dev/null 2>it.err
if [ $? != 0 ] && grep -q "Unknown namespace for UUID: my-class" it.err; then ok "imgtool also refuses a cid name without vid"; else not_ok "imgtool also refuses a cid name without vid"; fi

# ---- dumpinfo -------------------------------------------------------------
"$M" sign -k $ED $B --boot-record SPE --vid example.com --cid fw -s 1 app.bin le.bin >/dev/null 2>&1
"$M" sign -e big -k $ED $B --boot-record SPE --vid example.com --cid fw -s 1 --pad --confirm app.bin be.bin >/dev/null 2>&1
it dumpinfo le.bin >le.ref 2>/dev/null
run "$M" dumpinfo le.bin
# mcuprov adds the decoded lines; the rest is imgtool's listing
if [ "$RC" = 0 ] && diff <(grep -Ev '^        (uuid|sw_type|sw_version|signer_id|measurement_type|measurement_value):' "$T_TMP/out") le.ref >/dev/null; then
	ok "dumpinfo: imgtool's listing of the new TLVs, plus the decoded lines"
else
	not_ok "dumpinfo: imgtool's listing" "$(diff "$T_TMP/out" le.ref | head -n 5)"
fi
KH=$(it getpubhash -k $ED -e raw 2>/dev/null | od -An -tx1 -v | tr -d ' \n')
VID=$(/usr/bin/python3 -c 'import uuid; print(uuid.uuid5(uuid.NAMESPACE_DNS, "example.com"))')
CID=$(/usr/bin/python3 -c 'import uuid; v = uuid.uuid5(uuid.NAMESPACE_DNS, "example.com"); print(uuid.uuid5(v, "fw"))')
Z=0000000000000000000000000000000000000000000000000000000000000000
cat >decoded.want <<EOF
        sw_type:           SPE
        sw_version:        1.2.3
        signer_id:         $KH
        measurement_type:  SHA256
        measurement_value: $Z
        uuid: $VID
        uuid: $CID
EOF
grep -E '^        (uuid|sw_type|sw_version|signer_id|measurement_type|measurement_value):' "$T_TMP/out" >decoded.got
if cmp -s decoded.got decoded.want; then
	ok "dumpinfo decodes the boot record (signer id = the key hash) and the UUIDs (Python's uuid5)"
else
	not_ok "dumpinfo decoded lines" "$(diff decoded.got decoded.want)"
fi
run "$M" dumpinfo be.bin
if [ "$RC" = 0 ] && grep -qx 'endian:             big' "$T_TMP/out" &&
	grep -qx 'magic:              0x96f3b83d' "$T_TMP/out" &&
	grep -qx 'protected_tlv_size: 0x93' "$T_TMP/out" &&
	grep -qx '        type: BOOT_RECORD (0x60)' "$T_TMP/out" &&
	grep -qx 'image_ok:    SET (0x1)' "$T_TMP/out" &&
	[ "$(grep -E '^        (uuid|sw_type|sw_version|signer_id|measurement_type|measurement_value):' "$T_TMP/out")" = "$(cat decoded.want)" ]; then
	ok "dumpinfo reads a big-endian image: header, TLVs, decoded records, trailer"
else
	not_ok "dumpinfo of a big-endian image" "$(head -n 12 "$T_TMP/out")" "$(cat "$T_TMP/err")"
fi
run "$M" dumpinfo -f json be.bin
if [ "$RC" = 0 ] && /usr/bin/python3 - "$T_TMP/out" "$KH" "$VID" "$CID" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["header"]["endian"] == "big" and j["header"]["magic"] == 0x96f3b83d
t = j["tlv_area"]["tlvs_prot"]
br = [x for x in t if x["type"] == 0x60][0]["boot_record"]
assert br == {"sw_type": "SPE", "sw_version": "1.2.3", "signer_id": sys.argv[2],
              "measurement_type": "SHA256", "measurement_value": "00" * 32}, br
assert [x.get("uuid") for x in t if x["type"] in (0x74, 0x75)] == sys.argv[3:5]
PY
then ok "dumpinfo -f json: endian, boot_record and uuid fields"; else not_ok "dumpinfo -f json"; fi
run "$M" dumpinfo -f yaml le.bin
if [ "$RC" = 0 ] && /usr/bin/python3 - "$T_TMP/out" "$VID" <<'PY'
import sys, yaml
y = yaml.safe_load(open(sys.argv[1]))
assert "endian" not in y["header"]
t = y["tlv_area"]["tlvs_prot"]
br = [x for x in t if x["type"] == 0x60][0]["boot_record"]
assert br["sw_type"] == "SPE" and br["measurement_value"] == bytes(32), br
assert [x for x in t if x["type"] == 0x74][0]["uuid"] == sys.argv[2]
PY
then ok "dumpinfo -f yaml: boot_record and uuid fields, no endian for a little-endian image"; else not_ok "dumpinfo -f yaml" "$(head -n 40 "$T_TMP/out")"; fi
run "$M" verify -k $ED be.bin
check "verify checks a big-endian image" 0 "$DEVWARN"
# a BOOT_RECORD that is not the CBOR map (untrusted input): bytes only
/usr/bin/python3 - le.bin <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
for name, b in (("array", 0x85), ("indefinite", 0xbf), ("garbage", 0xff)):
    e = bytearray(d); i = e.index(bytes([0x60, 0x00])) + 4; e[i] = b
    open("br-" + name + ".bin", "wb").write(e)
PY
fail=""
for n in array indefinite garbage; do
	"$M" dumpinfo br-$n.bin >br.out 2>&1 || fail="$fail $n(exit $?)"
	grep -q '        type: BOOT_RECORD (0x60)' br.out || fail="$fail $n(no TLV)"
	! grep -q 'sw_type:' br.out || fail="$fail $n(decoded)"
	"$M" dumpinfo -f json br-$n.bin >/dev/null 2>&1 || fail="$fail $n(json)"
	"$M" dumpinfo -f yaml br-$n.bin >/dev/null 2>&1 || fail="$fail $n(yaml)"
done
if [ -z "$fail" ]; then ok "dumpinfo: a boot record that is no CBOR map is shown as bytes only"; else not_ok "dumpinfo: malformed boot records" "$fail"; fi

# ---- the drop-in name -----------------------------------------------------
mkdir dropin
ln -s "$M" dropin/imgtool
ln -s "$M" dropin/imgtool.py
run dropin/imgtool version
if [ "$RC" = 0 ] && [ "$(cat "$T_TMP/out")" = "$IMGTOOL_VERSION" ] && [ ! -s "$T_TMP/err" ]; then
	ok "imgtool version prints what the real imgtool prints ($IMGTOOL_VERSION)"
else
	not_ok "imgtool version" "$(cat "$T_TMP/out" "$T_TMP/err")" "want: $IMGTOOL_VERSION"
fi
run dropin/imgtool.py version
if [ "$RC" = 0 ] && [ "$(cat "$T_TMP/out")" = "$IMGTOOL_VERSION" ]; then ok "imgtool.py version as well"; else not_ok "imgtool.py version"; fi
# west sign -t imgtool's command line
WEST="--version 1.2.3 --header-size 0x200 --slot-size 0x60000 --key $ED --pad-header --align 4"
it sign $WEST app.bin ref.bin >/dev/null 2>&1
run dropin/imgtool sign $WEST app.bin got.bin
if [ "$RC" = 0 ] && cmp -s ref.bin got.bin; then ok "imgtool sign, west's form, byte for byte"; else not_ok "imgtool sign, west's form" "$(cat "$T_TMP/err")"; fi
WEST2="--version 2.0.0+7 --header-size 0x200 --slot-size 0x60000 --key $ED --pad-header --align 8 --pad --confirm --max-sectors 32 --security-counter auto --dependencies (1,1.0.0) --public-key-format hash"
it sign $WEST2 app.bin ref.bin >/dev/null 2>&1
run dropin/imgtool sign $WEST2 app.bin got.bin
if [ "$RC" = 0 ] && cmp -s ref.bin got.bin; then ok "imgtool sign with every long option west may pass, byte for byte"; else not_ok "imgtool sign, long options" "$(cat "$T_TMP/err")"; fi
it create $WEST --boot-record X app.bin ref-create.bin >/dev/null 2>&1
run dropin/imgtool create $WEST --boot-record X app.bin got-create.bin
if [ "$RC" = 0 ] && cmp -s ref-create.bin got-create.bin; then ok "imgtool create, byte for byte"; else not_ok "imgtool create" "$(cat "$T_TMP/err")"; fi
run dropin/imgtool getpub -k $ED -e pem
it getpub -k $ED -e pem >ref.pem 2>/dev/null
check_out "imgtool getpub -e pem" ref.pem
run dropin/imgtool verify -k $ED got.bin
check "imgtool verify" 0 "$DEVWARN"
run dropin/imgtool dumpinfo --outfile info.yaml -s got.bin
it dumpinfo --outfile ref.yaml -s got.bin >/dev/null 2>&1
if [ "$RC" = 0 ] && cmp -s info.yaml ref.yaml; then ok "imgtool dumpinfo --outfile -s: YAML, as imgtool writes it"; else not_ok "imgtool dumpinfo --outfile" "$(diff info.yaml ref.yaml | head -n 5)"; fi
run dropin/imgtool keygen -k new.pem -t ed25519
if [ "$RC" = 0 ] && "$M" keyinfo -k new.pem >/dev/null 2>&1; then ok "imgtool keygen"; else not_ok "imgtool keygen" "$(cat "$T_TMP/err")"; fi
run dropin/imgtool frobnicate
check "an unknown imgtool command: a clear error" 2 "mcuprov: imgtool: 'frobnicate': not an imgtool command mcuprov takes (create, dumpinfo, getpriv, getpub, getpubhash, keygen, keyinfo, sign, verify, version)"
run dropin/imgtool --bogus
check "an unknown imgtool option" 2 "mcuprov: imgtool: '--bogus': not an imgtool option (imgtool [-h] COMMAND [ARGS]...)"
run dropin/imgtool version extra
check "imgtool version takes no argument" 2 "mcuprov: version: 'extra': unexpected argument (usage: imgtool version)"
run dropin/imgtool
if [ "$RC" = 2 ] && head -n 1 "$T_TMP/err" | grep -qx 'usage: imgtool \[-h\] COMMAND \[ARGS\]...'; then ok "imgtool alone: usage, exit 2"; else not_ok "imgtool alone"; fi
run dropin/imgtool --help
if [ "$RC" = 0 ] && grep -q '^  version      print the imgtool version mcuprov matches$' "$T_TMP/out" &&
	grep -q '^  create  ' "$T_TMP/out"; then
	ok "imgtool --help lists imgtool's commands"
else
	not_ok "imgtool --help" "$(cat "$T_TMP/out")"
fi
run dropin/imgtool sign $WEST
check "imgtool sign's usage errors are sign's" 2 "mcuprov: sign: missing INFILE and OUTFILE
$U"

done_testing
