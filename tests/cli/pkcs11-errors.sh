#!/bin/bash
# Keys in PKCS#11 tokens when something is wrong (issue 15): a module that
# does not load, no such token or object, an ambiguous URI, a wrong PIN, a
# PIN that is locked or one attempt from locking, a mechanism the token
# lacks, a key type MCUboot does not sign with.  Every refusal: the exact
# message and exit code, no output file, no temporary file left behind,
# and a pin-value given in the URI never shown.  A wrong PIN is tried once
# and never again; a locked or final-try PIN is never tried at all.
#
# Two modules: SoftHSM2 (tokens made by tests/pkcs11-lib.sh) and
# tests/stubs/mock-p11.so ($MCUPROV_MOCK_P11), whose token states come from
# MOCKP11_* variables and which logs every C_Login to MOCKP11_LOG.  A part
# whose module is missing is skipped.
. "$MCUPROV_SRCDIR/tests/lib.sh"
. "$MCUPROV_SRCDIR/tests/pkcs11-lib.sh"
command -v openssl >/dev/null || skip_all "openssl command not found"

MOCK=${MCUPROV_MOCK_P11:-}
HAVE_MOCK=false
[ -n "$MOCK" ] && [ -f "$MOCK" ] && HAVE_MOCK=true
HAVE_SOFTHSM=false
# need_softhsm skips the whole file: ask it in a subshell first
if (skip_all() { exit 1; }; need_softhsm) >/dev/null 2>&1; then
	need_softhsm
	HAVE_SOFTHSM=true
fi
$HAVE_MOCK || $HAVE_SOFTHSM ||
	skip_all "neither SoftHSM2 nor the mock module ($MOCK) is there"
unset MCUPROV_PKCS11_MODULE SOFTHSM2_CONF ${!MOCKP11_*}

# skip DESC: one TAP test skipped, with the reason
skip() {
	T_N=$((T_N + 1))
	echo "ok $T_N # SKIP $1"
}

umask 077
W=$PWD # the test's directory (some commands run in a project below it)
head -c 3000 /dev/urandom >app.bin
S="-v 1.2.3 -H 0x200 --pad-header -S 0x20000 app.bin out.bin"
SUP="MCUboot supports rsa-2048, rsa-3072, ecdsa-p256, ecdsa-p384, ed25519, x25519"
for k in ed25519 p256 p384 rsa2048; do
	case $k in
	ed25519) openssl genpkey -algorithm ed25519 -out $k.pem ;;
	p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $k.pem ;;
	p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out $k.pem ;;
	rsa2048) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out $k.pem ;;
	esac 2>/dev/null
	openssl pkey -in $k.pem -pubout -out $k.pub 2>/dev/null
done
openssl ecparam -name secp256k1 -genkey -noout -out k1.pem 2>/dev/null

# refused DESC RC MESSAGE: exact stderr and exit code, no out.bin, no
# temporary file
refused() {
	check "$1" "$2" "$3"
	assert "$1: no output file" test ! -e out.bin
	no_leftovers "$1: no temporary file" .
}
# signed DESC KEY: the last run signed out.bin, and KEY's public half
# verifies it
signed() {
	local got=$RC err
	err=$(cat "$T_TMP/err")
	run "$M" verify -k "$2" out.bin
	if [ "$got" = 0 ] && [ -z "$err" ] && [ "$RC" = 0 ]; then
		ok "$1"
	else
		not_ok "$1" "sign: exit $got, stderr: $err" "verify: exit $RC, $(cat "$T_TMP/err")"
	fi
}
# no_secret DESC [PIN]: the last run's output and stderr do not show PIN
# (SECRET)
no_secret() {
	is "$1: the pin-value is never shown" \
		"$(cat "$T_TMP/out" "$T_TMP/err" | grep -c -- "${2:-SECRET}")" 0
}

# ==== the mock module ======================================================

# mrun [VAR=VALUE]... CMD ARG...: mcuprov CMD with the mock as its module
# (the token "mock", PIN 1234, object "k" the Ed25519 key unless VARs say
# otherwise); the C_Login calls go to a fresh login.log
mrun() {
	local envs=() cmd
	while [[ $1 == *=* ]]; do
		envs+=("$1")
		shift
	done
	cmd=$1
	shift
	rm -f "$W/login.log" out.bin
	run env MOCKP11_LOG="$W/login.log" MOCKP11_KEY="$W/ed25519.pem" "${envs[@]}" \
		"$M" "$cmd" --pkcs11-module "$MOCK" "$@"
}
# logins DESC LINES: login.log holds exactly LINES ('' : no C_Login at all)
logins() {
	local got=''
	[ -f "$W/login.log" ] && got=$(cat "$W/login.log")
	is "$1" "$got" "$2"
}

K='pkcs11:token=mock;object=k'
P='pkcs11:token=mock;object=k;type=public'
mock_tests() {
	local e k pt

	# ---- modules that do not load
	rm -f out.bin
	run "$M" sign --pkcs11-module "$PWD/none.so" -k "$K" --passin pass:1234 $S
	refused "a module that does not exist" 1 \
		"mcuprov: sign: '$K': cannot load the PKCS#11 module '$PWD/none.so': cannot open shared object file: No such file or directory"
	run env MCUPROV_PKCS11_MODULE="$PWD/none.so" "$M" getpub -k "$P"
	check "MCUPROV_PKCS11_MODULE names no file: the same message" 1 \
		"mcuprov: getpub: '$P': cannot load the PKCS#11 module '$PWD/none.so': cannot open shared object file: No such file or directory"
	seq 1 100 >text.so
	run "$M" getpub --pkcs11-module "$PWD/text.so" -k "$P"
	check "a module that is not a shared object" 1 \
		"mcuprov: getpub: '$P': cannot load the PKCS#11 module '$PWD/text.so': invalid ELF header"
	if command -v cc >/dev/null && echo 'int mcuprov_not_p11(void) { return 1; }' >lib.c &&
	   cc -shared -fPIC -o libnot.so lib.c 2>/dev/null; then
		run "$M" getpub --pkcs11-module "$PWD/libnot.so" -k "$P"
		check "a shared object without C_GetFunctionList" 1 \
			"mcuprov: getpub: '$P': cannot load the PKCS#11 module '$PWD/libnot.so': not a PKCS#11 module (no C_GetFunctionList)"
	else
		skip "no C compiler to build a library that is not a PKCS#11 module"
	fi
	mrun MOCKP11_INIT_FAIL=1 getpub -k "$P"
	check "C_Initialize fails" 1 \
		"mcuprov: getpub: '$P': the PKCS#11 module '$MOCK' failed to initialize: an error occurred on the device"
	# a path with a slash is the caller's, not p11-kit's module directory
	mkdir -p mods
	cp "$MOCK" mods/mock.so
	run env MOCKP11_KEY="$W/ed25519.pem" "$M" getpub -e pem --pkcs11-module ./mods/mock.so -k "$P"
	check "--pkcs11-module ./mods/mock.so: relative to the working directory" 0 ''
	check_out "--pkcs11-module ./mods/mock.so: the key's public half" ed25519.pub

	# ---- URIs that name no one key
	mrun getpub -k 'pkcs11:token=prod;object=k;type=public'
	check "no token matches: the tokens present are listed" 1 \
		"mcuprov: getpub: 'pkcs11:token=prod;object=k;type=public': no PKCS#11 token matches (tokens present: 'mock')"
	mrun keyinfo -k 'pkcs11:token=prod;object=k'
	check "keyinfo: no token matches" 1 \
		"mcuprov: keyinfo: 'pkcs11:token=prod;object=k': no PKCS#11 token matches (tokens present: 'mock')"
	mrun verify -k 'pkcs11:token=prod;object=k' app.bin
	check "verify: no token matches" 1 \
		"mcuprov: verify: 'pkcs11:token=prod;object=k': no PKCS#11 token matches (tokens present: 'mock')"
	mrun getpub -k 'pkcs11:token=mock;object=nope;type=public'
	check "no such object (public)" 1 \
		"mcuprov: getpub: 'pkcs11:token=mock;object=nope;type=public': token 'mock' holds no key 'nope' readable without logging in"
	mrun sign -k 'pkcs11:token=mock;object=nope' --passin pass:1234 $S
	refused "no such object (logged in)" 1 \
		"mcuprov: sign: 'pkcs11:token=mock;object=nope': token 'mock' holds no key 'nope'"
	mrun sign -k 'pkcs11:token=mock;id=%02' --passin pass:1234 $S
	refused "no object with that id" 1 \
		"mcuprov: sign: 'pkcs11:token=mock;id=%02': token 'mock' holds no key with that id"
	mrun MOCKP11_KEY= getpub -k "$P"
	check "an empty token" 1 "mcuprov: getpub: '$P': token 'mock' holds no key 'k' readable without logging in"
	mrun sign -k 'pkcs11:token=mock' --passin pass:1234 $S
	refused "a URI without object or id: usage error" 2 \
		"mcuprov: sign: 'pkcs11:token=mock': the URI names no key: add object=LABEL or id=..."
	mrun getpub -k 'pkcs11:token=mock;object=%zz'
	check "an invalid URI: usage error" 2 \
		"mcuprov: getpub: 'pkcs11:token=mock;object=%zz': not a valid PKCS#11 URI: URI encoding invalid or corrupted"
	mrun getpub -k 'pkcs11:token=mock;object=k;colour=red'
	check "an attribute RFC 7512 does not define: usage error" 2 \
		"mcuprov: getpub: 'pkcs11:token=mock;object=k;colour=red': the PKCS#11 URI has an attribute mcuprov does not know (RFC 7512: token, manufacturer, model, serial, slot-*, library-*, object, id, type, pin-source, pin-value, module-name, module-path)"
	mrun getpub -k 'pkcs11:token=mock;object=k;type=cert'
	check "type=cert: usage error" 2 \
		"mcuprov: getpub: 'pkcs11:token=mock;object=k;type=cert': the URI names a certificate, not a key (type=private or type=public)"
	mrun getpub -k 'pkcs11:token=mock;object=k;type=secret-key'
	check "type=secret-key: usage error" 2 \
		"mcuprov: getpub: 'pkcs11:token=mock;object=k;type=secret-key': the URI names a secret key, not a key (type=private or type=public)"
	logins "none of these logged in" ''

	# ---- PINs: one C_Login per run, never retried
	mrun sign -k "$K" --passin pass:1234 $S
	signed "the right PIN signs" ed25519.pub
	logins "the right PIN: one C_Login" 'login 1234 CKR_OK'
	mrun sign -k "$K" --passin pass:0000 $S
	refused "a wrong PIN" 1 "mcuprov: sign: '$K': token 'mock': wrong PIN"
	logins "a wrong PIN: one C_Login, not retried" 'login 0000 CKR_PIN_INCORRECT'
	printf '0000\n' >pin
	mrun sign -k "$K" --passin file:pin $S
	refused "a wrong PIN from a file" 1 "mcuprov: sign: '$K': token 'mock': wrong PIN"
	logins "a wrong PIN from a file: one C_Login" 'login 0000 CKR_PIN_INCORRECT'
	mrun sign -k "$K?pin-source=file:$W/pin" $S
	refused "a wrong PIN from the URI's pin-source" 1 \
		"mcuprov: sign: '$K?pin-source=file:$W/pin': token 'mock': wrong PIN"
	logins "a wrong PIN from the pin-source: one C_Login" 'login 0000 CKR_PIN_INCORRECT'
	mrun sign -k "$K?pin-source=$W/none" $S
	refused "a pin-source that is not there" 1 \
		"mcuprov: sign: '$K?pin-source=$W/none': pin-source '$W/none': cannot open password file: No such file or directory"
	logins "no pin-source: no C_Login" ''
	mrun sign -k "$K;pin-value=SECRET" $S
	refused "a wrong pin-value" 1 "mcuprov: sign: '$K': token 'mock': wrong PIN"
	no_secret "a wrong pin-value"
	logins "a wrong pin-value: one C_Login" 'login SECRET CKR_PIN_INCORRECT'
	mrun MOCKP11_FLAGS=count-low sign -k "$K" --passin pass:0000 $S
	refused "a wrong PIN, the token's counter low" 1 \
		"mcuprov: sign: '$K': token 'mock': wrong PIN (few attempts left before the token locks it)"
	logins "counter low: one C_Login" 'login 0000 CKR_PIN_INCORRECT'
	mrun MOCKP11_FLAGS=count-low sign -k "$K" --passin pass:1234 $S
	signed "counter low, the right PIN: signs" ed25519.pub
	mrun sign -k "$K" $S
	refused "no PIN and no terminal" 1 \
		"mcuprov: sign: '$K': no terminal to ask for the PIN on (give it with --passin)"
	logins "no PIN: no C_Login" ''
	if command -v script >/dev/null; then
		rm -f "$W/login.log" out.bin
		# a terminal of its own: the PIN typed once, wrong, when the
		# prompt is there (what is typed earlier, the prompt flushes)
		: >tty.out
		(for _ in $(seq 100); do
			grep -q 'Enter token PIN' tty.out && break
			sleep 0.1
		done
		sleep 0.3
		printf '0000\r'
		sleep 1) |
			MOCKP11_LOG="$W/login.log" MOCKP11_KEY="$W/ed25519.pem" timeout 30 \
			script -qefc "'$M' sign --pkcs11-module '$MOCK' -k '$K' $S" /dev/null >tty.out 2>&1
		RC=$?
		is "a wrong PIN typed at the prompt: exit 1" "$RC" 1
		is "a wrong PIN typed at the prompt: the message" "$(tr -d '\r' <tty.out | tail -n 1)" \
			"mcuprov: sign: '$K': token 'mock': wrong PIN"
		logins "a wrong PIN typed at the prompt: one C_Login, not asked again" \
			'login 0000 CKR_PIN_INCORRECT'
	else
		skip "script(1) not installed: no terminal for the prompt"
		skip "script(1) not installed"
		skip "script(1) not installed"
	fi
	# --batch never prompts (rotate takes it; the key is a token's)
	mkdir -p proj
	(cd proj && "$M" init -p demo-qemu && "$M" keygen -k keys/demo-signing.pem -t ed25519) \
		>/dev/null 2>&1 || { echo "Bail out! no project to rotate in"; exit 1; }
	cd proj; mrun rotate add "$K" --batch --dry-run; cd "$W"
	check "--batch without --passin" 1 \
		"mcuprov: rotate: '$K': the token needs its PIN and --batch never prompts: give --passin"
	logins "--batch without --passin: no C_Login" ''
	cd proj; mrun rotate add "$K" --batch --dry-run --passin pass:0000; cd "$W"
	check "--batch, a wrong PIN" 1 "mcuprov: rotate: '$K': token 'mock': wrong PIN"
	logins "--batch, a wrong PIN: one C_Login" 'login 0000 CKR_PIN_INCORRECT'

	# ---- PIN states: no attempt spent
	e="the user PIN is locked (too many wrong PINs); unlock it with the token's own tool"
	mrun MOCKP11_FLAGS=locked sign -k "$K" --passin pass:1234 $S
	refused "a locked PIN: refused" 1 "mcuprov: sign: '$K': token 'mock': $e"
	logins "a locked PIN: no C_Login" ''
	mrun MOCKP11_FLAGS=final-try sign -k "$K" --passin pass:1234 $S
	refused "one attempt left: refused" 1 \
		"mcuprov: sign: '$K': token 'mock' locks its PIN at the next wrong attempt: mcuprov will not try; check the PIN and log in once with the token's own tool"
	logins "one attempt left: no C_Login, even with the right PIN" ''
	mrun MOCKP11_FLAGS=final-try sign -k "$K;pin-value=SECRET" $S
	refused "one attempt left, a pin-value: refused" 1 \
		"mcuprov: sign: '$K': token 'mock' locks its PIN at the next wrong attempt: mcuprov will not try; check the PIN and log in once with the token's own tool"
	no_secret "one attempt left"
	logins "one attempt left, a pin-value: no C_Login" ''
	mrun MOCKP11_FLAGS=to-be-changed sign -k "$K" --passin pass:1234 $S
	refused "a PIN to be changed: refused" 1 \
		"mcuprov: sign: '$K': token 'mock': the user PIN must be changed first (with the token's own tool)"
	logins "a PIN to be changed: no C_Login" ''
	mrun MOCKP11_FLAGS=final-try getpub -e pem -k "$P"
	check "one attempt left: the public half still reads (no login)" 0 ''
	check_out "one attempt left: getpub type=public" ed25519.pub
	mrun MOCKP11_FLAGS=pin-pad sign -k "$K" $S
	signed "a PIN pad: signs without a PIN" ed25519.pub
	logins "a PIN pad: one C_Login with a NULL PIN" 'login NULL CKR_OK'
	cd proj; mrun MOCKP11_FLAGS=pin-pad rotate add "$K" --batch --dry-run; cd "$W"
	check "a PIN pad: --batch needs no --passin" 0 ''
	logins "a PIN pad, --batch: one C_Login with a NULL PIN" 'login NULL CKR_OK'
	mrun MOCKP11_FLAGS=no-login sign -k "$K" $S
	signed "a token without login: signs" ed25519.pub
	logins "a token without login: no C_Login" ''

	# ---- mechanisms the token lacks
	mrun MOCKP11_MECHS=CKM_ECDSA,CKM_RSA_PKCS_PSS sign -k "$K" --passin pass:1234 $S
	refused "no CKM_EDDSA" 1 \
		"mcuprov: sign: '$K': token 'mock' does not offer CKM_EDDSA (needed to sign with ed25519 keys)"
	mrun MOCKP11_MECHS=CKM_EDDSA MOCKP11_KEY="$W/p384.pem" sign -k "$K" --passin pass:1234 $S
	refused "no CKM_ECDSA" 1 \
		"mcuprov: sign: '$K': token 'mock' does not offer CKM_ECDSA (needed to sign with ecdsa-p384 keys)"
	mrun MOCKP11_MECHS=CKM_EDDSA,CKM_ECDSA MOCKP11_KEY="$W/rsa2048.pem" sign -k "$K" --passin pass:1234 $S
	refused "no CKM_RSA_PKCS_PSS" 1 \
		"mcuprov: sign: '$K': token 'mock' does not offer CKM_RSA_PKCS_PSS (needed to sign with rsa-2048 keys)"

	# ---- a curve MCUboot does not use
	mrun MOCKP11_KEY="$W/k1.pem" getpub -k "$P"
	check "a secp256k1 key: unsupported" 1 \
		"mcuprov: getpub: '$P': token 'mock': the key's curve (secp256k1) is not one MCUboot uses ($SUP)"

	# ---- CKA_EC_POINT as a DER OCTET STRING and bare: the same key
	for k in ed25519 p256 p384 rsa2048; do
		for pt in der raw; do
			e="CKA_EC_POINT $pt"
			if [ $k = rsa2048 ]; then
				[ $pt = raw ] && continue
				e="CKA_MODULUS, CKA_PUBLIC_EXPONENT"
			fi
			mrun MOCKP11_KEY="$W/$k.pem" MOCKP11_POINT=$pt getpub -e pem -k "$P"
			check "$k, $e: getpub" 0 ''
			check_out "$k, $e: the key's public half" $k.pub
		done
		mrun MOCKP11_KEY="$W/$k.pem" MOCKP11_POINT=raw sign -k "$K" --passin pass:1234 $S
		signed "$k: signed in the token, verified with the key's public half" $k.pub
	done
}

if $HAVE_MOCK; then
	mock_tests
else
	skip "the mock module is not built ($MOCK): its tests"
fi

# ==== SoftHSM2 =============================================================

# srun CMD ARG...: mcuprov CMD on this test's SoftHSM2 tokens, no out.bin
# before
srun() {
	rm -f out.bin
	run "$M" "$@"
}

softhsm_tests() {
	local serials labels e
	mktoken prod
	softhsm2-util --init-token --free --label other --pin 123456 --so-pin 12345678 >/dev/null
	for k in "EC:edwards25519 ed 01" "EC:secp256k1 k1 02" "rsa:1024 r1024 03"; do
		set -- $k
		p11tool --token-label prod --login --pin 123456 --keypairgen --key-type "$1" \
			--label "$2" --id "$3" >/dev/null 2>&1 ||
			{ echo "Bail out! pkcs11-tool could not make the $1 key"; exit 1; }
	done
	openssl pkey -in p256.pem -pubout -outform der -out p256.der
	p11tool --token-label prod --login --pin 123456 --write-object p256.der --type pubkey \
		--label pubonly --id 04 >/dev/null 2>&1 ||
		{ echo "Bail out! pkcs11-tool could not import a public key"; exit 1; }

	# ---- the token
	# in slot order, as the module lists them
	serials=$(p11tool -L 2>/dev/null |
		awk '/token label/ { l = $NF } /serial num/ { printf "%s'\''%s'\'' serial %s", n++ ? ", " : "", l, $NF }')
	labels=$(p11tool -L 2>/dev/null |
		awk '/token label/ { printf "%s'\''%s'\''", n++ ? ", " : "", $NF }')
	# two tokens match a URI without token=: the key is looked for in both
	"$M" getpub -e pem -k 'pkcs11:token=prod;object=ed;type=public' >ed-prod.pem
	srun getpub -e pem -k 'pkcs11:object=ed;type=public'
	check "two tokens match, one holds the key: that one is used" 0 ''
	check_out "two tokens match, one holds the key: its public half" ed-prod.pem
	srun getpub -k 'pkcs11:object=nowhere;type=public'
	check "two tokens match, neither shows the key: both named" 1 \
		"mcuprov: getpub: 'pkcs11:object=nowhere;type=public': none of the 2 PKCS#11 tokens that match ($serials) shows this key without logging in: add token=LABEL (or serial=...) to look in one"
	p11tool --token-label other --login --pin 123456 --keypairgen --key-type EC:edwards25519 \
		--label ed --id 01 >/dev/null 2>&1 ||
		{ echo "Bail out! pkcs11-tool could not make the second ed key"; exit 1; }
	srun getpub -k 'pkcs11:object=ed;type=public'
	check "two tokens match, both hold the key: ambiguous, the two named" 1 \
		"mcuprov: getpub: 'pkcs11:object=ed;type=public': 2 PKCS#11 tokens match ($serials): add token=LABEL or serial=..."
	srun keygen -t ed25519 -k 'pkcs11:object=new' --passin pass:123456
	check "keygen, two writable tokens: ambiguous" 1 \
		"mcuprov: keygen: 'pkcs11:object=new': 2 PKCS#11 tokens match ($serials): add token=LABEL or serial=..."
	srun sign -k 'pkcs11:token=test;object=ed' --passin pass:123456 $S
	refused "no token matches" 1 \
		"mcuprov: sign: 'pkcs11:token=test;object=ed': no PKCS#11 token matches (tokens present: $labels)"
	srun sign -k 'pkcs11:token=prod;object=nope;pin-value=123456' $S
	refused "no such object" 1 \
		"mcuprov: sign: 'pkcs11:token=prod;object=nope': token 'prod' holds no key 'nope'"
	no_secret "no such object" 123456
	srun sign -k 'pkcs11:token=prod;object=pubonly' --passin pass:123456 $S
	refused "a public key without its private key" 1 \
		"mcuprov: sign: 'pkcs11:token=prod;object=pubonly': token 'prod' holds the public key 'pubonly' but not its private key (add type=public to use it to verify)"
	srun getpub -e pem -k 'pkcs11:token=prod;object=pubonly;type=public'
	check "the public key alone: getpub type=public" 0 ''
	check_out "the public key alone: its public half" p256.pub

	# ---- the PIN
	srun sign -k 'pkcs11:token=prod;object=ed' --passin pass:654321 $S
	refused "a wrong PIN" 1 \
		"mcuprov: sign: 'pkcs11:token=prod;object=ed': token 'prod': wrong PIN (few attempts left before the token locks it)"
	srun sign -k 'pkcs11:token=prod;object=ed;pin-value=SECRET' $S
	refused "a wrong pin-value" 1 \
		"mcuprov: sign: 'pkcs11:token=prod;object=ed': token 'prod': wrong PIN (few attempts left before the token locks it)"
	no_secret "a wrong pin-value"
	srun fingerprint -k 'pkcs11:token=prod;object=nope;pin-value=SECRET'
	check "fingerprint, no such object" 1 \
		"mcuprov: fingerprint: 'pkcs11:token=prod;object=nope': token 'prod' holds no key 'nope' readable without logging in"
	no_secret "fingerprint, no such object"
	srun sign -k 'pkcs11:token=prod;object=ed' --passin pass:123456 $S
	check "the right PIN signs" 0 "*"

	# ---- key types MCUboot does not sign with
	e="the key's curve (secp256k1) is not one MCUboot uses ($SUP)"
	srun getpub -k 'pkcs11:token=prod;object=k1;type=public'
	check "secp256k1: getpub refused" 1 "mcuprov: getpub: 'pkcs11:token=prod;object=k1;type=public': token 'prod': $e"
	srun sign -k 'pkcs11:token=prod;object=k1' --passin pass:123456 $S
	refused "secp256k1: sign refused" 1 "mcuprov: sign: 'pkcs11:token=prod;object=k1': token 'prod': $e"
	srun getpub -k 'pkcs11:token=prod;object=r1024;type=public'
	check "rsa-1024: getpub refused" 1 \
		"mcuprov: getpub: 'pkcs11:token=prod;object=r1024;type=public': unsupported key type rsa-1024 ($SUP)"
	srun sign -k 'pkcs11:token=prod;object=r1024' --passin pass:123456 $S
	refused "rsa-1024: sign refused" 1 \
		"mcuprov: sign: 'pkcs11:token=prod;object=r1024': unsupported key type rsa-1024 ($SUP)"

	# ---- a token without CKM_EDDSA (SoftHSM 2.6.1 drops the first name of
	# a "-" list, fixed by SoftHSMv2 PR 561: with CKM_MD5 first, old and
	# fixed versions alike remove CKM_EDDSA; C_GetMechanismInfo still
	# answers for it, only C_GetMechanismList leaves it out)
	EXTRA_SOFTHSM_CONF="slots.mechanisms = -CKM_MD5,CKM_EDDSA" mktoken nomech
	p11tool --token-label nomech --login --pin 123456 --keypairgen --key-type EC:edwards25519 \
		--label ed --id 01 >/dev/null 2>&1 ||
		{ echo "Bail out! pkcs11-tool could not make an Ed25519 key without CKM_EDDSA"; exit 1; }
	srun sign -k 'pkcs11:token=nomech;object=ed' --passin pass:123456 $S
	refused "a token without CKM_EDDSA" 1 \
		"mcuprov: sign: 'pkcs11:token=nomech;object=ed': token 'nomech' does not offer CKM_EDDSA (needed to sign with ed25519 keys)"
}

if $HAVE_SOFTHSM; then
	softhsm_tests
else
	skip "SoftHSM2 or pkcs11-tool not installed: its tests"
fi

done_testing
