#!/bin/bash
# sign/verify against imgtool's images: every deterministic vector reproduced
# byte for byte from its .cmd, randomized ones equal but for the signature
# value and verified both ways; tampered images rejected with their message.
. "$MCUPROV_SRCDIR/tests/lib.sh"
need_vectors

for cmd in "$V"/images/*.cmd; do
	n=$(basename "$cmd" .cmd)
	# the .cmd's own arguments, with our output file instead of imgtool's
	read -ra args <<<"$(vcmd "$n")"
	args[${#args[@]}-1]=ours-$n.bin
	run "$M" sign "${args[@]}"
	case $(cat "$T_TMP/out") in
	"signed '$V/images/app.bin' -> 'ours-$n.bin': $(stat -c %s ours-$n.bin 2>/dev/null) bytes, version "*)
		[ "$RC" = 0 ] && ok "sign $n exits 0 with its summary" ||
			not_ok "sign $n exits 0 with its summary" "rc=$RC" ;;
	*) not_ok "sign $n exits 0 with its summary" "rc=$RC out=$(cat "$T_TMP/out")" "$(cat "$T_TMP/err")" ;;
	esac
	key=$(grep -o 'keys/[a-z0-9-]*\.pem' "$cmd")
	case $n in
	hashonly | ed25519-*)
		assert "sign $n reproduces imgtool's image byte for byte" cmp -s ours-$n.bin "$V/images/$n.bin"
		;;
	*)
		# randomized signature: the same bytes up to the signature TLV value
		# (which starts 4 bytes after its TLV header at the end)
		ours_sz=$(stat -c %s ours-$n.bin)
		theirs_sz=$(stat -c %s "$V/images/$n.bin")
		case $n in rsa-*) siglen=256 ;; *) siglen=$(( $(od -An -tu2 -j $((theirs_sz - 72 - 2)) -N2 "$V/images/$n.bin" | tr -d ' ') )) ;; esac
		# compare everything before the signature TLV's value; the
		# TLV area's total (offset tlv_off+2) may differ by the DER length
		sig_tlv=$(python3 -c '
import struct,sys
b=open(sys.argv[1],"rb").read()
_,_,h,p,i=struct.unpack("<IIHHI",b[:16]); o=h+i+p
m,tot=struct.unpack("<HH",b[o:o+4]); q=o+4
while q<o+tot:
    t,l=struct.unpack("<HH",b[q:q+4])
    if t in (0x20,0x22,0x23): print(o,q); break
    q+=4+l' "$V/images/$n.bin")
		set -- $sig_tlv
		if cmp -s <(head -c $(($1 + 2)) ours-$n.bin) <(head -c $(($1 + 2)) "$V/images/$n.bin") &&
		   cmp -s <(tail -c +$(($1 + 5)) ours-$n.bin | head -c $(($2 - $1 - 4 + 2))) \
			  <(tail -c +$(($1 + 5)) "$V/images/$n.bin" | head -c $(($2 - $1 - 4 + 2))); then
			ok "sign $n: every byte but the signature matches imgtool"
		else
			not_ok "sign $n: every byte but the signature matches imgtool"
		fi
		;;
	esac
	run "$M" verify ${key:+-k "$V/$key"} "$V/images/$n.bin"
	if [ "$RC" = 0 ] && [ "$(head -n 1 "$T_TMP/out")" = "Image was correctly validated" ]; then
		ok "verify accepts imgtool's $n"; else not_ok "verify accepts imgtool's $n" "$(cat "$T_TMP/err")"; fi
	run "$M" verify ${key:+-k "$V/$key"} ours-$n.bin
	check_last "verify accepts our $n" 0 "$(tail -n 1 "$T_TMP/err")"
done

# verify's output, as imgtool's plus the signing key
run "$M" verify -k "$V/keys/root-ed25519.pem" "$V/images/ed25519-basic.bin"
check_out "verify prints version, digest and key" <(printf '%s\n' \
	"Image was correctly validated" "Image version: 1.2.3+4" \
	"Image digest: c98e95f40d0c97ddc3f2c4f32e629f0f82c145b4042503759c9cdaaf7dc23bd4" \
	"Signed by: ed25519 c1907fa4eac7fae3840a78902b6f0710b037e9968e5c6274a12a28790c7d4e3c ('$V/keys/root-ed25519.pem')")
run "$M" verify "$V/images/ed25519-basic.bin"
check "verify without -k checks the hash and says so" 0 "mcuprov: verify: note: hash checked, signature not checked (give -k KEY)"
run "$M" verify "$V/images/hashonly.bin"
check "verify of a hash-only image without -k" 0 ''

# tampering: one byte flipped at a time
E=$V/images/ed25519-basic.bin
K=$V/keys/root-ed25519.pem
flip() { # OFFSET OUT
	cp "$E" "$2" && chmod u+w "$2"
	b=$(od -An -tu1 -j "$1" -N1 "$2" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$2" bs=1 seek="$1" conv=notrunc 2>/dev/null
}
flip 1000 t-payload.bin
run "$M" verify -k "$K" t-payload.bin
check_last "flipped payload byte: hash mismatch" 1 "mcuprov: verify: 't-payload.bin': hash mismatch: the image was corrupted or tampered with"
flip 20 t-version.bin
run "$M" verify -k "$K" t-version.bin
check_last "flipped header byte (version): hash mismatch" 1 "mcuprov: verify: 't-version.bin': hash mismatch: the image was corrupted or tampered with"
flip $((0x1970 + 8)) t-hashtlv.bin
run "$M" verify t-hashtlv.bin
check_last "flipped SHA256 TLV byte: hash mismatch" 1 "mcuprov: verify: 't-hashtlv.bin': hash mismatch: the image was corrupted or tampered with"
flip $((0x1970 + 0x28 + 4)) t-keyhash.bin
run "$M" verify -k "$K" t-keyhash.bin
check_last "flipped KEYHASH byte: no matching key" 1 "mcuprov: verify: 't-keyhash.bin': no matching key: the image is signed with a key other than the given one"
flip $((0x1970 + 0x4c + 4 + 10)) t-sig.bin
run "$M" verify -k "$K" t-sig.bin
check_last "flipped signature byte: bad signature" 1 "mcuprov: verify: 't-sig.bin': bad signature: the image names the given key but its signature does not verify"
flip 0 t-magic.bin
run "$M" verify t-magic.bin
check "flipped magic: bad magic" 1 "mcuprov: verify: 't-magic.bin': bad image magic 0x96f3b83c (not an MCUboot image)"
flip $((0x1970)) t-tlvmagic.bin
run "$M" verify t-tlvmagic.bin
check "flipped TLV info magic" 1 "mcuprov: verify: 't-tlvmagic.bin': bad TLV area magic 0x6906 at 0x1970 (expected 0x6907)"

# wrong key, and a key on an unsigned image
run "$M" verify -k "$V/keys/root-ed25519-2.pem" "$E"
check_last "another ed25519 key: no matching key" 1 "mcuprov: verify: '$E': no matching key: the image is signed with a key other than the given one"
run "$M" verify -k "$V/keys/root-rsa-2048.pem" "$E"
check_last "a key of another type: no matching key" 1 "mcuprov: verify: '$E': no matching key: the image is signed with a key other than the given one"
run "$M" verify -k "$K" "$V/images/hashonly.bin"
check_last "a key on a hash-only image" 1 "mcuprov: verify: '$V/images/hashonly.bin': image is not signed (it carries only a hash)"
run "$M" verify -k "$V/keys/root-ed25519-2.pem" -k "$K" "$E"
check_last "the right key among several" 0 "$(tail -n 1 "$T_TMP/err")"
assert "the right key is named" grep -q "^Signed by: ed25519 c1907fa4" "$T_TMP/out"

# truncation at every TLV boundary (header 0x200 + payload 0x1770 = 0x1970;
# TLVs at 0x1974 (SHA256, 36), 0x1998 (KEYHASH, 36), 0x19bc (ED25519, 68))
for cut in 0 16 31 32 $((0x1970 - 1)) $((0x1970)) $((0x1972)) $((0x1974)) $((0x1998)) $((0x19bc)) $((0x1a00 - 1)); do
	head -c $cut "$E" >cut.bin
	run "$M" verify -k "$K" cut.bin
	if [ $cut -lt 32 ]; then
		want="truncated image: $cut bytes, the header alone is 32"
	elif [ $cut -lt $((0x1970)) ]; then
		want=$(printf 'truncated image: header and payload need 0x1970 bytes, file size is 0x%x' $cut)
	elif [ $cut -lt $((0x1974)) ]; then
		want=$(printf 'truncated image: TLV area info header at 0x1970 is past the end (file size 0x%x)' $cut)
	else
		want=$(printf 'truncated image: TLV area ends at 0x1a00, file size is 0x%x' $cut)
	fi
	check_last "truncated at $cut: rejected" 1 "mcuprov: verify: 'cut.bin': $want"
done

# CVE-2024-32883: a SEC_CNT TLV added to the unprotected area (which the
# hash does not cover) must be rejected, even though the hash still matches
python3 - "$V/images/hashonly.bin" cve.bin <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
_, _, h, p, i = struct.unpack("<IIHHI", b[:16])
o = h + i + p
magic, tot = struct.unpack("<HH", b[o:o + 4])
extra = struct.pack("<HHI", 0x50, 4, 0xffffffff)
b[o + 2:o + 4] = struct.pack("<H", tot + len(extra))
b[o + tot:o + tot] = extra
open(sys.argv[2], "wb").write(b)
PY
run "$M" verify cve.bin
check "unprotected SEC_CNT: rejected (CVE-2024-32883)" 1 "mcuprov: verify: 'cve.bin': rejected: SEC_CNT TLV (0x50) in the unprotected TLV area, where anyone can change it (CVE-2024-32883)"
python3 - "$V/images/hashonly.bin" cve2.bin <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
_, _, h, p, i = struct.unpack("<IIHHI", b[:16])
o = h + i + p
magic, tot = struct.unpack("<HH", b[o:o + 4])
extra = struct.pack("<HH", 0x40, 12) + bytes([1, 0, 0, 0, 9, 9, 0, 0, 0, 0, 0, 0])
b[o + 2:o + 4] = struct.pack("<H", tot + len(extra))
b[o + tot:o + tot] = extra
open(sys.argv[2], "wb").write(b)
PY
run "$M" verify cve2.bin
check "unprotected DEPENDENCY: rejected (CVE-2024-32883)" 1 "mcuprov: verify: 'cve2.bin': rejected: DEPENDENCY TLV (0x40) in the unprotected TLV area, where anyone can change it (CVE-2024-32883)"
run "$M" verify "$V/images/ed25519-seccnt.bin"
check "protected SEC_CNT is fine" 0 "mcuprov: verify: note: hash checked, signature not checked (give -k KEY)"

# dumpinfo: imgtool's human, YAML and JSON output, byte for byte
for f in "$V"/dumpinfo/*.txt; do
	n=$(basename "$f" .txt)
	for fmt in human:txt yaml:yaml json:json; do
		run "$M" dumpinfo -f "${fmt%:*}" "$V/images/$n.bin"
		check_out "dumpinfo -f ${fmt%:*} $n matches imgtool" "$V/dumpinfo/$n.${fmt#*:}"
	done
done
run "$M" dumpinfo -f yaml -o info.yaml "$V/images/ed25519-pad-confirm.bin"
check "dumpinfo -o exits 0 quietly" 0 ''
assert "dumpinfo -o wrote the YAML" cmp -s info.yaml "$V/dumpinfo/ed25519-pad-confirm.yaml"
run "$M" dumpinfo "$V/images/app.bin"
check "dumpinfo of a non-image" 1 "mcuprov: dumpinfo: '$V/images/app.bin': bad image magic 0x340e334c (not an MCUboot image)"
run "$M" dumpinfo -f xml "$V/images/hashonly.bin"
check "dumpinfo -f xml: usage error" 2 "mcuprov: dumpinfo: invalid format 'xml' (human, yaml or json)
usage: mcuprov dumpinfo [-f human|yaml|json] [-o OUT] IMAGE"
{ cat "$V/images/hashonly.bin"; head -c 40 /dev/zero; } >badtrailer.bin
run "$M" dumpinfo -f json badtrailer.bin
check "invalid trailer magic: warning on stderr for JSON" 0 "mcuprov: warning: 'badtrailer.bin': the trailer magic value is invalid"

done_testing
