#!/bin/bash
# keygen: every type loads in OpenSSL, our public export equals what OpenSSL
# derives, the file is 0600 whatever the umask, its missing directories are
# made 0700, and nothing is ever overwritten or left half-written.
. "$MCUPROV_SRCDIR/tests/lib.sh"
command -v openssl >/dev/null || skip_all "openssl command not found"

for t in rsa-2048 rsa-3072 ecdsa-p256 ecdsa-p384 ed25519 x25519; do
	run sh -c "umask 000; exec \"\$0\" keygen -k $t.pem -t $t" "$M"
	check "keygen -t $t exits 0, quiet on stderr" 0 ''
	assert "keygen -t $t: mode 0600 under umask 000" test "$(stat -c %a $t.pem)" = 600
	assert "keygen -t $t: PKCS#8 PEM" test "$(head -n 1 $t.pem)" = '-----BEGIN PRIVATE KEY-----'
	assert "keygen -t $t: openssl pkey loads it" openssl pkey -in $t.pem -noout
	case $t in
	rsa-*) openssl rsa -in $t.pem -RSAPublicKey_out -outform DER -out $t.ossl 2>/dev/null ;;
	*) openssl pkey -in $t.pem -pubout -outform DER -out $t.ossl 2>/dev/null ;;
	esac
	"$M" getpub -k $t.pem -e raw >$t.raw 2>/dev/null
	assert "keygen -t $t: getpub -e raw equals OpenSSL's export" cmp -s $t.raw $t.ossl
	fp=$("$M" fingerprint -k $t.pem | cut -d' ' -f2)
	assert "keygen -t $t: stdout names type, file and fingerprint" \
		test "$(cat "$T_TMP/out")" = "created $t key '$t.pem' (not password-protected), fingerprint $fp"
	assert "keygen -t $t: fingerprint is SHA-256 of the raw public key" \
		test "$fp" = "$(openssl dgst -sha256 -r $t.ossl | cut -d' ' -f1)"
done
case $(openssl pkey -in rsa-3072.pem -noout -text 2>/dev/null | head -n 1) in
*"3072 bit"*) ok "rsa-3072 has 3072 bits" ;;
*) not_ok "rsa-3072 has 3072 bits" ;;
esac
case $(openssl pkey -in ecdsa-p384.pem -noout -text 2>/dev/null | grep -c 'NIST CURVE: P-384') in
1) ok "ecdsa-p384 is on P-384" ;;
*) not_ok "ecdsa-p384 is on P-384" ;;
esac

# password-protected
run "$M" keygen -k enc.pem -t ecdsa-p256 --passout pass:s3cret
check "keygen --passout exits 0" 0 ''
assert "encrypted key is ENCRYPTED PRIVATE KEY" \
	test "$(head -n 1 enc.pem)" = '-----BEGIN ENCRYPTED PRIVATE KEY-----'
assert "openssl opens it with the password" openssl pkey -in enc.pem -passin pass:s3cret -noout
assert "openssl refuses a wrong password" \
	sh -c '! openssl pkey -in enc.pem -passin pass:nope -noout 2>/dev/null'
assert "encrypted with AES-256-CBC" \
	sh -c 'openssl asn1parse -in enc.pem | grep -q aes-256-cbc'
case $(cat "$T_TMP/out") in
"created ecdsa-p256 key 'enc.pem' (password-protected), fingerprint "*) ok "stdout says password-protected" ;;
*) not_ok "stdout says password-protected" "$(cat "$T_TMP/out")" ;;
esac
KEYPASS=s3cret run "$M" fingerprint -k enc.pem --passin env:KEYPASS
check "mcuprov loads its own encrypted key (env:)" 0 ''

# never overwrite without --force
cp ed25519.pem before.pem
run "$M" keygen -k ed25519.pem -t ed25519
check "existing key without --force: exit 1" 1 "mcuprov: keygen: 'ed25519.pem': already exists (use --force to replace it)"
assert "existing key is unchanged" cmp -s ed25519.pem before.pem
assert "nothing printed on stdout" test ! -s "$T_TMP/out"
run sh -c "umask 000; exec \"\$0\" keygen -k ed25519.pem -t ed25519 --force" "$M"
check "--force replaces it" 0 ''
assert "replaced key differs" sh -c '! cmp -s ed25519.pem before.pem'
assert "replaced key is mode 0600" test "$(stat -c %a ed25519.pem)" = 600

# a symbolic link at the path is refused, even with --force
echo target >target.txt
ln -s target.txt link.pem
run "$M" keygen -k link.pem -t ed25519 --force
check "symlink at the key path: exit 1" 1 "mcuprov: keygen: 'link.pem': is a symbolic link; refusing to write through it"
assert "symlink target untouched" test "$(cat target.txt)" = target
ln -s missing.pem dangling.pem
run "$M" keygen -k dangling.pem -t ed25519
check "dangling symlink at the key path: exit 1" 1 "mcuprov: keygen: 'dangling.pem': is a symbolic link; refusing to write through it"
assert "nothing created through a dangling symlink" test ! -e missing.pem

# the key's missing directories are made, mode 0700 whatever the umask;
# an existing directory keeps its mode
run sh -c "umask 000; exec \"\$0\" keygen -k a/b/k.pem -t ed25519" "$M"
check "missing directories: exit 0" 0 ''
fp=$("$M" fingerprint -k a/b/k.pem | cut -d' ' -f2)
assert "missing directories: the usual line" \
	test "$(cat "$T_TMP/out")" = "created ed25519 key 'a/b/k.pem' (not password-protected), fingerprint $fp"
assert "missing directories: a and a/b made with mode 0700" test "$(stat -c %a a) $(stat -c %a a/b)" = "700 700"
assert "missing directories: the key is 0600" test "$(stat -c %a a/b/k.pem)" = 600
mkdir -m 0755 shared
run "$M" keygen -k shared/new/k.pem -t ecdsa-p256
check "an existing parent: exit 0" 0 ''
assert "an existing parent keeps its mode, the new one is 0700" \
	test "$(stat -c %a shared) $(stat -c %a shared/new)" = "755 700"
chmod 0750 a/b
run "$M" keygen -k a/b/k2.pem -t ed25519
check "an existing directory: exit 0" 0 ''
assert "an existing directory keeps its mode" test "$(stat -c %a a/b)" = 750
run "$M" keygen -k ed25519.pem/k.pem -t ed25519
check "a file where a directory must be: exit 1" 1 "mcuprov: keygen: 'ed25519.pem/k.pem': cannot stat: Not a directory"

# what cannot be written is said before the password is asked for
run "$M" keygen -k ed25519.pem -t ed25519 -p
check "an existing key with -p: refused before the password" 1 "mcuprov: keygen: 'ed25519.pem': already exists (use --force to replace it)"
run "$M" keygen -k link.pem -t ed25519 -p --force
check "a symbolic link with -p: refused before the password" 1 "mcuprov: keygen: 'link.pem': is a symbolic link; refusing to write through it"

# failures leave nothing behind
mkdir ro && chmod 555 ro
if [ "$(id -u)" != 0 ]; then
	run "$M" keygen -k ro/k.pem -t ed25519 -p
	check "read-only directory: exit 1, before the password" 1 "mcuprov: keygen: 'ro/k.pem': cannot create temporary file in 'ro': Permission denied"
	run "$M" keygen -k ro/sub/k.pem -t ed25519
	check "no directory can be made in a read-only one: exit 1" 1 "mcuprov: keygen: 'ro/sub': cannot create directory: Permission denied"
	assert "nothing made in the read-only directory" test -z "$(ls -A ro)"
fi
run "$M" keygen -k nopw.pem -t ed25519 -p
check "-p without a terminal: exit 1" 1 "mcuprov: keygen: no terminal to ask for the password on (give it with --passout)"
assert "no key written when the password could not be read" test ! -e nopw.pem
run "$M" keygen -k empty.pem -t ed25519 --passout pass:
check "empty --passout password: exit 1" 1 "mcuprov: keygen: empty password"
assert "no key written for an empty password" test ! -e empty.pem
no_leftovers "no temporary files left in the work directory" .

# usage errors
run "$M" keygen -k x.pem -t rsa-1024
check "unknown type: exit 2" 2 "mcuprov: keygen: unknown key type 'rsa-1024' (one of rsa-2048, rsa-3072, ecdsa-p256, ecdsa-p384, ed25519, x25519)
usage: mcuprov keygen -k FILE|URI -t TYPE [-p | --passout SRC] [--kdf-rounds N] [--force] [--passin SRC]"
run "$M" keygen -t ed25519
check "missing -k: exit 2" 2 "mcuprov: keygen: missing -k/--key FILE
usage: mcuprov keygen -k FILE|URI -t TYPE [-p | --passout SRC] [--kdf-rounds N] [--force] [--passin SRC]"
run "$M" keygen -k x.pem
check "missing -t: exit 2" 2 "mcuprov: keygen: missing -t/--type (one of rsa-2048, rsa-3072, ecdsa-p256, ecdsa-p384, ed25519, x25519)
usage: mcuprov keygen -k FILE|URI -t TYPE [-p | --passout SRC] [--kdf-rounds N] [--force] [--passin SRC]"
run "$M" keygen -k x.pem -t ed25519 -p --passout pass:x
check "-p with --passout: exit 2" 2 "mcuprov: keygen: give either -p or --passout, not both
usage: mcuprov keygen -k FILE|URI -t TYPE [-p | --passout SRC] [--kdf-rounds N] [--force] [--passin SRC]"
assert "no key written on usage errors" test ! -e x.pem

done_testing
