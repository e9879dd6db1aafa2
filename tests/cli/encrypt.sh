#!/bin/bash
# Encrypted images (sign -E, decrypt, verify --enc-key) against MCUboot's
# imgtool run here: for each key type (rsa-2048, ecdsa-p256, x25519) x AES
# key length x --save-enctlv, imgtool's encrypted image decrypts to imgtool's
# --clear image, mcuprov's to mcuprov's, and mcuprov's images have imgtool's
# bytes but for the random material (the AES key, so the ciphertext, and the
# ENC TLV's value); the decrypted images verify with imgtool.  Signing is
# Ed25519 (deterministic), so everything else must be equal byte for byte.
# Wrong keys, unencrypted and --clear images fail with exact messages.
. "$MCUPROV_SRCDIR/tests/lib.sh"

. "$MCUPROV_SRCDIR/tests/mcuboot-lib.sh"
need_imgtool

# mask IN OUT [payload]: IN with the ENC TLV's value zeroed (and with
# "payload", the payload after the header too): what random keys change
mask() {
	"$PY" - "$@" <<'EOF'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
_, _, h, p, i = struct.unpack("<IIHHI", b[:16])
if len(sys.argv) > 3:
    b[h:h + i] = bytes(i)
o = h + i + p
m, tot = struct.unpack("<HH", b[o:o + 4])
q = o + 4
while q < o + tot:
    t, l = struct.unpack("<HH", b[q:q + 4])
    if 0x30 <= t <= 0x34:
        b[q + 4:q + 4 + l] = bytes(l)
    q += 4 + l
open(sys.argv[2], "wb").write(b)
EOF
}

# same DESC A B [payload]: A and B equal but for the masked bytes
same() {
	mask "$2" a.masked ${4:-} && mask "$3" b.masked ${4:-}
	if cmp -s a.masked b.masked && ! cmp -s "$2" "$3"; then ok "$1"; else
		not_ok "$1" "$(cmp a.masked b.masked 2>&1)" "$(cmp -l a.masked b.masked 2>&1 | head -n 3)"; fi
}

for t in ed25519 x25519 ecdsa-p256 rsa-2048 ecdsa-p384; do
	"$M" keygen -k $t.pem -t $t >/dev/null 2>&1 && "$M" getpub -k $t.pem -e pem >$t.pub ||
		skip_all "keygen -t $t failed"
done
"$M" keygen -k other-x25519.pem -t x25519 >/dev/null 2>&1
"$M" keygen -k other-rsa-2048.pem -t rsa-2048 >/dev/null 2>&1
"$M" keygen -k other-ecdsa-p256.pem -t ecdsa-p256 >/dev/null 2>&1
# past the sink's 256 KiB buffer and the 512 KiB read window; not a multiple
# of 16 bytes: padded
head -c 600001 /dev/urandom >app.bin
# the slot options of a real swap upgrade: padding, trailer with key slots
OPTS=(-k ed25519.pem -v 1.2.3+4 -H 0x200 --pad-header -S 0x100000 --align 4 --max-align 16 --pad --confirm)

for t in x25519 ecdsa-p256 rsa-2048; do
	for kl in 128 256; do
		for st in '' --save-enctlv; do
			n=$t-$kl${st:+-save}
			E=(-E $t.pub --encrypt-keylen $kl $st)
			imgtool sign "${OPTS[@]}" "${E[@]}" app.bin it-$n.bin >/dev/null 2>&1 &&
			imgtool sign "${OPTS[@]}" "${E[@]}" --clear app.bin itc-$n.bin >/dev/null 2>&1 ||
				{ not_ok "imgtool signs $n"; continue; }
			# imgtool's encrypted image -> mcuprov decrypt = imgtool's --clear image
			run "$M" decrypt -k $t.pem it-$n.bin dec-$n.bin
			check "decrypt imgtool's $n image" 0 ''
			same "imgtool's $n image decrypted is imgtool's --clear image" dec-$n.bin itc-$n.bin
			run "$PY" "$IMGTOOL" verify -k ed25519.pem dec-$n.bin
			check "imgtool verifies imgtool's $n image decrypted by mcuprov" 0 '*'
			# mcuprov's: the layout of imgtool's, decrypts to its --clear image
			run "$M" sign "${OPTS[@]}" "${E[@]}" app.bin mp-$n.bin
			check "sign ${E[*]}" 0 ''
			run "$M" sign "${OPTS[@]}" "${E[@]}" -c app.bin mpc-$n.bin
			check "sign ${E[*]} -c" 0 ''
			same "mcuprov's $n image is imgtool's but for the key material" mp-$n.bin it-$n.bin payload
			same "mcuprov's $n --clear image is imgtool's but for the ENC TLV value" mpc-$n.bin itc-$n.bin
			run "$M" decrypt -k $t.pem mp-$n.bin mdec-$n.bin
			check "decrypt mcuprov's $n image" 0 ''
			same "mcuprov's $n image decrypted is its --clear image" mdec-$n.bin mpc-$n.bin
			run "$PY" "$IMGTOOL" verify -k ed25519.pem mdec-$n.bin
			check "imgtool verifies mcuprov's $n image decrypted" 0 '*'
			run "$PY" "$IMGTOOL" verify -k ed25519.pem mpc-$n.bin
			check "imgtool verifies mcuprov's $n --clear image" 0 '*'
			run "$M" verify -k ed25519.pem --enc-key $t.pem mp-$n.bin
			check "verify --enc-key: mcuprov's $n image" 0 ''
			run "$M" verify -k ed25519.pem --enc-key $t.pem it-$n.bin
			check "verify --enc-key: imgtool's $n image" 0 ''
		done
	done
done

# the payload decrypted is the input, zero-padded to 16 bytes
img_size=$(od -An -tu4 -j12 -N4 mdec-x25519-128.bin | tr -d ' ')
assert "img_size is the input padded to a multiple of 16" [ "$img_size" = 600016 ]
cmp -s <(tail -c +513 mdec-x25519-128.bin | head -c 600016) <(cat app.bin; head -c 15 /dev/zero)
assert "the decrypted payload is the input and 15 zero bytes" [ $? = 0 ]

# the trailer's two key slots: 16 bytes each (even for AES-256), or the ENC
# TLV's length with --save-enctlv, aligned to --max-align; the image fits a
# slot of exactly its size plus the trailer, and not one byte less
"$M" sign -v 1.0.0 -H 0x200 --pad-header -S 0x100000 -E x25519.pub --encrypt-keylen 256 app.bin unpadded.bin >/dev/null
len=$(stat -c %s unpadded.bin)
for st in '' --save-enctlv; do
	slots=$((2 * 16))
	[ -n "$st" ] && slots=$((2 * (32 + 32 + 32)))
	tsize=$((128 * 3 * 4 + slots + 16 * 4 + 16))
	fit=$(printf '0x%x' $((len + tsize)))
	small=$(printf '0x%x' $((len + tsize - 1)))
	S=(-v 1.0.0 -H 0x200 --pad-header --align 4 --max-align 16 -E x25519.pub --encrypt-keylen 256 $st)
	run "$M" sign "${S[@]}" -S $fit --pad app.bin fit.bin
	check "${st:-no --save-enctlv}: fits a slot of size + trailer" 0 ''
	run "$PY" "$IMGTOOL" sign "${S[@]}" -S $fit --pad app.bin fit-it.bin
	check "${st:-no --save-enctlv}: so does imgtool's" 0 '*'
	run "$M" sign "${S[@]}" -S $small app.bin small.bin
	check "${st:-no --save-enctlv}: not one byte less" 2 "mcuprov: sign: 'app.bin': image ($(printf '0x%x' "$len") bytes with header and TLVs) + trailer ($(printf '0x%x' $tsize)) exceeds the slot size $small"
	run "$PY" "$IMGTOOL" sign "${S[@]}" -S $small app.bin small-it.bin
	check "${st:-no --save-enctlv}: nor imgtool's" 2 '*'
done

# ECIES-X25519 with HMAC-SHA512: the ENCX25519_SHA512 TLV
imgtool sign "${OPTS[@]}" -E x25519.pub --hmac-sha 512 app.bin it-512.bin >/dev/null 2>&1
imgtool sign "${OPTS[@]}" -E x25519.pub --hmac-sha 512 -c app.bin itc-512.bin >/dev/null 2>&1
run "$M" sign "${OPTS[@]}" -E x25519.pub --hmac-sha 512 app.bin mp-512.bin
check "sign --hmac-sha 512" 0 ''
same "--hmac-sha 512: mcuprov's image is imgtool's but for the key material" mp-512.bin it-512.bin payload
run "$M" decrypt -k x25519.pem it-512.bin dec-512.bin
check "decrypt imgtool's --hmac-sha 512 image" 0 ''
same "imgtool's --hmac-sha 512 image decrypted is its --clear image" dec-512.bin itc-512.bin
run "$M" dumpinfo mp-512.bin
assert "dumpinfo names the ENCX25519_SHA512 TLV and the flag" \
	grep -q -e '^        type: ENCX25519_SHA512 (0x34)$' "$T_TMP/out"
assert "dumpinfo shows the ENCRYPTED_AES128 flag" grep -q '^flags: *ENCRYPTED_AES128 (0x4)$' "$T_TMP/out"

# hash-only, unpadded, no header padding: the same rules
head -c 512 /dev/zero >hdr.bin && cat hdr.bin app.bin >app-h.bin
imgtool sign -v 1.0.0 -H 0x200 -S 0x100000 -E x25519.pub -c app-h.bin itc-h.bin >/dev/null 2>&1
run "$M" sign -v 1.0.0 -H 0x200 -S 0x100000 -E x25519.pub -c app-h.bin mpc-h.bin
check "sign hash-only -E -c" 0 ''
same "hash-only --clear image is imgtool's but for the ENC TLV value" mpc-h.bin itc-h.bin
run "$M" sign -v 1.0.0 -H 0x200 -S 0x100000 -E x25519.pub app-h.bin mp-h.bin
run "$M" decrypt -k x25519.pem mp-h.bin mdec-h.bin
check "decrypt the hash-only image" 0 ''
same "the hash-only image decrypted is its --clear image" mdec-h.bin mpc-h.bin

# errors: wrong keys, unsuitable keys, images that are not encrypted
P=mp-x25519-128.bin
run "$M" decrypt -k other-x25519.pem $P out.bin
check "decrypt with another x25519 key" 1 "mcuprov: decrypt: '$P': wrong encryption key: the ENCX25519 TLV does not open with this x25519 key (HMAC mismatch)"
assert "nothing written with a wrong key" [ ! -e out.bin ]
run "$M" decrypt -k other-ecdsa-p256.pem mp-ecdsa-p256-128.bin out.bin
check "decrypt with another ecdsa-p256 key" 1 "mcuprov: decrypt: 'mp-ecdsa-p256-128.bin': wrong encryption key: the ENCEC256 TLV does not open with this ecdsa-p256 key (HMAC mismatch)"
run "$M" decrypt -k other-rsa-2048.pem mp-rsa-2048-256.bin out.bin
check "decrypt with another rsa-2048 key" 1 "mcuprov: decrypt: 'mp-rsa-2048-256.bin': wrong encryption key: the ENCRSA2048 TLV does not open with this rsa-2048 key (RSA-OAEP decryption failed)"
run "$M" decrypt -k rsa-2048.pem $P out.bin
check "decrypt with a key of another type" 1 "mcuprov: decrypt: '$P': wrong encryption key: the image is encrypted for a x25519 key (ENCX25519 TLV), not rsa-2048"
run "$M" decrypt -k x25519.pub $P out.bin
check "decrypt with the public key" 2 "mcuprov: decrypt: '$P': decryption needs the private encryption key, not a public key"
run "$M" decrypt -k x25519.pem mpc-x25519-128.bin out.bin
check "decrypt a --clear image" 1 "mcuprov: decrypt: 'mpc-x25519-128.bin': the payload is not encrypted (an image written with -c/--clear): nothing to decrypt"
"$M" sign "${OPTS[@]}" app.bin plain.bin >/dev/null
run "$M" decrypt -k x25519.pem plain.bin out.bin
check "decrypt an unencrypted image" 1 "mcuprov: decrypt: 'plain.bin': the image is not encrypted (no ENCRYPTED_AES128 or ENCRYPTED_AES256 flag)"
assert "no output after the failures" [ ! -e out.bin ]
run "$M" decrypt -k x25519.pem $P out.hex
check "decrypt to .hex" 2 "mcuprov: decrypt: 'out.hex': decrypt writes raw binary, not Intel HEX (name OUT without .hex)"
run "$M" decrypt $P out.bin
check "decrypt without -k" 2 "mcuprov: decrypt: missing -k/--key ENCKEY
usage: mcuprov decrypt -k ENCKEY [--passin SRC] IN OUT"
cp $P tampered.bin && printf 'X' | dd of=tampered.bin bs=1 seek=1000 conv=notrunc 2>/dev/null
run "$M" decrypt -k x25519.pem tampered.bin out.bin
check "decrypt a tampered image" 1 "mcuprov: decrypt: 'tampered.bin': hash mismatch after decryption: the image was corrupted or tampered with"

run "$M" verify -k ed25519.pem $P
check "verify an encrypted image without --enc-key" 1 "mcuprov: verify: '$P': hash mismatch: the image is encrypted (give --enc-key KEY to check it), or was corrupted or tampered with"
run "$M" verify -k ed25519.pem --enc-key other-x25519.pem $P
check "verify --enc-key with another key" 1 "mcuprov: verify: '$P': wrong encryption key: the ENCX25519 TLV does not open with this x25519 key (HMAC mismatch)"
run "$M" verify -k ed25519.pem --enc-key x25519.pem tampered.bin
check "verify --enc-key a tampered image" 1 "mcuprov: verify: 'tampered.bin': hash mismatch after decryption: the image was corrupted or tampered with, or its payload is not encrypted (-c/--clear)"
run "$M" verify -k ed25519.pem mpc-x25519-128.bin
check "verify a --clear image without --enc-key" 0 '*'

# sign's checks, as imgtool's
run "$M" sign "${OPTS[@]}" -E ed25519.pub app.bin x.bin
check "-E with an ed25519 key" 2 "mcuprov: sign: ed25519 keys cannot encrypt images (MCUboot decrypts with rsa-2048, ecdsa-p256 or x25519)"
run "$M" sign "${OPTS[@]}" -E ecdsa-p256.pub --hmac-sha 512 app.bin x.bin
check "--hmac-sha 512 with ecdsa-p256" 2 "mcuprov: sign: --hmac-sha 512 needs an x25519 encryption key (only ECIES-X25519 supports HMAC-SHA512)"
run "$PY" "$IMGTOOL" sign "${OPTS[@]}" -E ecdsa-p256.pub --hmac-sha 512 app.bin x.bin
check "imgtool refuses it too" 2 '*'
run "$M" sign -k ecdsa-p256.pem -v 1.0.0 -H 0x200 --pad-header -S 0x100000 -E x25519.pub app.bin x.bin
check "ecdsa-p256 signing, x25519 encryption" 2 "mcuprov: sign: signing and encryption must use the same type of key, as imgtool requires (ecdsa-p256 signing key, x25519 encryption key)"
run "$PY" "$IMGTOOL" sign -k ecdsa-p256.pem -v 1.0.0 -H 0x200 --pad-header -S 0x100000 -E x25519.pub app.bin x.bin
check "imgtool refuses it too" 2 '*'
run "$M" sign "${OPTS[@]}" -E x25519.pub --encrypt-keylen 192 app.bin x.bin
check "--encrypt-keylen 192" 2 "mcuprov: sign: invalid --encrypt-keylen '192' (128 or 256)
usage: mcuprov sign [-k KEY] -v VERSION -H SIZE -S SIZE [OPTIONS] INFILE OUTFILE"
run "$M" sign -k ecdsa-p256.pem -v 1.0.0 -H 0x200 --pad-header -S 0x100000 -E ecdsa-p256.pub app.bin x-ec.bin
check "ecdsa-p256 signing and encryption" 0 ''
run "$M" verify -k ecdsa-p256.pem --enc-key ecdsa-p256.pem x-ec.bin
check "verify --enc-key: ecdsa-p256 signed and encrypted" 0 ''
no_leftovers "no temporary files left" .

done_testing
