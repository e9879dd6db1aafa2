#!/bin/bash
# Compressed images (sign --compression lzma2|lzma2armthumb) against MCUboot's
# imgtool run here: Ed25519 images (deterministic) byte for byte, for a
# compressible text, an ARM Thumb binary (built with arm-none-eabi-gcc when
# there is one, else synthetic Thumb BL calls) and random bytes (imgtool's
# fallback: the plain image), with and without --pad --confirm and with the
# options that change the protected TLVs, header or output format; ECDSA and
# RSA (random signatures) equal but for the signature bytes and the hash
# over them; x25519-encrypted compressed images decrypt to the --clear ones.
# mcuprov verify checks the compressed image and its DECOMP_* TLVs (tampered
# ones are refused with exact messages); bad values give exact usage errors.
. "$MCUPROV_SRCDIR/tests/lib.sh"

. "$MCUPROV_SRCDIR/tests/mcuboot-lib.sh"
need_imgtool lzma

for t in ed25519 ecdsa-p256 rsa-2048 x25519; do
	"$M" keygen -k $t.pem -t $t >/dev/null 2>&1 || skip_all "keygen -t $t failed"
done
"$M" getpub -k x25519.pem -e pem >x25519.pub

# inputs: text (compressible), random (not), an ARM Thumb binary
for i in $(seq 1 3000); do echo "line $i of a very compressible firmware image"; done >text.bin
"$PY" -c 'import random, sys; r = random.Random(14); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(40000)))' >rand.bin
"$PY" - >thumb.c <<'EOF'
import random
r = random.Random(14)
n = 400
print("volatile int sink;")
for i in range(n):
    print(f"void f{i}(int x);")
for i in range(n):
    body = " ".join(f"f{r.randrange(n)}(x + {r.randrange(100)});" for _ in range(6))
    print(f"void f{i}(int x) {{ if (x > {i}) return; sink = x * {r.randrange(1000)}; {body} }}")
EOF
if command -v arm-none-eabi-gcc >/dev/null 2>&1 &&
   arm-none-eabi-gcc -mthumb -mcpu=cortex-m3 -Os -ffreestanding -nostdlib -Wl,-e,f0 \
	-Wl,-Ttext=0x8000 thumb.c -o thumb.elf 2>/dev/null &&
   arm-none-eabi-objcopy -O binary -j .text thumb.elf thumb.bin; then
	THUMB='arm-none-eabi-gcc'
else
	# Thumb-2 BL pairs to a few targets among filler: what the BCJ filter is for
	"$PY" - >thumb.bin <<'EOF'
import random, struct, sys
r = random.Random(14)
out = bytearray()
while len(out) < 30000:
    if r.random() < 0.3:
        off = (0x2000 + 0x40 * r.randrange(32) - len(out) - 4) // 2
        out += struct.pack("<HH", 0xf000 | (off >> 11) & 0x7ff, 0xf800 | off & 0x7ff)
    else:
        out += struct.pack("<H", r.choice([0x4770, 0xb500, 0xbd00, 0x2000, 0x6018, 0x4601]))
sys.stdout.buffer.write(out)
EOF
	THUMB='synthetic'
fi
"$PY" -c 'import sys; sys.stdout.buffer.write(bytes(0x200) + open("text.bin", "rb").read())' >textz.bin
"$PY" -c '
from intelhex import IntelHex
h = IntelHex(); h.frombytes(open("text.bin", "rb").read(), offset=0x10200); h.tofile("text.hex", "hex")'

# mask IN OUT: IN with the values of the hash, signature, DECOMP_SIGNATURE
# and ENC TLVs zeroed: what random signatures and keys change
mask() {
	"$PY" - "$@" <<'EOF'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
_, _, h, p, i = struct.unpack("<IIHHI", b[:16])
o = h + i
while o < len(b) - 4:
    m, tot = struct.unpack("<HH", b[o:o + 4])
    if m not in (0x6907, 0x6908):
        break
    q = o + 4
    while q < o + tot:
        t, l = struct.unpack("<HH", b[q:q + 4])
        if t in (0x10, 0x11, 0x12, 0x20, 0x22, 0x23, 0x24, 0x72) or 0x30 <= t <= 0x34:
            b[q + 4:q + 4 + l] = bytes(l)
        q += 4 + l
    o += tot
open(sys.argv[2], "wb").write(b)
EOF
}

# same DESC A B: A and B equal byte for byte
same() {
	if cmp -s "$2" "$3"; then ok "$1"; else
		not_ok "$1" "$(cmp "$2" "$3" 2>&1)" "$(cmp -l "$2" "$3" 2>&1 | head -n 3)"; fi
}

# same_masked DESC A B: equal but for the masked bytes
same_masked() {
	mask "$2" a.masked && mask "$3" b.masked
	if cmp -s a.masked b.masked; then ok "$1"; else
		not_ok "$1" "$(cmp a.masked b.masked 2>&1)" "$(cmp -l a.masked b.masked 2>&1 | head -n 3)"; fi
}

# flags FILE: the header's flags word, as hex
flags() {
	"$PY" -c 'import struct, sys; print(hex(struct.unpack("<I", open(sys.argv[1], "rb").read()[16:20])[0]))' "$1"
}

# both NAME ARGS...: imgtool and mcuprov sign ARGS into it-NAME and mp-NAME
both() {
	local name=$1
	shift
	imgtool sign "$@" "it-$name" >/dev/null 2>it.err ||
		not_ok "imgtool sign $* (setup)" "$(tail -n 3 it.err)"
	run "$M" sign "$@" "mp-$name"
	[ "$RC" = 0 ] || not_ok "mcuprov sign $*" "exit $RC" "$(cat "$T_TMP/err")"
}

C='-k ed25519.pem -v 1.2.3+7 -H 0x200 -S 0x40000'
# shellcheck disable=SC2086
for comp in lzma2 lzma2armthumb; do
	for in in text thumb rand; do
		for pad in '' '--pad --confirm'; do
			n=$comp-$in${pad:+-pad}.bin
			both "$n" $C --pad-header $pad --compression $comp $in.bin
			same "$comp, $in ($([ $in = thumb ] && echo "$THUMB, ")${pad:-no pad}): imgtool's bytes" \
				"it-$n" "mp-$n"
			run "$M" verify -k ed25519.pem "mp-$n"
			check "$comp, $in ${pad:-}: verify -k accepts it" 0 ''
		done
	done
	# the flags say what was done: compressed, or (random) not at all
	f=0x400
	[ $comp = lzma2armthumb ] && f=0xc00
	assert "$comp: text flags $f" [ "$(flags mp-$comp-text.bin)" = $f ]
	run "$M" sign $C --pad-header --compression $comp rand.bin mp-$comp-rand.bin
	assert "$comp, random: says it was not compressed" \
		grep -q "^$comp: payload 40000 -> [0-9]* bytes (not smaller with the DECOMP TLVs: not compressed)\$" \
		"$T_TMP/out"
	run "$M" sign $C --pad-header rand.bin plain-rand.bin
	same "$comp, random: not smaller, so the plain image (imgtool's fallback)" \
		plain-rand.bin mp-$comp-rand.bin
done
run "$M" sign $C --pad-header --compression lzma2 text.bin x.bin
assert "the compressed size is reported" grep -q '^lzma2: payload 142893 -> 1[0-9]* bytes$' "$T_TMP/out"
assert "sign prints two lines: the image, then the compression" \
	eval '[ "$(wc -l <"$T_TMP/out")" = 2 ] && head -n 1 "$T_TMP/out" | grep -q "^signed '"'"'text.bin'"'"' -> '"'"'x.bin'"'"': [0-9]* bytes, version 1.2.3+7, ed25519\$"'
run "$M" sign -v 1.2.3 -H 0x200 -S 0x40000 --pad-header --vector-to-sign payload text.bin x.bin
assert "without --compression, --vector-to-sign prints its one line" \
	eval '[ "$(cat "$T_TMP/out")" = "wrote the payload to sign to '"'"'x.bin'"'"' (143405 bytes)" ]'
if [ "$THUMB" = arm-none-eabi-gcc ]; then
	a=$(stat -c %s mp-lzma2-thumb.bin) b=$(stat -c %s mp-lzma2armthumb-thumb.bin)
	assert "an ARM Thumb binary compresses better with the BCJ filter ($b < $a)" [ "$b" -lt "$a" ]
fi

# options that change the header, the protected TLVs (DECOMP_* between
# DEPENDENCY and UUID_VID) or the output format
# shellcheck disable=SC2086
while IFS='|' read -r name args; do
	both "$name" $C --compression lzma2 $args
	same "$args: imgtool's bytes" "it-$name" "mp-$name"
done <<'EOF'
opt-nohdr.bin|textz.bin
opt-big.bin|--pad-header -e big text.bin
opt-tlvs.bin|--pad-header -s auto -d (1,1.2.3),(2,0.1) --vid acme.com --cid fw --boot-record BL2 --custom-tlv 0xa0 0x1234 text.bin
opt-pure.bin|--pad-header --pure text.bin
opt-sha512.bin|--pad-header --sha 512 text.bin
opt-nonboot.bin|--pad-header --non-bootable text.bin
opt-full.bin|--pad-header --public-key-format full -L 0x20000000 text.bin
opt-align.bin|--pad-header --pad --align 16 --max-align 16 -R 0 text.bin
opt-test.bin|--pad-header --test text.bin
opt-hex.hex|--pad-header -x 0x8000000 --pad text.bin
opt-hexin.hex|--pad-header --pad --confirm text.hex
opt-hexin.bin|--pad-header text.hex
EOF
# shellcheck disable=SC2086
for f in opt-nohdr.bin opt-big.bin opt-tlvs.bin opt-pure.bin opt-sha512.bin opt-full.bin opt-hexin.bin; do
	run "$M" verify -k ed25519.pem mp-$f
	check "verify -k $f" 0 ''
done
both opt-hashonly.bin -v 1.2.3 -H 0x200 -S 0x40000 --pad-header --compression lzma2 text.bin
same "hash only: imgtool's bytes" it-opt-hashonly.bin mp-opt-hashonly.bin
run "$M" verify mp-opt-hashonly.bin
check "verify of a hash-only compressed image" 0 ''

# ECDSA (with --pad-sig: fixed length) and RSA: all but the signatures
for k in ecdsa-p256 rsa-2048; do
	ps=''
	[ $k = ecdsa-p256 ] && ps=--pad-sig
	# shellcheck disable=SC2086
	both sig-$k.bin -k $k.pem -v 1.2.3 -H 0x200 -S 0x40000 --pad-header --pad $ps \
		--compression lzma2armthumb thumb.bin
	same_masked "$k: imgtool's bytes but for the signatures" it-sig-$k.bin mp-sig-$k.bin
	run "$M" verify -k $k.pem mp-sig-$k.bin
	check "$k: verify -k accepts mcuprov's" 0 ''
	run "$M" verify -k $k.pem it-sig-$k.bin
	check "$k: verify -k accepts imgtool's (and its DECOMP_SIGNATURE)" 0 ''
done

# compressed and encrypted (imgtool adds COMP_DEC_SIZE): each decrypts to the
# --clear image, and the two tools' images differ only in the random key
for kl in 128 256; do
	E="--pad-header --compression lzma2 -E x25519.pub --encrypt-keylen $kl text.bin"
	# shellcheck disable=SC2086
	both enc-$kl.bin $C $E
	# shellcheck disable=SC2086
	both clr-$kl.bin $C --clear $E
	same_masked "encrypted AES-$kl: --clear images equal but for the ENC TLV" \
		it-clr-$kl.bin mp-clr-$kl.bin
	for w in it mp; do
		run "$M" decrypt -k x25519.pem $w-enc-$kl.bin $w-dec-$kl.bin
		check "AES-$kl: decrypt the $([ $w = it ] && echo imgtool || echo mcuprov) image" 0 ''
		same_masked "AES-$kl: $([ $w = it ] && echo imgtool || echo mcuprov)'s decrypts to its --clear image" $w-dec-$kl.bin $w-clr-$kl.bin
		run "$M" verify -k ed25519.pem --enc-key x25519.pem $w-enc-$kl.bin
		check "AES-$kl: verify --enc-key $([ $w = it ] && echo imgtool || echo mcuprov)'s" 0 ''
	done
done

# encrypted and not smaller: imgtool writes its unencrypted first pass (the
# ENCRYPTED flag, no ENC TLV, plain payload); mcuprov the encrypted image
run "$M" sign $C --pad-header --compression lzma2 -E x25519.pub rand.bin enc-rand.bin
check "encrypted, random: exit 0" 0 ''
run "$M" verify -k ed25519.pem --enc-key x25519.pem enc-rand.bin
check "encrypted, random: the fallback is encrypted (verify --enc-key)" 0 ''
run "$M" dumpinfo enc-rand.bin
assert "encrypted, random: with its ENC TLV, without DECOMP TLVs" \
	eval 'grep -q "type: ENCX25519 (0x33)" "$T_TMP/out" && ! grep -q DECOMP "$T_TMP/out"'

# verify checks the DECOMP TLVs: tampered ones (image hash and signature
# fixed up, so only the decompression check can tell) are refused
cat >tamper.py <<'EOF'
import hashlib, struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
_, _, h, p, i = struct.unpack("<IIHHI", b[:16])
def tlv(start, typ):
    m, tot = struct.unpack("<HH", b[start:start + 4])
    q = start + 4
    while q < start + tot:
        t, l = struct.unpack("<HH", b[q:q + 4])
        if t == typ:
            return q + 4, l
        q += 4 + l
    raise SystemExit("no TLV 0x%x" % typ)
what = sys.argv[3]
if what == "payload":
    b[h + i - 3] ^= 0x55
else:
    o, l = tlv(h + i, {"size": 0x70, "sha": 0x71, "sig": 0x72}[what])
    b[o + l - 1] ^= 1
o, l = tlv(h + i + p, 0x10)
b[o:o + l] = hashlib.sha256(b[:h + i + p]).digest()
if len(sys.argv) > 4:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    k = load_pem_private_key(open(sys.argv[4], "rb").read(), None)
    o2, l2 = tlv(h + i + p, 0x24)
    b[o2:o2 + l2] = k.sign(bytes(b[o:o + l]))
open(sys.argv[2], "wb").write(b)
EOF
"$PY" tamper.py mp-opt-hashonly.bin t-sha.bin sha
run "$M" verify t-sha.bin
check "tampered DECOMP_SHA" 1 "mcuprov: verify: 't-sha.bin': DECOMP_SHA mismatch: the decompressed image does not have the hash the compressed one promises"
"$PY" tamper.py mp-opt-hashonly.bin t-size.bin size
run "$M" verify t-size.bin
check "tampered DECOMP_SIZE" 1 "mcuprov: verify: 't-size.bin': the compressed payload does not decompress to DECOMP_SIZE (16920109 bytes)"
"$PY" tamper.py mp-opt-hashonly.bin t-payload.bin payload
run "$M" verify t-payload.bin
check "corrupt LZMA2 stream" 1 '*'
assert "corrupt LZMA2 stream: refused for its decompression" \
	grep -q "^mcuprov: verify: 't-payload.bin': \(the compressed payload does not decompress\|DECOMP_SHA mismatch\)" "$T_TMP/err"
"$PY" tamper.py mp-lzma2-text.bin t-sig.bin sig ed25519.pem
run "$M" verify -k ed25519.pem t-sig.bin
check "tampered DECOMP_SIGNATURE" 1 "mcuprov: verify: 't-sig.bin': bad DECOMP_SIGNATURE: the decompressed image's signature does not verify with the key"
run "$M" dumpinfo mp-opt-tlvs.bin
assert "dumpinfo names the flag and the TLVs" \
	grep -qz 'COMPRESSED_LZMA2 (0x400).*type: DEPENDENCY (0x40).*type: DECOMP_SIZE (0x70).*type: DECOMP_SHA (0x71).*type: DECOMP_SIGNATURE (0x72).*type: UUID_VID (0x74)' \
	"$T_TMP/out"
run "$M" dumpinfo mp-enc-128.bin
assert "dumpinfo names COMP_DEC_SIZE" grep -q 'type: COMP_DEC_SIZE (0x73)' "$T_TMP/out"

# bad values and combinations
run "$M" sign $C --pad-header --compression foo text.bin x.bin
check "--compression foo" 2 "mcuprov: sign: invalid --compression 'foo' (disabled, lzma2 or lzma2armthumb)
usage: mcuprov sign [-k KEY] -v VERSION -H SIZE -S SIZE [OPTIONS] INFILE OUTFILE"
run "$M" sign -v 1 -H 0x200 -S 0x40000 --pad-header --compression lzma2 --vector-to-sign digest text.bin x.bin
check "--compression with --vector-to-sign" 2 "mcuprov: sign: --compression cannot be combined with --vector-to-sign (the compressed image is signed after the uncompressed one)"
run "$M" sign $C --pad-header --compression disabled text.bin x.bin
run "$M" sign $C --pad-header text.bin y.bin
same "--compression disabled: the plain image" x.bin y.bin
run "$M" sign $C --pad-header -S 0x10000 --compression lzma2 text.bin x.bin
check "the uncompressed image must fit the slot too (as imgtool's first pass)" 2 \
	"mcuprov: sign: 'text.bin': image (0x230bd bytes with header and TLVs) + trailer (0x1b0) exceeds the slot size 0x10000"
no_leftovers "no temporary files left" .

done_testing
