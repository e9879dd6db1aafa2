#!/bin/bash
# Bad inputs: each gets an exact exit code, an exact one-line message, and
# leaves no output file behind.
. "$MCUPROV_SRCDIR/tests/lib.sh"
need_vectors
command -v openssl >/dev/null || skip_all "openssl command not found"

# bad KEY, tried through getpub -o so that "no output file" is checkable
bad_key() { # DESC FILE MESSAGE
	rm -f out.h
	run "$M" getpub -k "$2" -o out.h
	check "$1: exit 1 and message" 1 "mcuprov: getpub: '$2': $3"
	assert "$1: no output file" test ! -e out.h
}

: >empty.pem
bad_key "empty file" empty.pem "file is empty"
head -c 300 "$V/keys/root-rsa-2048.pem" >trunc.pem
bad_key "truncated PEM" trunc.pem "not a PEM or DER key (PKCS#1, SEC1, PKCS#8 or SubjectPublicKeyInfo)"
head -c 40 "$V/getpub/root-rsa-2048.raw" >trunc.der
bad_key "truncated DER" trunc.der "not a PEM or DER key (PKCS#1, SEC1, PKCS#8 or SubjectPublicKeyInfo)"
printf 'this is not a key\n\001\002\003' >garbage.pem
bad_key "garbage" garbage.pem "not a PEM or DER key (PKCS#1, SEC1, PKCS#8 or SubjectPublicKeyInfo)"
mkdir adir
bad_key "a directory" adir "is a directory"
bad_key "missing file" missing.pem "cannot open: No such file or directory"
mkfifo fifo.pem
bad_key "a FIFO" fifo.pem "not a regular file"
head -c 70000 /dev/zero >huge.pem
bad_key "an oversized file" huge.pem "file too large (70000 bytes, limit 65536)"

rm -f out.h
run "$M" getpub -k "$V/keys-enc/root-ed25519-pw.pem" --passin pass:wrong -o out.h
check "wrong password: exit 1" 1 "mcuprov: getpub: '$V/keys-enc/root-ed25519-pw.pem': wrong password (or damaged key)"
assert "wrong password: no output file" test ! -e out.h
run "$M" getpub -k "$V/keys-enc/root-ed25519-pw.pem" -o out.h
check "encrypted key, no password, no terminal: exit 1" 1 "mcuprov: getpub: '$V/keys-enc/root-ed25519-pw.pem': no terminal to ask for the password on (give it with --passin)"
assert "no password: no output file" test ! -e out.h

S='(MCUboot supports rsa-2048, rsa-3072, ecdsa-p256, ecdsa-p384, ed25519, x25519)'
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.pem 2>/dev/null
bad_key "RSA-1024" rsa1024.pem "unsupported key type rsa-1024 $S"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out rsa4096.pem 2>/dev/null
bad_key "RSA-4096" rsa4096.pem "unsupported key type rsa-4096 $S"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out p521.pem 2>/dev/null
bad_key "P-521" p521.pem "unsupported EC curve secp521r1 $S"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out k1.pem 2>/dev/null
bad_key "secp256k1" k1.pem "unsupported EC curve secp256k1 $S"
openssl genpkey -algorithm ED448 -out ed448.pem 2>/dev/null
bad_key "Ed448" ed448.pem "unsupported key type ed448 $S"
openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out dsa.param 2>/dev/null &&
	openssl genpkey -paramfile dsa.param -out dsa.pem 2>/dev/null
bad_key "DSA" dsa.pem "unsupported key type dsa $S"

# outputs
echo keep >exists.h
run "$M" getpub -k "$V/keys/root-ed25519-2-pub.pem" -o exists.h
check "getpub -o replaces a regular file, as imgtool does" 0 "mcuprov: warning: '$V/keys/root-ed25519-2-pub.pem' is MCUboot's published development key root-ed25519-2.pem: its private half is public, anyone can sign images it accepts; never ship it"
ln -s exists.h link.h
run "$M" getpub -k "$V/keys/root-ed25519-2-pub.pem" -o link.h
check "symlink at the output path: exit 1" 1 "mcuprov: warning: '$V/keys/root-ed25519-2-pub.pem' is MCUboot's published development key root-ed25519-2.pem: its private half is public, anyone can sign images it accepts; never ship it
mcuprov: getpub: 'link.h': is a symbolic link; refusing to write through it"
"$M" keygen -k mine.pem -t ed25519 >/dev/null
cp mine.pem mine.bak
run "$M" keygen -k mine.pem -t ed25519
check "existing key without --force: exit 1" 1 "mcuprov: keygen: 'mine.pem': already exists (use --force to replace it)"
assert "existing key untouched" cmp -s mine.pem mine.bak

run "$M" getpub -k mine.pem --name-suffix 'a-b' -o out.h
check "invalid --name-suffix: exit 2" 2 "mcuprov: getpub: invalid --name-suffix 'a-b' (letters, digits and _ only)
usage: mcuprov getpub -k KEY [-e lang-c|lang-rust|pem|raw] [--name-suffix S] [-o OUT] [--passin SRC]"
run "$M" getpubhash -k mine.pem --name-suffix '_1;int x' -o out.h
check "invalid getpubhash --name-suffix: exit 2" 2 "mcuprov: getpubhash: invalid --name-suffix '_1;int x' (letters, digits and _ only)
usage: mcuprov getpubhash -k KEY [-e lang-c|raw] [--name-suffix S] [-o OUT] [--passin SRC]"
assert "invalid suffix: no output file" test ! -e out.h
run "$M" getpub -k mine.pem -e lang-go
check "invalid encoding: exit 2" 2 "mcuprov: getpub: invalid encoding 'lang-go' (lang-c, lang-rust, pem or raw)
usage: mcuprov getpub -k KEY [-e lang-c|lang-rust|pem|raw] [--name-suffix S] [-o OUT] [--passin SRC]"
run "$M" getpubhash -k mine.pem -e pem
check "getpubhash has no pem encoding: exit 2" 2 "mcuprov: getpubhash: invalid encoding 'pem' (lang-c or raw)
usage: mcuprov getpubhash -k KEY [-e lang-c|raw] [--name-suffix S] [-o OUT] [--passin SRC]"

# getpriv refuses what imgtool refuses
W() { echo "mcuprov: warning: private key '$V/keys/$1' is accessible by group or others (mode 0444); run: chmod 600 '$V/keys/$1'"; }
D() { echo "mcuprov: warning: '$V/keys/$1' is MCUboot's published development key $2: its private half is public, anyone can sign images it accepts; never ship it"; }
run "$M" getpriv -k mine.pem
check "getpriv ed25519: exit 2" 2 "mcuprov: getpriv: 'mine.pem': getpriv is not supported with ed25519 keys (only rsa, ecdsa and x25519 encryption keys)"
"$M" keygen -k rsa.pem -t rsa-2048 >/dev/null
run "$M" getpriv -k rsa.pem -f pkcs8
check "getpriv rsa -f pkcs8: exit 2" 2 "mcuprov: getpriv: 'rsa.pem': rsa does not support pkcs8 (use -f openssl)"
"$M" keygen -k x.pem -t x25519 >/dev/null
run "$M" getpriv -k x.pem -f openssl
check "getpriv x25519 -f openssl: exit 2" 2 "mcuprov: getpriv: 'x.pem': x25519 does not support openssl (use -f pkcs8)"
"$M" getpub -k x.pem -e pem >xpub.pem 2>/dev/null
run "$M" getpriv -k xpub.pem
check "getpriv on a public key: exit 2" 2 "mcuprov: getpriv: 'xpub.pem': not a private key (getpriv needs the private half)"
run "$M" getpriv -k x.pem -f der
check "getpriv invalid format: exit 2" 2 "mcuprov: getpriv: invalid format 'der' (openssl or pkcs8)
usage: mcuprov getpriv -k KEY [-f openssl|pkcs8] [--minimal] [--passin SRC]"
assert "getpriv refusals print nothing on stdout" test ! -s "$T_TMP/out"

# keyinfo --require
run "$M" keyinfo -k xpub.pem --require private
check "keyinfo --require private on a public key: exit 1" 1 "mcuprov: keyinfo: 'xpub.pem': is a public key, private key required"
run "$M" keyinfo -k x.pem --require private
check "keyinfo --require private on a private key: exit 0" 0 ''
run "$M" keyinfo -k x.pem --require secret
check "keyinfo --require invalid: exit 2" 2 "mcuprov: keyinfo: invalid --require 'secret' (private or public)
usage: mcuprov keyinfo -k KEY [--require private|public] [--passin SRC]"

no_leftovers "no temporary files left" .
done_testing
