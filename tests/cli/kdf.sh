#!/bin/bash
# Keys at rest: every type keygen writes with a password is PKCS#8 PBES2 with
# PBKDF2-HMAC-SHA256 (600000 iterations, or --kdf-rounds N) and AES-256-CBC;
# mcuprov, OpenSSL and MCUboot's imgtool load it; keyinfo reports how a key
# file is encrypted and warns when that is cheap to guess offline (OpenSSL's
# default 2048 iterations, legacy PEM encryption, a small scrypt), keys which
# still load.
. "$MCUPROV_SRCDIR/tests/lib.sh"
command -v openssl >/dev/null || skip_all "openssl command not found"

PW='kdf test pw'
. "$MCUPROV_SRCDIR/tests/mcuboot-lib.sh"
# a Python with imgtool's modules; without one the imgtool checks are skipped
find_imgtool
no_imgtool=$NO_IMGTOOL

skip() { # DESC REASON
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

# imgtool_loads DESC KEY PW: imgtool's getpub opens KEY (its password read
# from stdin: without a terminal, getpass falls back to it) and prints the
# public key mcuprov prints
imgtool_loads() {
	if [ -n "$no_imgtool" ]; then
		skip "$1" "$no_imgtool"
		return
	fi
	"$M" getpub -k "$2" --passin "pass:$3" -e pem >want.pub 2>/dev/null
	printf '%s\n' "$3" | setsid -w "$PY" "$IMGTOOL" getpub -k "$2" -e pem >got.pub 2>imgtool.err
	if [ $? = 0 ] && [ -s want.pub ] && cmp -s got.pub want.pub; then
		ok "$1"
	else
		not_ok "$1" "imgtool: $(tail -n 3 imgtool.err)" "$(diff got.pub want.pub | head -n 4)"
	fi
}

# keyinfo_out DESC EXPECTED_STDOUT
keyinfo_out() {
	if [ "$(cat "$T_TMP/out")" = "$2" ]; then ok "$1"; else
		not_ok "$1" "stdout: $(cat "$T_TMP/out")" "expected: $2"; fi
}

# kdf_of KEY: "PRF ITERATIONS-IN-HEX CIPHER" as `openssl asn1parse` reads them
kdf_of() {
	openssl asn1parse -in "$1" 2>/dev/null | awk -F: '
		/OBJECT/ { o = $NF; sub(/ +$/, "", o) }
		/OBJECT/ && o == "PBES2" { pbes2 = 1 }
		/OBJECT/ && o == "PBKDF2" { pbkdf2 = 1 }
		/OBJECT/ && o ~ /^hmacWith/ { prf = o }
		/OBJECT/ && o ~ /^aes-/ { cipher = o }
		/INTEGER/ && pbkdf2 && iter == "" { iter = $NF }
		END { if (pbes2 && pbkdf2) print prf, iter, cipher }'
}

PBKDF2_600K='PBES2, PBKDF2-HMAC-SHA256, 600000 iterations, AES-256-CBC'
for t in ed25519 ecdsa-p256 ecdsa-p384 rsa-2048 rsa-3072 x25519; do
	run "$M" keygen -k $t.pem -t $t --passout "pass:$PW"
	check "keygen -t $t --passout: exit 0" 0 ''
	# 600000 = 0x927C0
	assert "keygen -t $t: PBES2, PBKDF2-HMAC-SHA256, 600000 iterations, AES-256-CBC (openssl asn1parse)" \
		test "$(kdf_of $t.pem)" = 'hmacWithSHA256 0927C0 aes-256-cbc'
	openssl pkey -in $t.pem -passin "pass:$PW" -pubout -out $t.ossl.pub 2>/dev/null
	run "$M" getpub -k $t.pem --passin "pass:$PW" -e pem
	check "$t: mcuprov loads it" 0 ''
	check_out "$t: its public key is the one OpenSSL reads with the password" $t.ossl.pub
	imgtool_loads "$t: imgtool loads it" $t.pem "$PW"
	run "$M" keyinfo -k $t.pem --passin "pass:$PW"
	check "$t: keyinfo: no warning" 0 ''
	keyinfo_out "$t: keyinfo reports the encryption" "private
encryption: $PBKDF2_600K"
done

# --kdf-rounds N
run "$M" keygen -k slow.pem -t ecdsa-p256 --passout "pass:$PW" --kdf-rounds 1000000
check "--kdf-rounds 1000000: exit 0" 0 ''
assert "--kdf-rounds 1000000: 1000000 iterations in the file (openssl asn1parse)" \
	test "$(kdf_of slow.pem)" = 'hmacWithSHA256 0F4240 aes-256-cbc'
run "$M" keyinfo -k slow.pem --passin "pass:$PW"
keyinfo_out "--kdf-rounds 1000000: keyinfo reports it" "private
encryption: PBES2, PBKDF2-HMAC-SHA256, 1000000 iterations, AES-256-CBC"
imgtool_loads "--kdf-rounds 1000000: imgtool loads it" slow.pem "$PW"
run "$M" keygen -k floor.pem -t ed25519 --passout "pass:$PW" --kdf-rounds 600000
check "--kdf-rounds at the floor (600000): exit 0" 0 ''

U="usage: mcuprov keygen -k FILE|URI -t TYPE [-p | --passout SRC] [--kdf-rounds N] [--force] [--passin SRC]"
for bad in 599999 100000001 2048 0 -1 +600000 6e5 0x93e00 '600000 ' abc '' 99999999999999999999; do
	run "$M" keygen -k bad.pem -t ed25519 --passout "pass:$PW" --kdf-rounds "$bad"
	check "--kdf-rounds '$bad': usage error" 2 "mcuprov: keygen: invalid --kdf-rounds '$bad' (PBKDF2 iterations, 600000 to 100000000)
$U"
done
assert "no key written by a refused --kdf-rounds" test ! -e bad.pem
run "$M" keygen -k bad.pem -t ed25519 --kdf-rounds 700000
check "--kdf-rounds without a password: usage error" 2 "mcuprov: keygen: --kdf-rounds needs a password (-p or --passout): without one the key is not encrypted
$U"
assert "no key written without a password for --kdf-rounds" test ! -e bad.pem
run "$M" keygen -k bad.pem -t ed25519 --passout "pass:$PW" --kdf-rounds
check "--kdf-rounds without its value: usage error" 2 "mcuprov: keygen: option '--kdf-rounds' needs a value
$U"

# without a password nothing changes
run "$M" keygen -k plain.pem -t ed25519
check "keygen without a password: exit 0" 0 ''
assert "without a password: plain PKCS#8" test "$(head -n 1 plain.pem)" = '-----BEGIN PRIVATE KEY-----'
run "$M" keyinfo -k plain.pem
check "keyinfo on a key without a password: no warning" 0 ''
keyinfo_out "keyinfo on a key without a password: 'private' only (as imgtool)" private

# old and weak encryptions: they load, keyinfo says how and warns
openssl genpkey -algorithm ed25519 -out ed-plain.pem 2>/dev/null
openssl genpkey -algorithm ed25519 -aes-256-cbc -pass "pass:$PW" -out weak.pem 2>/dev/null
assert "openssl genpkey -aes-256-cbc: OpenSSL's default 2048 iterations" \
	test "$(kdf_of weak.pem)" = 'hmacWithSHA256 0800 aes-256-cbc'
RE="re-encrypt it: openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 600000"
run "$M" keyinfo -k weak.pem --passin "pass:$PW"
check "keyinfo on a 2048-iteration key: exit 0, the warning" 0 "mcuprov: warning: 'weak.pem' is encrypted with 2048 PBKDF2-HMAC-SHA256 iterations (at least 600000): weak against offline password guessing; $RE -in 'weak.pem' -out NEW.pem"
keyinfo_out "keyinfo on a 2048-iteration key: reports it" "private
encryption: PBES2, PBKDF2-HMAC-SHA256, 2048 iterations, AES-256-CBC"
run "$M" keyinfo -k weak.pem --passin "pass:$PW" --require public
check "keyinfo --require on a weak key: the warning, then the refusal" 1 "mcuprov: warning: 'weak.pem' is encrypted with 2048 PBKDF2-HMAC-SHA256 iterations (at least 600000): weak against offline password guessing; $RE -in 'weak.pem' -out NEW.pem
mcuprov: keyinfo: 'weak.pem': is a private key, public key required"
run "$M" getpub -k weak.pem --passin "pass:$PW" -e pem
check "a 2048-iteration key still loads (getpub)" 0 ''
imgtool_loads "imgtool loads the 2048-iteration key too" weak.pem "$PW"
# the advice works
openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 600000 -in weak.pem \
	-passin "pass:$PW" -passout "pass:$PW" -out strong.pem 2>/dev/null
run "$M" keyinfo -k strong.pem --passin "pass:$PW"
check "re-encrypted as the warning says: no warning" 0 ''
keyinfo_out "re-encrypted as the warning says: 600000 iterations" "private
encryption: $PBKDF2_600K"

# legacy PEM ("Proc-Type: 4,ENCRYPTED"): RSA PKCS#1 and EC SEC1
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out rsa-plain.pem 2>/dev/null
openssl rsa -in rsa-plain.pem -traditional -aes256 -passout "pass:$PW" -out legacy-rsa.pem 2>/dev/null
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out ec-plain.pem 2>/dev/null
openssl ec -in ec-plain.pem -aes256 -passout "pass:$PW" -out legacy-ec.pem 2>/dev/null
for k in legacy-rsa legacy-ec; do
	assert "$k.pem is legacy PEM encryption" grep -q '^Proc-Type: 4,ENCRYPTED' $k.pem
	run "$M" keyinfo -k $k.pem --passin "pass:$PW"
	check "keyinfo on $k.pem: the warning" 0 "mcuprov: warning: '$k.pem' is encrypted with legacy PEM encryption (its key is one MD5 round of the password): weak against offline password guessing; $RE -in '$k.pem' -out NEW.pem"
	keyinfo_out "keyinfo on $k.pem: reports it" "private
encryption: legacy PEM (Proc-Type: 4,ENCRYPTED), AES-256-CBC, key from one MD5 round"
	run "$M" getpub -k $k.pem --passin "pass:$PW"
	check "$k.pem still loads (getpub)" 0 ''
	imgtool_loads "imgtool loads $k.pem" $k.pem "$PW"
done

# scrypt at `openssl pkcs8 -scrypt`'s N=2^14, r=8, p=1: weak; it loads
openssl pkcs8 -topk8 -scrypt -in ed-plain.pem -passout "pass:$PW" -out scrypt.pem 2>/dev/null
run "$M" keyinfo -k scrypt.pem --passin "pass:$PW"
check "keyinfo on a small scrypt: the warning" 0 "mcuprov: warning: 'scrypt.pem' is encrypted with scrypt N=2^14, r=8, p=1 (N*r*p at least 655360): weak against offline password guessing; $RE -in 'scrypt.pem' -out NEW.pem"
keyinfo_out "keyinfo on a small scrypt: reports it" "private
encryption: PBES2, scrypt (N=2^14, r=8, p=1), AES-256-CBC"

# PKCS#12 PBE (openssl pkcs8 -v1): always weak; it loads
openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in ed-plain.pem -passout "pass:$PW" -out p12.pem 2>/dev/null
run "$M" keyinfo -k p12.pem --passin "pass:$PW"
check "keyinfo on a PKCS#12 PBE key: the warning" 0 "mcuprov: warning: 'p12.pem' is encrypted with the obsolete PBE-SHA1-3DES, 2048 iterations: weak against offline password guessing; $RE -in 'p12.pem' -out NEW.pem"
keyinfo_out "keyinfo on a PKCS#12 PBE key: reports it" "private
encryption: PKCS#12 PBE, PBE-SHA1-3DES, 2048 iterations"

# an encrypted DER PKCS#8 file
openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA512 -iter 300000 -in ed-plain.pem \
	-passout "pass:$PW" -outform DER -out enc.der 2>/dev/null
run "$M" keyinfo -k enc.der --passin "pass:$PW"
check "keyinfo on an encrypted DER key (PBKDF2-HMAC-SHA512, 300000): no warning" 0 ''
keyinfo_out "keyinfo on an encrypted DER key: reports it" "private
encryption: PBES2, PBKDF2-HMAC-SHA512, 300000 iterations, AES-256-CBC"

done_testing
