#!/bin/bash
# sign --signer: a one-pass external signer (issue 15).  The signer here
# is a wrapper around `openssl pkeyutl -sign`, as a KMS or HSM client would
# be: it reads the digest (the payload with --pure) on stdin and writes the
# signature on stdout; mcuprov checks it with the public key given as -k
# before writing the image.  Ed25519 images equal the ones signed directly
# (deterministic signatures); ECDSA and RSA-PSS ones verify.  A signer that
# fails, prints nothing or signs with another key: exact message, exit 1,
# no output file.
. "$MCUPROV_SRCDIR/tests/lib.sh"
need_vectors
command -v openssl >/dev/null || skip_all "openssl command not found"

cp "$V/images/app.bin" app.bin
U="usage: mcuprov sign [-k KEY] -v VERSION -H SIZE -S SIZE [OPTIONS] INFILE OUTFILE"
S="-v 1.2.3+4 -H 0x200 --pad-header -S 0x20000 -s auto"
umask 077

# fresh keys (not MCUboot's development keys: no warnings on stderr)
openssl genpkey -algorithm ed25519 -out ed25519.pem 2>/dev/null
openssl genpkey -algorithm ed25519 -out other.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa2048.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out rsa3072.pem 2>/dev/null
for k in ed25519 other p256 p384 rsa2048 rsa3072; do
	openssl pkey -in $k.pem -pubout -out $k.pub 2>/dev/null
done

# the signer: signer.sh KEY [PKEYUTL-OPTION...] (pkeyutl needs a file: a
# one-shot Ed25519 signature reads the input's size first)
cat >signer.sh <<'SH'
#!/bin/sh
set -e
k=$1
shift
t=$(mktemp)
trap 'rm -f "$t"' EXIT
cat >"$t"
exec 3<"$t"
rm -f "$t"
openssl pkeyutl -sign -inkey "$k" -in /dev/fd/3 "$@"
SH
chmod 755 signer.sh
PSS="-pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:32 -pkeyopt digest:sha256"

# verifies DESC KEY IMAGE: mcuprov verify -k KEY accepts IMAGE
verifies() {
	run "$M" verify -k "$2" "$3"
	if [ "$RC" = 0 ] && grep -q '^Image was correctly validated' "$T_TMP/out" &&
	   grep -q "^Signed by: " "$T_TMP/out"; then
		ok "$1"
	else
		not_ok "$1" "rc=$RC" "$(cat "$T_TMP/out" "$T_TMP/err")"
	fi
}
# refused DESC OUT RC MESSAGE ARGS...: exact stderr, exit RC, no OUT
refused() {
	local d=$1 out=$2 rc=$3 msg=$4
	shift 4
	rm -f "$out"
	run "$M" sign "$@"
	check "$d" "$rc" "$msg"
	assert "$d: no output file" test ! -e "$out"
}

# ---- Ed25519: the same bytes as signing directly
signs "ed25519 directly" -k ed25519.pem $S app.bin direct.bin
signs "ed25519 through --signer" -k ed25519.pub $S --signer "./signer.sh ed25519.pem -rawin" app.bin ext.bin
assert "ed25519 --signer: byte for byte the image signed directly" cmp -s ext.bin direct.bin
is "ed25519 --signer: the summary says who signed" "$(cat "$T_TMP/out")" \
	"signed 'app.bin' -> 'ext.bin': $(stat -c %s direct.bin) bytes, version 1.2.3+4, ed25519 (by the --signer)"
signs "ed25519 --signer with the private key as -k" -k ed25519.pem $S --signer "./signer.sh ed25519.pem -rawin" app.bin ext2.bin
assert "-k private: the same image" cmp -s ext2.bin direct.bin
signs "ed25519 --pure directly" -k ed25519.pem $S --pure app.bin pure.bin
signs "ed25519 --pure through --signer (the payload on stdin)" -k ed25519.pub $S --pure \
	--signer "./signer.sh ed25519.pem -rawin" app.bin pure-ext.bin
assert "ed25519 --pure --signer: byte for byte the image signed directly" cmp -s pure-ext.bin pure.bin
signs "ed25519 --sha 512" -k ed25519.pem $S --sha 512 app.bin s512.bin
signs "ed25519 --sha 512 through --signer" -k ed25519.pub $S --sha 512 --signer "./signer.sh ed25519.pem -rawin" app.bin s512-ext.bin
assert "ed25519 --sha 512 --signer: the same image" cmp -s s512-ext.bin s512.bin
signs "ed25519 --compression lzma2 directly" -k ed25519.pem $S --compression lzma2 app.bin lz.bin
signs "ed25519 --compression lzma2 through --signer (signs both passes)" -k ed25519.pub $S --compression lzma2 \
	--signer "./signer.sh ed25519.pem -rawin" app.bin lz-ext.bin
assert "ed25519 --compression --signer: the same image" cmp -s lz-ext.bin lz.bin

# the command line is split as a shell splits it, with no shell
mkdir "sign dir"
cp signer.sh "sign dir/sign it.sh"
signs "a quoted program path with spaces" -k ed25519.pub $S --signer "'./sign dir/sign it.sh' \"ed25519.pem\" -raw\\in" app.bin q.bin
assert "quoted --signer: the same image" cmp -s q.bin direct.bin
signs "no shell: \$, ~, ; and > are plain characters" -k ed25519.pub $S \
	--signer "sh -c 'printf %s \"\$1\" >arg.txt; exec ./signer.sh ed25519.pem -rawin' sh \$HOME;~>y" app.bin noshell.bin
is "the signer got the word as written" "$(cat arg.txt)" '$HOME;~>y'
assert "no file 'y' was created by a redirection" test ! -e y

# ---- ECDSA and RSA-PSS: randomized, so verified
signs "ecdsa-p256 through --signer (the SHA-256 digest)" -k p256.pub $S \
	--signer "./signer.sh p256.pem -pkeyopt digest:sha256" app.bin p256.bin
verifies "ecdsa-p256 --signer: verify -k accepts" p256.pub p256.bin
signs "ecdsa-p384 through --signer (the SHA-384 digest)" -k p384.pub $S \
	--signer "./signer.sh p384.pem -pkeyopt digest:sha384" app.bin p384.bin
verifies "ecdsa-p384 --signer: verify -k accepts" p384.pub p384.bin
signs "rsa-2048 through --signer (PSS, salt 32)" -k rsa2048.pub $S --signer "./signer.sh rsa2048.pem $PSS" app.bin rsa2048.bin
verifies "rsa-2048 --signer: verify -k accepts" rsa2048.pub rsa2048.bin
signs "rsa-3072 through --signer (PSS, salt 32)" -k rsa3072.pub $S --signer "./signer.sh rsa3072.pem $PSS" app.bin rsa3072.bin
verifies "rsa-3072 --signer: verify -k accepts" rsa3072.pub rsa3072.bin
signs "ecdsa-p256 --signer -E (encrypted image)" -k p256.pub $S -E p256.pub \
	--signer "./signer.sh p256.pem -pkeyopt digest:sha256" app.bin p256-enc.bin
run "$M" verify -k p256.pub --enc-key p256.pem p256-enc.bin
check "ecdsa-p256 --signer -E: verify --enc-key accepts" 0 ''

# ---- passwords never reach the signer
openssl pkey -in ed25519.pem -aes256 -passout pass:hunter2-pw -out ed25519-enc.pem
SIGN_KEY_PW=hunter2-pw MY_PASSWORD=x KEEPME=1 run "$M" sign -k ed25519-enc.pem --passin env:SIGN_KEY_PW $S \
	--signer "sh -c 'env >signer-env.txt; exec ./signer.sh ed25519.pem -rawin'" app.bin pw.bin
check "an encrypted -k with --passin env:" 0 ''
assert "with the password from env: the same image" cmp -s pw.bin direct.bin
assert "the signer ran with the environment" grep -q '^KEEPME=1$' signer-env.txt
assert "the password's variable and *PASS* ones are withheld from the signer" \
	bash -c '! grep -q "hunter2\|^SIGN_KEY_PW=\|^MY_PASSWORD=" signer-env.txt'

# ---- signers that fail
refused "the signer fails" bad.bin 1 "oops from the signer
mcuprov: sign: 'sh': the signer failed (exit status 3)" \
	-k ed25519.pub $S --signer "sh -c 'echo oops from the signer >&2; exit 3'" app.bin bad.bin
refused "the signer prints nothing" bad.bin 1 "mcuprov: sign: 'true': the signer printed no signature" \
	-k ed25519.pub $S --signer true app.bin bad.bin
refused "the signer signs with another key" bad.bin 1 \
	"mcuprov: sign: './signer.sh': the signer's signature does not verify with the -k/--key ed25519 key over this image" \
	-k ed25519.pub $S --signer "./signer.sh other.pem -rawin" app.bin bad.bin
refused "ecdsa: the signer signs with another key" bad.bin 1 \
	"mcuprov: sign: './signer.sh': the signer's signature does not verify with the -k/--key ecdsa-p256 key over this image" \
	-k p256.pub $S --signer "./signer.sh p384.pem -pkeyopt digest:sha256" app.bin bad.bin
refused "rsa: PKCS#1 v1.5 instead of PSS" bad.bin 1 \
	"mcuprov: sign: './signer.sh': the signer's signature does not verify with the -k/--key rsa-2048 key over this image" \
	-k rsa2048.pub $S --signer "./signer.sh rsa2048.pem -pkeyopt digest:sha256" app.bin bad.bin
refused "ed25519 --pure, the signer signs the digest of its input" bad.bin 1 \
	"mcuprov: sign: 'sh': the signer's signature does not verify with the -k/--key ed25519 key over this image" \
	-k ed25519.pub $S --pure --signer "sh -c 'openssl dgst -sha256 -binary | ./signer.sh ed25519.pem -rawin'" app.bin bad.bin
refused "the signer prints too much" bad.bin 1 "mcuprov: sign: 'head': the signer printed more than 1024 bytes: not a signature" \
	-k ed25519.pub $S --signer "head -c 5000 /dev/zero" app.bin bad.bin
refused "the signer is killed" bad.bin 1 "mcuprov: sign: 'sh': the signer was killed by signal 9 (Killed)" \
	-k ed25519.pub $S --signer "sh -c 'kill -9 \$\$'" app.bin bad.bin
refused "the signer does not exist" bad.bin 1 "mcuprov: sign: 'no-such-signer': cannot run the signer: no-such-signer not found in PATH" \
	-k ed25519.pub $S --signer no-such-signer app.bin bad.bin
cp direct.bin keep.bin
refused "a failing signer leaves an existing output alone" keep-not.bin 1 "mcuprov: sign: 'false': the signer failed (exit status 1)" \
	-k ed25519.pub $S --signer false app.bin keep.bin
assert "the existing output is unchanged" cmp -s keep.bin direct.bin
no_leftovers "no temporary files left" .

# ---- usage
refused "--signer without -k" bad.bin 2 "mcuprov: sign: --signer needs -k/--key, the public key its signatures verify with
$U" $S --signer "./signer.sh ed25519.pem -rawin" app.bin bad.bin
refused "--signer with an open quote" bad.bin 2 "mcuprov: sign: invalid --signer './signer.sh 'ed25519.pem' (a quote is not closed)
$U" -k ed25519.pub $S --signer "./signer.sh 'ed25519.pem" app.bin bad.bin
refused "--signer ending in a backslash" bad.bin 2 "mcuprov: sign: invalid --signer './signer.sh \\' (a \\ ends it)
$U" -k ed25519.pub $S --signer "./signer.sh \\" app.bin bad.bin
refused "--signer of blanks" bad.bin 2 "mcuprov: sign: invalid --signer '  ' (no command)
$U" -k ed25519.pub $S --signer "  " app.bin bad.bin
refused "--signer twice" bad.bin 2 "mcuprov: sign: --signer given twice (give the command and its arguments as one string)
$U" -k ed25519.pub $S --signer a --signer b app.bin bad.bin
echo AAAA >x.b64
refused "--signer with --fix-sig" bad.bin 2 "mcuprov: sign: give either -k/--key or --fix-sig, not both
$U" -k ed25519.pub $S --signer a --fix-sig x.b64 --fix-sig-pubkey ed25519.pub app.bin bad.bin
refused "--signer with --vector-to-sign" bad.bin 2 "mcuprov: sign: give either --signer or --vector-to-sign, not both
$U" -k ed25519.pub $S --signer a --vector-to-sign digest app.bin bad.bin

done_testing
