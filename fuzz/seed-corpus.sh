#!/bin/sh
# Seed the libFuzzer working corpus: copy the shared test vectors' images
# (VECTORS/images/*.bin) into CORPUS, and add a few minimal hand-made
# images (an empty TLV area, a protected area, trailers) that reach corners
# the large vector images leave to chance.  Vector files are never committed
# here; the working corpus (which the fuzzer also grows) is gitignored.
# usage: seed-corpus.sh VECTORS CORPUS
set -eu
vectors=$1
corpus=$2
mkdir -p "$corpus"

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
bin "$corpus/seed-min-trailer-align32.bin" "$(hdr 0000) 07690400 $ff32 $ff32 $ff32 $ff32" \
	"$ff32 2000 2de15d29410b8d77679c110f1f8a"
n=0
for f in "$vectors"/images/*.bin; do
	[ -f "$f" ] || continue
	cp -f "$f" "$corpus/seed-$(basename "$f")"
	n=$((n + 1))
done
if [ "$n" -eq 0 ]; then
	echo "seed-corpus: no images in '$vectors/images' (set MCUPROV_VECTORS);" \
		"fuzzing from the existing corpus only" >&2
else
	echo "seed-corpus: $n seed images from $vectors/images"
fi
