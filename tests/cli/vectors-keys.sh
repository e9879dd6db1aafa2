#!/bin/bash
# getpub, getpubhash, getpriv and keyinfo against imgtool's own outputs in
# ../shared/vectors: every key, every encoding, byte for byte (the banner
# line names mcuprov instead of imgtool.py).
. "$MCUPROV_SRCDIR/tests/lib.sh"
need_vectors

for key in "$V"/keys/*.pem; do
	n=$(basename "$key" .pem)
	for enc in lang-c lang-rust; do
		run "$M" getpub -k "$key" -e "$enc"
		check "getpub $n -e $enc exits 0" 0 '*'
		check_gen "getpub $n -e $enc matches imgtool" "$V/getpub/$n.$enc"
	done
	for enc in pem raw; do
		run "$M" getpub -k "$key" -e "$enc"
		check_out "getpub $n -e $enc matches imgtool byte for byte" "$V/getpub/$n.$enc"
	done
	run "$M" getpubhash -k "$key" -e lang-c
	check_gen "getpubhash $n -e lang-c matches imgtool" "$V/getpubhash/$n.lang-c"
	run "$M" getpubhash -k "$key" -e raw
	check_out "getpubhash $n -e raw matches imgtool" "$V/getpubhash/$n.raw"
	run "$M" keyinfo -k "$key"
	check_out "keyinfo $n matches imgtool" "$V/keyinfo/$n.txt"
	# the fingerprint is getpubhash -e raw in hex
	run "$M" fingerprint -k "$key"
	want=$(od -An -tx1 -v "$V/getpubhash/$n.raw" | tr -d ' \n')
	got=$(cut -d' ' -f2 "$T_TMP/out")
	if [ "$got" = "$want" ]; then ok "fingerprint $n equals getpubhash -e raw"; else
		not_ok "fingerprint $n equals getpubhash -e raw" "got $got" "want $want"; fi
done

# default encoding is lang-c, and -l c / -l rust are imgtool's older spelling
run "$M" getpub -k "$V/keys/root-ec-p256.pem"
check_gen "getpub default encoding is lang-c" "$V/getpub/root-ec-p256.lang-c"
run "$M" getpub -k "$V/keys/root-ec-p256.pem" -l rust
check_gen "getpub -l rust equals -e lang-rust" "$V/getpub/root-ec-p256.lang-rust"
run "$M" getpub -k "$V/keys/root-ed25519.pem" --name-suffix _2
check_gen "getpub --name-suffix _2 matches imgtool" "$V/getpub/root-ed25519.lang-c.suffix_2"

# getpriv: every vector; the name says the format (minimal = default + --minimal)
for f in "$V"/getpriv/*.lang-c; do
	b=$(basename "$f" .lang-c)
	n=${b%.*}
	fmt=${b##*.}
	if [ "$fmt" = minimal ]; then set -- --minimal; else set -- -f "$fmt"; fi
	run "$M" getpriv -k "$V/keys/$n.pem" "$@"
	check "getpriv $n $* exits 0" 0 '*'
	check_gen "getpriv $n $* matches imgtool" "$f"
done

# -o writes the same bytes to a file
run "$M" getpub -k "$V/keys/root-rsa-3072.pem" -e raw -o pub.der
check "getpub -o exits 0 and prints only warnings" 0 '*'
assert "getpub -o wrote imgtool's bytes" cmp -s pub.der "$V/getpub/root-rsa-3072.raw"
assert "getpub -o printed nothing on stdout" test ! -s "$T_TMP/out"

# the password-protected copies give the same public key as the plain ones
for f in "$V"/keys-enc/*-pw.pem; do
	n=$(basename "$f" -pw.pem)
	run "$M" getpub -k "$f" -e raw --passin pass:mcuprov-test
	check_out "getpub $n (encrypted PKCS#8) equals the plain key" "$V/getpub/$n.raw"
done

done_testing
