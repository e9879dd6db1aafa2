#!/bin/bash
# Key file formats: PEM and DER; PKCS#1, SEC1, PKCS#8 (plain, encrypted),
# SubjectPublicKeyInfo; all give the same public key.
. "$MCUPROV_SRCDIR/tests/lib.sh"
need_vectors
command -v openssl >/dev/null || skip_all "openssl command not found"

same() { # DESC FILE NAME [ARGS]: getpub -e raw of FILE equals the vector NAME
	d=$1 f=$2 n=$3
	shift 3
	run "$M" getpub -k "$f" -e raw "$@"
	if [ "$RC" = 0 ] && cmp -s "$T_TMP/out" "$V/getpub/$n.raw"; then ok "$d"; else
		not_ok "$d" "rc=$RC $(cat "$T_TMP/err")"; fi
}

for n in root-rsa-2048 root-ec-p256 root-ec-p384 root-ed25519 enc-x25519-priv; do
	k=$V/keys/$n.pem
	openssl pkey -in "$k" -outform DER -out $n.p8.der 2>/dev/null
	same "$n: PKCS#8 DER" $n.p8.der $n
	openssl pkey -in "$k" -pubout -out $n.spki.pem 2>/dev/null
	same "$n: SubjectPublicKeyInfo PEM" $n.spki.pem $n
	openssl pkey -in "$k" -pubout -outform DER -out $n.spki.der 2>/dev/null
	same "$n: SubjectPublicKeyInfo DER" $n.spki.der $n
	openssl pkcs8 -topk8 -in "$k" -v2 aes-256-cbc -passout pass:pw -outform DER -out $n.enc.der 2>/dev/null
	same "$n: encrypted PKCS#8 DER" $n.enc.der $n --passin pass:pw
	run "$M" keyinfo -k $n.spki.der
	check_out "$n: SPKI is a public key" <(echo public)
done
openssl pkey -in "$V/keys/root-rsa-2048.pem" -traditional -out rsa.pkcs1.pem 2>/dev/null
assert "PKCS#1 fixture is 'RSA PRIVATE KEY'" test "$(head -n 1 rsa.pkcs1.pem)" = '-----BEGIN RSA PRIVATE KEY-----'
same "root-rsa-2048: PKCS#1 PEM" rsa.pkcs1.pem root-rsa-2048
openssl rsa -in "$V/keys/root-rsa-2048.pem" -outform DER -traditional -out rsa.pkcs1.der 2>/dev/null
same "root-rsa-2048: PKCS#1 DER" rsa.pkcs1.der root-rsa-2048
openssl rsa -in "$V/keys/root-rsa-2048.pem" -RSAPublicKey_out -out rsapub.pkcs1.pem 2>/dev/null
same "root-rsa-2048: PKCS#1 RSAPublicKey PEM" rsapub.pkcs1.pem root-rsa-2048
openssl ec -in "$V/keys/root-ec-p256.pem" -out ec.sec1.pem 2>/dev/null
assert "SEC1 fixture is 'EC PRIVATE KEY'" test "$(head -n 1 ec.sec1.pem)" = '-----BEGIN EC PRIVATE KEY-----'
same "root-ec-p256: SEC1 PEM" ec.sec1.pem root-ec-p256
openssl ec -in "$V/keys/root-ec-p256.pem" -outform DER -out ec.sec1.der 2>/dev/null
same "root-ec-p256: SEC1 DER" ec.sec1.der root-ec-p256
openssl ec -in "$V/keys/root-ec-p256.pem" -pubout -conv_form compressed -out ec.comp.pem 2>/dev/null
same "root-ec-p256: compressed point re-exported uncompressed" ec.comp.pem root-ec-p256
openssl ec -in "$V/keys/root-ec-p256.pem" -aes256 -passout pass:pw -out ec.sec1enc.pem 2>/dev/null
same "root-ec-p256: legacy encrypted SEC1 PEM" ec.sec1enc.pem root-ec-p256 --passin pass:pw

done_testing
