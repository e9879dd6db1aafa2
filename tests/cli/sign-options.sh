#!/bin/bash
# sign's options, one by one and combined, against imgtool's semantics:
# header fields, protected TLVs, hash and signature TLVs, the trailer, number
# forms, Intel HEX, external signing, and every refusal (exact exit code,
# exact message, no output file).  Expected bytes come from an independent
# model of imgtool's image.py (ref.py below, itself checked against
# imgtool's own vectors) and from literal values worked out by hand.
. "$MCUPROV_SRCDIR/tests/lib.sh"
need_vectors
command -v openssl >/dev/null || skip_all "openssl command not found"
command -v python3 >/dev/null || skip_all "python3 not found"

cp "$V/images/app.bin" app.bin
U="usage: mcuprov sign [-k KEY] -v VERSION -H SIZE -S SIZE [OPTIONS] INFILE OUTFILE"
MAGIC=77c295f360d2ef7f3552500f2cb67980
MAGIC2=2de15d29410b8d77679c110f1f8a

# ---- the model: imgtool's Image.create()/pad_to() for hash-only and Ed25519
cat >ref.py <<'PY'
import argparse, hashlib, struct, subprocess, sys
n = lambda s: int(s, 0)
ap = argparse.ArgumentParser()
ap.add_argument("infile"); ap.add_argument("outfile")
ap.add_argument("--hdr", type=n, required=True)
ap.add_argument("--pad-header", action="store_true")
ap.add_argument("--slot", type=n, default=0)
ap.add_argument("--pad", action="store_true")
ap.add_argument("--confirm", action="store_true")
ap.add_argument("--align", type=int, default=1)
ap.add_argument("--max-align", type=int)
ap.add_argument("--sectors", type=int, default=128)
ap.add_argument("--overwrite-only", action="store_true")
ap.add_argument("--erased", type=n, default=0xff)
ap.add_argument("--ver", default="0")
ap.add_argument("--seccnt")
ap.add_argument("--dep", nargs=2, action="append", default=[])
ap.add_argument("--custom", nargs=2, action="append", default=[])  # TAG HEX
ap.add_argument("--load", type=n, default=0)
ap.add_argument("--rom", type=n, default=0)
ap.add_argument("--non-bootable", action="store_true")
ap.add_argument("--sha", default="256")
ap.add_argument("--pure", action="store_true")
ap.add_argument("--key")   # Ed25519 private key, signed with openssl
ap.add_argument("--pub")   # its raw public key (getpub -e raw)
ap.add_argument("--full", action="store_true")
ap.add_argument("--vector", choices=["payload", "digest"])
a = ap.parse_args()

def ver(s):
    b = 0
    if "+" in s:
        s, b = s.split("+"); b = int(b)
    p = [int(x) for x in s.split(".")] + [0, 0]
    return p[0], p[1], p[2], b

data = open(a.infile, "rb").read()
if a.pad_header:
    data = bytes([a.erased]) * a.hdr + data
elif any(data[:a.hdr]):
    sys.exit("header area not zero")
maj, mi, rev, build = ver(a.ver)
prot = b""
if a.seccnt is not None:
    sc = (maj << 24 | mi << 16 | rev) if a.seccnt == "auto" else n(a.seccnt)
    prot += struct.pack("<HHI", 0x50, 4, sc)
for i, v in a.dep:
    prot += struct.pack("<HHB3xBBHI", 0x40, 12, int(i), *ver(v))
for t, v in a.custom:
    v = bytes.fromhex(v)
    prot += struct.pack("<HH", n(t), len(v)) + v
if prot:
    prot = struct.pack("<HH", 0x6908, 4 + len(prot)) + prot
flags = (0x20 if a.load else 0) | (0x100 if a.rom else 0) | (0x10 if a.non_bootable else 0)
hdr = struct.pack("<IIHHIIBBHII", 0x96f3b83d, a.rom or a.load, a.hdr, len(prot),
                  len(data) - a.hdr, flags, maj, mi, rev, build, 0)
img = hdr + data[32:] + prot
alg, htlv = {"256": (hashlib.sha256, 0x10), "384": (hashlib.sha384, 0x11),
             "512": (hashlib.sha512, 0x12)}["512" if a.pure else a.sha]
digest = alg(img).digest()
if a.vector:
    open(a.outfile, "wb").write(digest if a.vector == "digest" else img)
    sys.exit(0)
tlv = struct.pack("<HH", htlv, len(digest)) + digest
if a.pure:
    tlv += struct.pack("<HHB", 0x25, 1, 1)
if a.key:
    pub = open(a.pub, "rb").read()
    if a.full:
        tlv += struct.pack("<HH", 0x02, len(pub)) + pub
    else:
        tlv += struct.pack("<HH", 0x01, alg().digest_size) + alg(pub).digest()
    open(a.outfile + ".msg", "wb").write(img if a.pure else digest)
    sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", a.key, "-rawin",
                          "-in", a.outfile + ".msg"], check=True,
                         stdout=subprocess.PIPE).stdout
    tlv += struct.pack("<HH", 0x24, len(sig)) + sig
out = img + struct.pack("<HH", 0x6907, 4 + len(tlv)) + tlv
if a.pad or a.confirm:
    ma = a.max_align or max(8, a.align)
    malign = (16 + ma - 1) & ~(ma - 1)
    ts = ma * 2 + malign if a.overwrite_only else a.sectors * 3 * a.align + ma * 4 + malign
    magic = (bytes.fromhex("77c295f360d2ef7f3552500f2cb67980") if ma == 8 else
             struct.pack("<H", ma) + bytes.fromhex("2de15d29410b8d77679c110f1f8a"))
    if a.slot - len(out) - ts < 0:
        sys.exit("does not fit")
    t = bytearray([a.erased]) * (a.slot - len(out) - 16) + magic
    if a.confirm and not a.overwrite_only:
        t[-(malign + ma)] = 1
    out += bytes(t)
open(a.outfile, "wb").write(out)
PY

# ---- image inspection
cat >img.py <<'PY'
import struct, sys
cmd, path = sys.argv[1], sys.argv[2]
b = open(path, "rb").read()
if cmd == "minaddr":  # lowest data address of an Intel HEX file
    base, lo = 0, None
    for line in b.decode().split():
        r = bytes.fromhex(line[1:])
        cnt, addr, typ = r[0], r[1] << 8 | r[2], r[3]
        if typ == 2: base = (r[4] << 8 | r[5]) << 4
        elif typ == 4: base = (r[4] << 8 | r[5]) << 16
        elif typ == 0 and cnt and (lo is None or base + addr < lo): lo = base + addr
    print("0x%x" % lo); sys.exit(0)
_, _, h, p, i = struct.unpack("<IIHHI", b[:16])
o = h + i + p
if cmd == "hashed":  # header + payload + protected TLVs
    sys.stdout.buffer.write(b[:o]); sys.exit(0)
def area(off):
    m, tot = struct.unpack("<HH", b[off:off + 4])
    q, res = off + 4, []
    while q < off + tot:
        t, l = struct.unpack("<HH", b[q:q + 4])
        res.append((t, l, b[q + 4:q + 4 + l])); q += 4 + l
    return m, tot, res
m, tot, tlvs = area(o)
if cmd == "list":  # unprotected TLVs as type/len, then bytes after them
    print("%x" % m, " ".join("%x/%d" % (t, l) for t, l, _ in tlvs), len(b) - o - tot)
elif cmd == "tlv":  # value of the first unprotected TLV of that type
    sys.stdout.buffer.write([v for t, l, v in tlvs if t == int(sys.argv[3], 0)][0])
PY

# hexat FILE OFFSET LEN: those bytes as lowercase hex (negative OFFSET: from the end)
hexat() {
	local off=$2
	[ "$off" -lt 0 ] && off=$(($(stat -c %s "$1") + off))
	od -An -v -tx1 -j "$off" -N "$3" "$1" | tr -d ' \n'
}
# rep BYTE N: BYTE (two hex digits) N times
rep() { printf "%0$(($2 * 2))d" 0 | sed "s/00/$1/g"; }
# model DESC OUT REFARGS...: OUT equals the model's image for REFARGS
model() {
	local d=$1 out=$2
	shift 2
	rm -f model.bin
	if ! python3 ref.py "$@" model.bin >/dev/null; then
		not_ok "$d" "the model failed: $*"
	elif cmp -s "$out" model.bin; then
		ok "$d"
	else
		not_ok "$d" "$(cmp "$out" model.bin 2>&1)"
	fi
}
# refused DESC RC STDERR ARGS...: exit RC, exact stderr, no output file o.bin
refused() {
	local d=$1 rc=$2 msg=$3
	shift 3
	rm -f o.bin o.hex
	run "$M" sign "$@"
	check "$d: exit $rc and message" "$rc" "$msg"
	assert "$d: no output file" test ! -e o.bin -a ! -e o.hex
}

# ---- keys (fresh, so no development-key or permission warnings)
for t in ed25519 ecdsa-p256 ecdsa-p384 rsa-3072 x25519; do
	"$M" keygen -k $t.pem -t $t >/dev/null 2>&1
	"$M" getpub -k $t.pem -e raw -o $t.raw 2>/dev/null
	"$M" getpub -k $t.pem -e pem -o $t.pub.pem 2>/dev/null
done
"$M" keygen -k other.pem -t ed25519 >/dev/null 2>&1
ED="--key ed25519.pem --pub ed25519.raw"
S="-H 0x200 --pad-header -S 0x20000"
R="--hdr 0x200 --pad-header"

# ---- the model reproduces imgtool's own images
K=$V/keys/root-ed25519.pem P=$V/getpub/root-ed25519.raw
model "model = imgtool: hashonly" "$V/images/hashonly.bin" app.bin $R --ver 1.2.3+4
model "model = imgtool: ed25519-basic" "$V/images/ed25519-basic.bin" app.bin $R --ver 1.2.3+4 --key "$K" --pub "$P"
model "model = imgtool: ed25519-seccnt" "$V/images/ed25519-seccnt.bin" app.bin $R --ver 2.1.0+7 --seccnt auto --key "$K" --pub "$P"
model "model = imgtool: ed25519-pubfull" "$V/images/ed25519-pubfull.bin" app.bin $R --ver 1.0.0 --full --key "$K" --pub "$P"
model "model = imgtool: ed25519-pad-confirm" "$V/images/ed25519-pad-confirm.bin" app.bin $R --ver 0.9.0 --slot 0x20000 --confirm --key "$K" --pub "$P"

# ---- header
signs "hash-only" -v 1.2.3+4 $S app.bin basic.bin
is "header: magic, load 0, hdr 0x200, no protected TLVs, size 6000, flags 0, 1.2.3+4" \
	"$(hexat basic.bin 0 32)" 3db8f39600000000000200007017000000000000010203000400000000000000
is "--pad-header fills the header area after 32 bytes with 0xff" "$(hexat basic.bin 32 480)" "$(rep ff 480)"
assert "the payload follows the header unchanged" cmp -s <(tail -c +513 basic.bin | head -c 6000) app.bin
is "TLV info 0x6907, total 40, SHA256 TLV of 32 bytes" "$(hexat basic.bin $((0x1970)) 8)" 0769280010002000
is "the SHA256 TLV is SHA-256 of header + payload" "$(hexat basic.bin $((0x1978)) 32)" \
	"$(head -c $((0x1970)) basic.bin | sha256sum | cut -c1-64)"
is "hash-only image: 0x1998 bytes" "$(stat -c %s basic.bin)" $((0x1998))
model "hash-only: the model's bytes" basic.bin app.bin $R --ver 1.2.3+4

signs "-R 0 --pad-header" -v 1.2.3+4 $S -R 0 app.bin r0.bin
is "-R 0: the header area is zero-filled" "$(hexat r0.bin 32 480)" "$(rep 00 480)"
model "-R 0 --pad-header: the model's bytes" r0.bin app.bin $R --ver 1.2.3+4 --erased 0
{ head -c 512 /dev/zero; cat app.bin; } >zhdr.bin
signs "zero-headed input without --pad-header" -v 1.2.3+4 -H 0x200 -S 0x20000 zhdr.bin z.bin
assert "zero-headed input = --pad-header -R 0 of the bare payload" cmp -s z.bin r0.bin
signs "-H 0x20 (the minimum)" -v 1.2.3+4 -H 0x20 --pad-header -S 0x20000 app.bin h20.bin
is "-H 0x20: hdr_size 0x20" "$(hexat h20.bin 8 2)" 2000
model "-H 0x20: the model's bytes" h20.bin app.bin --hdr 0x20 --pad-header --ver 1.2.3+4

signs "-L" -v 1.0.0 $S -L 0x20000000 app.bin load.bin
is "-L 0x20000000: load_addr and RAM_LOAD (0x20)" "$(hexat load.bin 4 4)/$(hexat load.bin 16 4)" 00000020/20000000
model "-L: the model's bytes" load.bin app.bin $R --ver 1.0.0 --load 0x20000000
signs "-L 0" -v 1.0.0 $S -L 0 app.bin load0.bin
is "-L 0: no RAM_LOAD flag" "$(hexat load0.bin 4 4)/$(hexat load0.bin 16 4)" 00000000/00000000
signs "-F --non-bootable" -v 1.0.0 $S -F 0x08000000 --non-bootable app.bin rom.bin
is "-F 0x08000000 --non-bootable: load_addr, ROM_FIXED|NON_BOOTABLE (0x110)" \
	"$(hexat rom.bin 4 4)/$(hexat rom.bin 16 4)" 00000008/10010000
model "-F --non-bootable: the model's bytes" rom.bin app.bin $R --ver 1.0.0 --rom 0x08000000 --non-bootable

# ---- protected TLVs
signs "-s 0x12345678" -v 1.0.0 $S -s 0x12345678 app.bin sc.bin
is "-s: protected_tlv_size 12" "$(hexat sc.bin 10 2)" 0c00
is "-s: protected area = info 0x6908/12 + SEC_CNT 0x12345678" "$(hexat sc.bin $((0x1970)) 12)" 08690c005000040078563412
is "-s: the SHA256 TLV follows and covers the protected area" "$(hexat sc.bin $((0x197c)) 40)" \
	"0769280010002000$(head -c $((0x197c)) sc.bin | sha256sum | cut -c1-64)"
signs "-s auto" -v 3.4.5+9 $S -s auto app.bin sca.bin
is "-s auto = major<<24 | minor<<16 | revision" "$(hexat sca.bin $((0x1974)) 8)" 5000040005000403
signs "-d two dependencies" -v 1.0.0 $S -d "(1,2.3.4+5),(7,0.1)" app.bin dep.bin
is "-d: two DEPENDENCY TLVs (id, 3 zero bytes, version)" "$(hexat dep.bin $((0x1970)) 36)" \
	08692400""40000c00""01000000""0203""0400""05000000""40000c00""07000000""0001""0000""00000000
printf '\000\001\377\n' >tlv.dat
signs "custom TLVs, -d, -s in mixed order" -v 3.4.5+9 $S --custom-tlv 0x1234 hello -d "(1,2.3.4+5)" \
	--custom-tlv-file 0xfffe tlv.dat --custom-tlv 0xa0 0x0102ff -s auto -L 0x20000000 app.bin prot.bin
is "mixed: header (load, prot size 0x34, RAM_LOAD, 3.4.5+9)" "$(hexat prot.bin 0 32)" \
	3db8f396000000200002340070170000200000000304050009000000"00000000"
is "mixed: SEC_CNT, DEPENDENCY, then custom TLVs in command-line order" "$(hexat prot.bin $((0x1970)) 52)" \
	"08693400""5000040005000403""40000c00010000000203040005000000""341205006865""6c6c6f""feff0400""0001ff0a""a0000300""0102ff"
model "mixed: the model's bytes" prot.bin app.bin $R --ver 3.4.5+9 --seccnt auto --dep 1 2.3.4+5 \
	--custom 0x1234 68656c6c6f --custom 0xfffe 0001ff0a --custom 0xa0 0102ff --load 0x20000000
signs "custom TLVs: empty string, 0x, 0X..." -v 1.0.0 $S --custom-tlv 0xa0 "" --custom-tlv 0xb0 0x \
	--custom-tlv 0xc0 0XAB --custom-tlv 0xd0 0xABcd app.bin cust.bin
is "'' and 0x are empty values, 0X... is a string, hex is case-insensitive" \
	"$(hexat cust.bin $((0x1970)) 26)" "08691a00""a0000000""b0000000""c0000400""30584142""d0000200""abcd"

# ---- hash selection without a key
signs "--sha 384, no key" -v 1.0.0 $S --sha 384 app.bin s384.bin
is "--sha 384: one SHA384 TLV of 48 bytes" "$(python3 img.py list s384.bin)" "6907 11/48 0"
model "--sha 384: the model's bytes" s384.bin app.bin $R --ver 1.0.0 --sha 384
signs "--sha 512, no key" -v 1.0.0 $S --sha 512 app.bin s512.bin
is "--sha 512: one SHA512 TLV of 64 bytes" "$(python3 img.py list s512.bin)" "6907 12/64 0"
model "--sha 512: the model's bytes" s512.bin app.bin $R --ver 1.0.0 --sha 512

# ---- trailer
signs "--pad" -v 1.2.3+4 $S --pad app.bin pad.bin
is "--pad: exactly the slot size" "$(stat -c %s pad.bin)" 131072
is "--pad: last 32 bytes: erased, image_ok unset, boot magic" "$(hexat pad.bin -32 32)" "$(rep ff 16)$MAGIC"
is "--pad: erased from the TLVs' end to the magic" "$(hexat pad.bin $((0x1998)) $((0x20000 - 0x1998 - 16)) | tr -d f)" ""
model "--pad: the model's bytes" pad.bin app.bin $R --ver 1.2.3+4 --slot 0x20000 --pad
signs "--test" -v 1.2.3+4 $S --test app.bin test.bin
assert "--test = --pad" cmp -s test.bin pad.bin
signs "--confirm" -v 1.2.3+4 $S --confirm app.bin conf.bin
is "--confirm implies --pad: the slot size" "$(stat -c %s conf.bin)" 131072
is "--confirm: image_ok 0x01 at slot - 24, then magic" "$(hexat conf.bin -32 32)" "$(rep ff 8)01$(rep ff 7)$MAGIC"
model "--confirm: the model's bytes" conf.bin app.bin $R --ver 1.2.3+4 --slot 0x20000 --confirm
signs "--confirm -R 0" -v 1.2.3+4 $S --confirm -R 0 app.bin conf0.bin
is "--confirm -R 0: zero padding, image_ok, magic" "$(hexat conf0.bin -32 32)" "$(rep 00 8)01$(rep 00 7)$MAGIC"
model "--confirm -R 0: the model's bytes" conf0.bin app.bin $R --ver 1.2.3+4 --slot 0x20000 --confirm --erased 0
signs "--confirm --align 16" -v 1.2.3+4 $S --confirm --align 16 app.bin a16.bin
is "--align 16: max_align 16: image_ok at -32, magic with 0x0010" "$(hexat a16.bin -48 48)" \
	"$(rep ff 16)01$(rep ff 15)1000$MAGIC2"
model "--confirm --align 16: the model's bytes" a16.bin app.bin $R --ver 1.2.3+4 --slot 0x20000 --confirm --align 16
signs "--confirm --align 2 --max-align 32" -v 1.2.3+4 $S --confirm --align 2 --max-align 32 app.bin m32.bin
is "--max-align 32: image_ok at -64, magic with 0x0020" "$(hexat m32.bin -72 72)" \
	"$(rep ff 8)01$(rep ff 47)2000$MAGIC2"
model "--align 2 --max-align 32: the model's bytes" m32.bin app.bin $R --ver 1.2.3+4 --slot 0x20000 --confirm --align 2 --max-align 32
signs "--confirm --overwrite-only" -v 1.2.3+4 $S --confirm --overwrite-only app.bin ow.bin
is "--overwrite-only: no image_ok" "$(hexat ow.bin -32 32)" "$(rep ff 16)$MAGIC"
model "--confirm --overwrite-only: the model's bytes" ow.bin app.bin $R --ver 1.2.3+4 --slot 0x20000 --confirm --overwrite-only
signs "--pad --overwrite-only --max-align 16" -v 1.2.3+4 $S --pad --overwrite-only --max-align 16 app.bin ow16.bin
is "--overwrite-only --max-align 16: magic with 0x0010" "$(hexat ow16.bin -16 16)" "1000$MAGIC2"
signs "--confirm -M 32 --align 8" -v 1.2.3+4 $S --confirm -M 32 --align 8 app.bin m.bin
model "--confirm -M 32 --align 8: the model's bytes" m.bin app.bin $R --ver 1.2.3+4 --slot 0x20000 --confirm --sectors 32 --align 8

# trailer sizes, through the smallest slot that fits (hash-only image 0x1998)
fits() { # DESC TRAILER_SIZE OPTIONS...
	local d=$1 ts=$2
	shift 2
	signs "$d: fits a slot of exactly image + 0x$(printf %x $ts)" -v 1.0.0 -H 0x200 --pad-header \
		-S $((0x1998 + ts)) --pad "$@" app.bin fit.bin
	is "$d: padded to that slot" "$(stat -c %s fit.bin 2>/dev/null)" $((0x1998 + ts))
	refused "$d: one byte less" 2 "$(printf "mcuprov: sign: 'app.bin': image (0x1998 bytes with header and TLVs) + trailer (0x%x) exceeds the slot size 0x%x" $ts $((0x1998 + ts - 1)))" \
		-v 1.0.0 -H 0x200 --pad-header -S $((0x1998 + ts - 1)) --pad "$@" app.bin o.bin
}
fits "trailer 128*3*1 + 8*4 + 16" $((384 + 32 + 16))
fits "trailer 128*3*2 + 32*4 + 32 (--align 2 --max-align 32)" $((768 + 128 + 32)) --align 2 --max-align 32
fits "trailer 128*3*16 + 16*4 + 16 (--align 16)" $((6144 + 64 + 16)) --align 16
fits "trailer 32*3*8 + 8*4 + 16 (-M 32 --align 8)" $((768 + 32 + 16)) -M 32 --align 8
fits "trailer 8*2 + 16 (--overwrite-only)" 32 --overwrite-only
fits "trailer 16*2 + 16 (--overwrite-only --max-align 16)" 48 --overwrite-only --max-align 16
refused "the slot check applies without --pad too" 2 \
	"mcuprov: sign: 'app.bin': image (0x1998 bytes with header and TLVs) + trailer (0x1b0) exceeds the slot size 0x1b47" \
	-v 1.0.0 -H 0x200 --pad-header -S 0x1b47 app.bin o.bin
# a signed image (0x1a00 bytes with its Ed25519 TLVs) in a slot too small by
# 0xb0 and by 1: imgtool reports the whole image's size either way
refused "slot too small for a signed image" 2 \
	"mcuprov: sign: 'app.bin': image (0x1a00 bytes with header and TLVs) + trailer (0x1b0) exceeds the slot size 0x1b00" \
	-k ed25519.pem -v 1.0.0 -H 0x200 --pad-header -S 0x1b00 app.bin o.bin
refused "slot too small by one for a signed image" 2 \
	"mcuprov: sign: 'app.bin': image (0x1a00 bytes with header and TLVs) + trailer (0x1b0) exceeds the slot size 0x1baf" \
	-k ed25519.pem -v 1.0.0 -H 0x200 --pad-header -S 0x1baf app.bin o.bin

# ---- numbers: decimal and 0x hex alike
same_forms() { # DESC "DECIMAL OPTIONS" "HEX OPTIONS"
	rm -f n1.bin n2.bin
	"$M" sign -v 1.0.0 --pad-header $2 app.bin n1.bin >/dev/null 2>&1
	"$M" sign -v 1.0.0 --pad-header $3 app.bin n2.bin >/dev/null 2>&1
	if [ -s n1.bin ] && cmp -s n1.bin n2.bin; then ok "$1"; else not_ok "$1" "$(cmp n1.bin n2.bin 2>&1)"; fi
}
same_forms "-H 512 = -H 0x200" "-H 512 -S 0x20000" "-H 0x200 -S 0x20000"
is "-H 512: hdr_size 0x200" "$(hexat n1.bin 8 2 2>/dev/null)" 0002
same_forms "-S 131072 = -S 0x20000 (--pad)" "-H 0x200 -S 131072 --pad" "-H 0x200 -S 0x20000 --pad"
same_forms "-L 536870912 = -L 0x20000000" "-H 0x200 -S 0x20000 -L 536870912" "-H 0x200 -S 0x20000 -L 0x20000000"
same_forms "-F 134217728 = -F 0x8000000" "-H 0x200 -S 0x20000 -F 134217728" "-H 0x200 -S 0x20000 -F 0x8000000"
same_forms "-s 305419896 = -s 0x12345678" "-H 0x200 -S 0x20000 -s 305419896" "-H 0x200 -S 0x20000 -s 0x12345678"
same_forms "--custom-tlv 160 = --custom-tlv 0xa0" "-H 0x200 -S 0x20000 --custom-tlv 160 x" "-H 0x200 -S 0x20000 --custom-tlv 0xa0 x"

# ---- signatures
signs "ed25519" -k ed25519.pem -v 1.2.3+4 $S app.bin ed.bin
is "ed25519: SHA256, KEYHASH, ED25519" "$(python3 img.py list ed.bin)" "6907 10/32 1/32 24/64 0"
model "ed25519: the model's bytes" ed.bin app.bin $R --ver 1.2.3+4 $ED
signs "ed25519 --public-key-format full" -k ed25519.pem -v 1.2.3+4 $S --public-key-format full app.bin full.bin
is "full: SHA256, PUBKEY (44 bytes), ED25519" "$(python3 img.py list full.bin)" "6907 10/32 2/44 24/64 0"
assert "full: PUBKEY = getpub -e raw" cmp -s <(python3 img.py tlv full.bin 2) ed25519.raw
model "ed25519 --public-key-format full: the model's bytes" full.bin app.bin $R --ver 1.2.3+4 --full $ED
signs "ed25519 --sha 512" -k ed25519.pem -v 1.2.3+4 $S --sha 512 app.bin e512.bin
is "ed25519 --sha 512: SHA512, KEYHASH (SHA-512), ED25519" "$(python3 img.py list e512.bin)" "6907 12/64 1/64 24/64 0"
assert "--sha 512: KEYHASH = SHA-512 of the raw public key" cmp -s <(python3 img.py tlv e512.bin 1) <(openssl dgst -sha512 -binary ed25519.raw)
model "ed25519 --sha 512: the model's bytes" e512.bin app.bin $R --ver 1.2.3+4 --sha 512 $ED
signs "ed25519 --pure" -k ed25519.pem -v 1.2.3+4 $S --pure -s 1 app.bin pure.bin
is "--pure: SHA512, SIG_PURE, KEYHASH, ED25519" "$(python3 img.py list pure.bin)" "6907 12/64 25/1 1/64 24/64 0"
is "--pure: SIG_PURE is one byte 0x01 right after the hash TLV" "$(hexat pure.bin $((0x197c + 4 + 68)) 5)" 2500010001
python3 img.py hashed pure.bin >pure.msg
python3 img.py tlv pure.bin 0x24 >pure.sig
assert "--pure: Ed25519 over header + payload + protected TLVs" \
	openssl pkeyutl -verify -pubin -inkey ed25519.pub.pem -rawin -in pure.msg -sigfile pure.sig
model "ed25519 --pure: the model's bytes" pure.bin app.bin $R --ver 1.2.3+4 --seccnt 1 --pure $ED
signs "--pure --sha 256" -k ed25519.pem -v 1.2.3+4 $S --pure --sha 256 -s 1 app.bin pure256.bin
assert "--pure ignores --sha (imgtool: pure enforces SHA-512)" cmp -s pure256.bin pure.bin

# verify accepts, and rejects a flipped payload byte
flip() { # IN OUT: payload byte 1000 xor 1
	cp "$1" "$2"
	b=$(od -An -tu1 -j 1000 -N1 "$2" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$2" bs=1 seek=1000 conv=notrunc 2>/dev/null
}
verifies() { # DESC KEY IMAGE
	run "$M" verify -k "$2" "$3"
	if [ "$RC" = 0 ] && [ "$(head -n 1 "$T_TMP/out")" = "Image was correctly validated" ] &&
	   [ ! -s "$T_TMP/err" ]; then
		ok "$1"
	else
		not_ok "$1" "rc=$RC" "$(cat "$T_TMP/err")"
	fi
}
for n in e512 pure; do
	verifies "verify -k accepts the $n image" ed25519.pem $n.bin
	flip $n.bin $n-bad.bin
	run "$M" verify -k ed25519.pem $n-bad.bin
	check "$n image, payload byte flipped: verify fails" 1 "mcuprov: verify: '$n-bad.bin': hash mismatch: the image was corrupted or tampered with"
done

# ECDSA P-384, P-256, RSA-3072: randomized, so checked piece by piece
sigcheck() { # NAME KEY TLVLIST HASH OPENSSL-VERIFY-ARGS...
	local n=$1 k=$2 list=$3 h=$4
	shift 4
	signs "$n" -k $k.pem -v 1.2.3+4 $S app.bin $n.bin
	is "$n: TLV types and sizes" "$(python3 img.py list $n.bin | sed 's|22/[0-9]*|22/DER|')" "$list"
	python3 img.py hashed $n.bin >$n.msg
	python3 ref.py app.bin $n.model $R --ver 1.2.3+4 --vector payload
	assert "$n: header and payload as the model" cmp -s $n.msg $n.model
	assert "$n: hash TLV = $h of header + payload" \
		cmp -s <(python3 img.py tlv $n.bin 0x1$([ $h = sha384 ] && echo 1 || echo 0)) <(openssl dgst -$h -binary $n.msg)
	assert "$n: KEYHASH = $h of the raw public key" cmp -s <(python3 img.py tlv $n.bin 1) <(openssl dgst -$h -binary $k.raw)
	python3 img.py tlv $n.bin 0x$(echo "$list" | awk '{print $4}' | cut -d/ -f1) >$n.sig
	assert "$n: the signature verifies with openssl" \
		openssl dgst -"$@" -verify $k.pub.pem -signature $n.sig $n.msg
	verifies "$n: verify -k accepts" $k.pem $n.bin
	flip $n.bin $n-bad.bin
	run "$M" verify -k $k.pem $n-bad.bin
	check "$n, payload byte flipped: verify fails" 1 "mcuprov: verify: '$n-bad.bin': hash mismatch: the image was corrupted or tampered with"
}
sigcheck p384 ecdsa-p384 "6907 11/48 1/48 22/DER 0" sha384 sha384
sigcheck p256 ecdsa-p256 "6907 10/32 1/32 22/DER 0" sha256 sha256
sigcheck rsa3072 rsa-3072 "6907 10/32 1/32 23/384 0" sha256 sha256 \
	-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256

# ---- external signing
signs "--vector-to-sign digest (public key)" -k ed25519.pub.pem -v 1.2.3+4 $S -s auto --vector-to-sign digest app.bin dig.bin
signs "the same image signed directly, with --sig-out" -k ed25519.pem -v 1.2.3+4 $S -s auto --sig-out direct.b64 app.bin direct.bin
is "digest: exactly 32 bytes" "$(stat -c %s dig.bin)" 32
assert "digest = the image's SHA256 TLV" cmp -s dig.bin <(python3 img.py tlv direct.bin 0x10)
signs "--vector-to-sign payload" -k ed25519.pub.pem -v 1.2.3+4 $S -s auto --vector-to-sign payload app.bin pay.bin
assert "payload = header + payload + protected TLVs of the image" cmp -s pay.bin <(python3 img.py hashed direct.bin)
is "sha256(payload) = digest" "$(sha256sum <pay.bin | cut -c1-64)" "$(od -An -v -tx1 dig.bin | tr -d ' \n')"
python3 img.py tlv direct.bin 0x24 >direct.sig
is "--sig-out: base64 of the signature TLV value, no newline" "$(od -An -c direct.b64 | tr -d ' \n')" \
	"$(base64 -w0 direct.sig | od -An -c | tr -d ' \n')"
openssl pkeyutl -sign -inkey ed25519.pem -rawin -in dig.bin -out ext.sig
base64 -w0 ext.sig >ext.b64
signs "--fix-sig ed25519" -v 1.2.3+4 $S -s auto --fix-sig ext.b64 --fix-sig-pubkey ed25519.pub.pem app.bin fixed.bin
assert "--fix-sig: the same image as signing with -k" cmp -s fixed.bin direct.bin
base64 ext.sig >ext-wrapped.b64
signs "--fix-sig with wrapped base64" -v 1.2.3+4 $S -s auto --fix-sig ext-wrapped.b64 --fix-sig-pubkey ed25519.pub.pem app.bin fixed2.bin
assert "--fix-sig wrapped: the same image" cmp -s fixed2.bin direct.bin

signs "--vector-to-sign payload, p256" -k ecdsa-p256.pub.pem -v 1.2.3+4 $S --vector-to-sign payload app.bin ppay.bin
openssl dgst -sha256 -sign ecdsa-p256.pem -out p.der ppay.bin
base64 -w0 p.der >p.b64
signs "--fix-sig ecdsa-p256" -v 1.2.3+4 $S --fix-sig p.b64 --fix-sig-pubkey ecdsa-p256.pub.pem app.bin pfix.bin
assert "--fix-sig p256: the ECDSASIG TLV is the given DER signature" cmp -s <(python3 img.py tlv pfix.bin 0x22) p.der
assert "--fix-sig p256: KEYHASH of the given public key" cmp -s <(python3 img.py tlv pfix.bin 1) <(openssl dgst -sha256 -binary ecdsa-p256.raw)
verifies "--fix-sig p256: verify -k accepts" ecdsa-p256.pem pfix.bin

openssl pkeyutl -sign -inkey other.pem -rawin -in dig.bin -out wrong.sig
base64 -w0 wrong.sig >wrong.b64
refused "--fix-sig made by another key" 1 \
	"mcuprov: sign: '--fix-sig': the --fix-sig signature does not verify with the --fix-sig-pubkey key over this image" \
	-v 1.2.3+4 $S -s auto --fix-sig wrong.b64 --fix-sig-pubkey ed25519.pub.pem app.bin o.bin
refused "--fix-sig over another image" 1 \
	"mcuprov: sign: '--fix-sig': the --fix-sig signature does not verify with the --fix-sig-pubkey key over this image" \
	-v 1.2.3+5 $S -s auto --fix-sig ext.b64 --fix-sig-pubkey ed25519.pub.pem app.bin o.bin

# ---- Intel HEX
if command -v objcopy >/dev/null; then
	objcopy -I binary -O ihex --change-addresses 0x10000 app.bin app.hex
	signs "app.hex -> out.hex" -k ed25519.pem -v 1.2.3+4 $S app.hex out.hex
	signs "app.bin -> out.bin" -k ed25519.pem -v 1.2.3+4 $S app.bin out.bin
	objcopy -I ihex -O binary out.hex back.bin
	assert "out.hex converted back = out.bin" cmp -s back.bin out.bin
	is "out.hex starts at the input's address - the header (0x10000 - 0x200)" "$(python3 img.py minaddr out.hex)" 0xfe00
	refused "binary in, .hex out, no -x" 2 \
		"mcuprov: sign: 'o.hex': Intel HEX output needs an address: give -x/--hex-addr (the input is raw binary)" \
		-v 1.2.3+4 $S app.bin o.hex
	# the header goes in front of the input's address: it must fit below it
	objcopy -I binary -O ihex --change-addresses 0x100 app.bin low.hex
	refused "hex in at 0x100, --pad-header 0x200, no -x" 2 \
		"mcuprov: sign: 'o.hex': the input's address 0x100 leaves no room for the header; give -x/--hex-addr" \
		-v 1.2.3+4 $S low.hex o.hex
	refused "hex in at 0x100, --pad-header 0x200, --compression lzma2, no -x" 2 \
		"mcuprov: sign: 'o.hex': the input's address 0x100 leaves no room for the header; give -x/--hex-addr" \
		-v 1.2.3+4 $S --compression lzma2 low.hex o.hex
	signs "binary in, .hex out, -x 0x8000000" -v 1.2.3+4 $S -x 0x8000000 app.bin x.hex
	is "-x: the hex file starts there" "$(python3 img.py minaddr x.hex)" 0x8000000
	objcopy -I ihex -O binary x.hex x.bin
	assert "-x: converted back = the binary image" cmp -s x.bin basic.bin
	signs "-x 134217728" -v 1.2.3+4 $S -x 134217728 app.bin xd.hex
	assert "-x 134217728 = -x 0x8000000" cmp -s xd.hex x.hex
	signs "--confirm into .hex" -v 1.2.3+4 $S -x 0x8000000 --confirm app.bin c.hex
	objcopy -I ihex -O binary --gap-fill 0xff c.hex c.bin
	assert "--confirm .hex, gaps filled with 0xff = the padded binary" cmp -s c.bin conf.bin
else
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13; do ok "Intel HEX # SKIP objcopy not found"; done
fi

# ---- refusals
refused "-H 0x1f" 2 "mcuprov: sign: header size 0x1f out of range (0x20 to 0xffff)" -v 1.0.0 -H 0x1f --pad-header -S 0x20000 app.bin o.bin
refused "non-zero header area without --pad-header" 2 \
	"mcuprov: sign: 'app.bin': the first 0x200 bytes (the header area) are not all zero: use --pad-header to add a header in front" \
	-v 1.0.0 -H 0x200 -S 0x20000 app.bin o.bin
refused "--align 3" 2 "mcuprov: sign: invalid --align 3 (1, 2, 4, 8, 16 or 32)" -v 1.0.0 $S --align 3 app.bin o.bin
refused "--max-align 4" 2 "mcuprov: sign: invalid --max-align 4 (8, 16 or 32)" -v 1.0.0 $S --max-align 4 app.bin o.bin
refused "-F with -L" 2 "mcuprov: sign: can not set --rom-fixed and --load-addr at the same time" \
	-v 1.0.0 $S -F 0x8000000 -L 0x20000000 app.bin o.bin
refused "--custom-tlv 0x9f" 2 "mcuprov: sign: invalid custom TLV tag 0x009f (allowed 0x00a0 to 0xfffe)" \
	-v 1.0.0 $S --custom-tlv 0x9f 0x00 app.bin o.bin
refused "--custom-tlv 0xffff" 2 "mcuprov: sign: invalid custom TLV tag 0xffff (allowed 0x00a0 to 0xfffe)" \
	-v 1.0.0 $S --custom-tlv 0xffff 0x00 app.bin o.bin
refused "--custom-tlv 0x10000" 2 "mcuprov: sign: invalid custom TLV tag '0x10000'
$U" -v 1.0.0 $S --custom-tlv 0x10000 0x00 app.bin o.bin
# imgtool checks "conflicts with predefined TLV" before the range
refused "--custom-tlv 0x50 (SEC_CNT)" 2 "mcuprov: sign: custom TLV 0x50 conflicts with predefined TLV SEC_CNT" \
	-v 1.0.0 $S --custom-tlv 0x50 0x01020304 app.bin o.bin
refused "--custom-tlv 0x10 (SHA256)" 2 "mcuprov: sign: custom TLV 0x10 conflicts with predefined TLV SHA256" \
	-v 1.0.0 $S --custom-tlv 0x10 0x00 app.bin o.bin
refused "--custom-tlv given twice" 2 "mcuprov: sign: custom TLV 0xa0 given twice" \
	-v 1.0.0 $S --custom-tlv 0xa0 0x00 --custom-tlv-file 0xa0 tlv.dat app.bin o.bin
refused "--custom-tlv odd hex length" 2 "mcuprov: sign: invalid custom TLV value '0x123' (0x followed by an even number of hex digits, or a string)
$U" -v 1.0.0 $S --custom-tlv 0xa0 0x123 app.bin o.bin
refused "--custom-tlv-file missing" 1 "mcuprov: sign: 'missing.dat': cannot open: No such file or directory" \
	-v 1.0.0 $S --custom-tlv-file 0xa0 missing.dat app.bin o.bin
refused "--sha 384 with ed25519" 2 "mcuprov: sign: ed25519 keys cannot be used with --sha 384 (allowed: 256, 512)" \
	-k ed25519.pem -v 1.0.0 $S --sha 384 app.bin o.bin
refused "--sha 256 with ecdsa-p384" 2 "mcuprov: sign: ecdsa-p384 keys cannot be used with --sha 256 (allowed: 384)" \
	-k ecdsa-p384.pem -v 1.0.0 $S --sha 256 app.bin o.bin
refused "x25519 key" 2 "mcuprov: sign: x25519 keys cannot sign images (they are for image encryption)" \
	-k x25519.pem -v 1.0.0 $S app.bin o.bin
refused "public key without --vector-to-sign" 2 \
	"mcuprov: sign: the signing key is a public key (give the private key, or use --vector-to-sign and --fix-sig for external signing)" \
	-k ed25519.pub.pem -v 1.0.0 $S app.bin o.bin
refused "--pure with ecdsa-p256" 2 "mcuprov: sign: --pure needs an ed25519 key" -k ecdsa-p256.pem -v 1.0.0 $S --pure app.bin o.bin
for v in 1.2.3.4 256.0.0 1.256 1.2.65536 1.2.3+4294967296 1.2.3- "" 1.2+3 1+3 01.2.3 1.2.3+007; do
	refused "-v '$v'" 2 "mcuprov: sign: invalid version '$v' (MAJOR.MINOR.REVISION+BUILD, at most 255.255.65535+4294967295)
$U" -v "$v" $S app.bin o.bin
done
for d in "(1,2.3.4" "1,2.3.4" "(256,1.0.0)" "(1,1.2.3.4)" "()"; do
	refused "-d '$d'" 2 "mcuprov: sign: invalid -d/--dependencies '$d' (\"(ID,VERSION), ...\")
$U" -v 1.0.0 $S -d "$d" app.bin o.bin
done
# encryption itself: tests/cli/encrypt.sh
refused "-E with an ed25519 key" 2 "mcuprov: sign: ed25519 keys cannot encrypt images (MCUboot decrypts with rsa-2048, ecdsa-p256 or x25519)" \
	-v 1.0.0 $S -E ed25519.pub.pem app.bin o.bin
refused "--encrypt for an ecdsa-p384 signer" 2 "mcuprov: sign: signing and encryption must use the same type of key, as imgtool requires (ecdsa-p384 signing key, x25519 encryption key)" \
	-k ecdsa-p384.pem -v 1.0.0 $S --encrypt x25519.pub.pem app.bin o.bin
refused "missing -v" 2 "mcuprov: sign: missing -v/--version
$U" $S app.bin o.bin
refused "missing -H" 2 "mcuprov: sign: missing -H/--header-size
$U" -v 1.0.0 --pad-header -S 0x20000 app.bin o.bin
refused "missing -S" 2 "mcuprov: sign: missing -S/--slot-size
$U" -v 1.0.0 -H 0x200 --pad-header app.bin o.bin
refused "missing INFILE" 1 "mcuprov: sign: 'missing.bin': cannot open: No such file or directory" -v 1.0.0 $S missing.bin o.bin
refused "missing key" 1 "mcuprov: sign: 'missing.pem': cannot open: No such file or directory" -k missing.pem -v 1.0.0 $S app.bin o.bin
refused "--test with --confirm" 2 "mcuprov: sign: --test and --confirm exclude each other
$U" -v 1.0.0 $S --test --confirm app.bin o.bin
refused "--fix-sig without --fix-sig-pubkey" 2 "mcuprov: sign: --fix-sig needs --fix-sig-pubkey
$U" -v 1.2.3+4 $S --fix-sig ext.b64 app.bin o.bin
refused "--fix-sig with -k" 2 "mcuprov: sign: give either -k/--key or --fix-sig, not both
$U" -k ed25519.pem -v 1.2.3+4 $S --fix-sig ext.b64 --fix-sig-pubkey ed25519.pub.pem app.bin o.bin

# a refused sign leaves an existing output untouched
cp basic.bin keep.bin
run "$M" sign -v 1.0.0 $S --align 3 app.bin keep.bin
check "refused over an existing file: exit 2" 2 "mcuprov: sign: invalid --align 3 (1, 2, 4, 8, 16 or 32)"
assert "refused over an existing file: it is untouched" cmp -s keep.bin basic.bin

no_leftovers "no temporary files left" .
done_testing
