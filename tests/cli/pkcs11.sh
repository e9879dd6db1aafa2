#!/bin/bash
# Keys in a PKCS#11 token (issue 15) in the single-key commands, on a
# SoftHSM2 token of the test's own: keygen makes the pair in the token (the
# private key sensitive, never extractable, for signing only); getpub,
# getpubhash, fingerprint, keyinfo and verify read the public half without
# the PIN, and it is the public key pkcs11-tool reads; sign signs in the
# token and mcuprov's and imgtool's verify accept the images; Ed25519 is
# deterministic, so the token's image equals the one signed through
# pkcs11-tool as --signer and through --vector-to-sign/--fix-sig; keys made
# by pkcs11-tool work the same; PINs from --passin, pin-value (never shown)
# and pin-source; getpriv, decrypt and keygen's refusals, exact messages.
. "$MCUPROV_SRCDIR/tests/lib.sh"
. "$MCUPROV_SRCDIR/tests/pkcs11-lib.sh"
. "$MCUPROV_SRCDIR/tests/mcuboot-lib.sh"
need_vectors
need_softhsm
command -v openssl >/dev/null || skip_all "openssl command not found"
find_imgtool || true

cp "$V/images/app.bin" app.bin
S="-v 1.2.3+4 -H 0x200 --pad-header -S 0x20000 -s auto"
PIN=123456
mktoken prod $PIN
UK="usage: mcuprov keygen -k FILE|URI -t TYPE [-p | --passout SRC] [--kdf-rounds N] [--force] [--passin SRC]"
umask 077

# out_is DESC EXPECTED: the last run's stdout, exactly
out_is() { is "$1" "$(cat "$T_TMP/out")" "$2"; }
# imgtool_verifies DESC PUB IMAGE: MCUboot's imgtool accepts IMAGE (skipped
# without imgtool)
imgtool_verifies() {
	if [ -z "$PY" ]; then
		ok "$1 # SKIP $NO_IMGTOOL"
	elif imgtool verify -k "$2" "$3" >imgtool.out 2>&1 &&
	     grep -q '^Image was correctly validated' imgtool.out; then
		ok "$1"
	else
		not_ok "$1" "$(cat imgtool.out)"
	fi
}
# p11priv LABEL: pkcs11-tool's Usage and Access lines of the private key LABEL
p11priv() {
	p11tool --list-objects --login --pin $PIN 2>/dev/null | awk -v want="$1" '
		function flush() { if (priv && lab == want) printf "%s%s", u, a }
		/^[^ ]/ { flush(); priv = /^Private Key Object/; lab = ""; u = ""; a = "" }
		/^  label:/ { sub(/^  label: +/, ""); lab = $0 }
		/^  Usage:/ { u = $0 "\n" }
		/^  Access:/ { a = $0 "\n" }
		END { flush() }'
}
# p11id LABEL: the hex CKA_ID of the public key LABEL
p11id() {
	p11tool --list-objects 2>/dev/null | awk -v want="$1" '
		/^[^ ]/ { pub = /^Public Key Object/; lab = "" }
		/^  label:/ { sub(/^  label: +/, ""); lab = $0 }
		/^  ID:/ { if (pub && lab == want) print $2 }'
}
# p11pub LABEL OUT: the public key pkcs11-tool reads from the token, as PEM
# (OpenSC 0.23 exports no P-384 key: its SubjectPublicKeyInfo is then made
# here around the CKA_EC_POINT pkcs11-tool lists)
p11pub() {
	local pt
	p11tool --read-object --type pubkey --label "$1" -o "$2.p11" >/dev/null 2>&1 &&
		openssl pkey -pubin -in "$2.p11" -out "$2" && return
	pt=$(p11tool --list-objects --type pubkey 2>/dev/null | awk -v want="$1" '
		/^[^ ]/ { pub = /^Public Key Object/; pt = ""; par = "" }
		/^  EC_POINT:/ { pt = $2 }
		/^  EC_PARAMS:/ { par = $2 }
		/^  label:/ { sub(/^  label: +/, ""); if (pub && $0 == want && par == "06052b81040022") print pt }')
	case $pt in
	0461*) unhex "30763010${P384_ALG}036200${pt#0461}" | openssl pkey -pubin -inform DER -out "$2" ;;
	*) return 1 ;;
	esac
}
P384_ALG=06072a8648ce3d020106052b81040022
hex() { od -An -v -tx1 | tr -d ' \n'; }
unhex() { printf "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }

# the signer: pkcs11-tool signing in the token with the key of id ID
# (OpenSC 0.23 selects the key by --id only); its messages go to a file,
# its exit status is the signer's
cat >p11sign.sh <<SH
#!/bin/sh
id=\$1
shift
t=\$(mktemp)
trap 'rm -f "\$t"' EXIT
cat >"\$t"
exec pkcs11-tool --module '$SOFTHSM_MODULE' --login --pin $PIN --sign --id "\$id" -i "\$t" "\$@" 2>>p11sign.log
SH
chmod 755 p11sign.sh
PSS="--mechanism RSA-PKCS-PSS --hash-algorithm SHA256 --mgf MGF1-SHA256 --salt-len 32"
declare -A SIGNER_MECH=([ed25519]="--mechanism EDDSA"
	[ecdsa-p256]="--mechanism ECDSA --signature-format openssl"
	[ecdsa-p384]="--mechanism ECDSA --signature-format openssl"
	[rsa-2048]=$PSS [rsa-3072]=$PSS)
PRIV='  Usage:      sign
  Access:     sensitive, always sensitive, never extractable, local'

# ---- every signing type: made in the token, used without ever leaving it
for t in ed25519 ecdsa-p256 ecdsa-p384 rsa-2048 rsa-3072; do
	u="pkcs11:token=prod;object=$t"
	run "$M" keygen -k "$u" -t $t --passin pass:$PIN
	check "keygen $t in the token: exit 0, quiet" 0 ''
	fp=$(sed -n "s/^created $t key '$u' in token 'prod' (never leaves the token), fingerprint \([0-9a-f]\{64\}\)\$/\1/p" "$T_TMP/out")
	if [ -n "$fp" ] && [ "$(wc -l <"$T_TMP/out")" = 1 ]; then
		ok "keygen $t: the one summary line"
	else
		not_ok "keygen $t: the one summary line" "$(cat "$T_TMP/out")"
	fi
	is "keygen $t: the private key is sensitive, never extractable, for signing only" \
		"$(p11priv $t)" "$PRIV"

	# the public half, without the PIN (no terminal, no --passin)
	run "$M" getpub -k "$u" -e pem
	check "getpub $t -e pem: no PIN needed" 0 ''
	cp "$T_TMP/out" $t.pub
	p11pub $t $t.p11.pem
	assert "getpub $t -e pem: the public key pkcs11-tool reads from the token" cmp -s $t.pub $t.p11.pem
	"$M" getpub -k $t.pub -e raw >$t.raw
	run "$M" getpub -k "$u" -e raw
	check_out "getpub $t -e raw: the bytes of the exported public key's" $t.raw
	"$M" getpub -k $t.pub >$t.c
	run "$M" getpub -k "$u"
	check_out "getpub $t (lang-c): the exported public key's array" $t.c
	run "$M" fingerprint -k "$u"
	out_is "fingerprint $t: keygen's" "$t $fp"
	run "$M" getpubhash -k "$u" -e raw
	is "getpubhash $t -e raw: the fingerprint, the SHA-256 of getpub -e raw" \
		"$(hex <"$T_TMP/out"):$(sha256sum <$t.raw | cut -d' ' -f1)" "$fp:$fp"
	run "$M" keyinfo -k "$u"
	out_is "keyinfo $t without the PIN: the public half, where it is" "public
where: token 'prod', object '$t'
uri: $u
private half: not looked for without the token's PIN (give --passin or --require private)"
	run "$M" keyinfo -k "$u" --require private --passin pass:$PIN
	out_is "keyinfo $t --require private: logged in, the private key is there" "private
where: token 'prod', object '$t'
uri: $u
private half: in the token, never leaves it (signs there)"

	# signing in the token
	run "$M" sign -k "$u" --passin pass:$PIN $S app.bin $t.bin
	check "sign $t in the token: exit 0, quiet" 0 ''
	out_is "sign $t: the summary" \
		"signed 'app.bin' -> '$t.bin': $(stat -c %s $t.bin 2>/dev/null) bytes, version 1.2.3+4, $t"
	run "$M" verify -k "$u" $t.bin
	check "verify -k the token's $t key: exit 0, no PIN needed" 0 ''
	is "verify $t: signed by the token's key" "$(tail -n 1 "$T_TMP/out")" "Signed by: $t $fp ('$u')"
	run "$M" verify -k $t.pub $t.bin
	check "verify -k the exported $t public key: exit 0" 0 ''
	imgtool_verifies "imgtool verify accepts the token-signed $t image" $t.pub $t.bin

	# pkcs11-tool as the external signer, -k the token's public half
	id=$(p11id $t)
	run "$M" sign -k "$u" $S --signer "./p11sign.sh $id ${SIGNER_MECH[$t]}" app.bin $t-ext.bin
	check "sign $t --signer pkcs11-tool: exit 0, no PIN asked by mcuprov" 0 ''
	run "$M" verify -k "$u" $t-ext.bin
	check "sign $t --signer pkcs11-tool: verify accepts" 0 ''
done

# ---- Ed25519 is deterministic: every way of signing in the token, one image
u='pkcs11:token=prod;object=ed25519'
run "$M" sign -k "$u" --passin pass:$PIN $S app.bin ed-again.bin
check "ed25519: signed in the token again" 0 ''
assert "ed25519: two token signatures, byte for byte the same image" cmp -s ed-again.bin ed25519.bin
assert "ed25519: pkcs11-tool as --signer, byte for byte the same image" cmp -s ed25519-ext.bin ed25519.bin
run "$M" sign -k "$u" $S --vector-to-sign digest app.bin ed.digest
check "--vector-to-sign with a token key: no PIN needed" 0 ''
out_is "--vector-to-sign: the summary" "wrote the digest to sign to 'ed.digest' (32 bytes)"
./p11sign.sh "$(p11id ed25519)" --mechanism EDDSA <ed.digest | base64 -w0 >ed.sig
run "$M" sign --fix-sig ed.sig --fix-sig-pubkey "$u" $S app.bin ed-fix.bin
check "--fix-sig-pubkey the token key: exit 0, no PIN needed" 0 ''
assert "ed25519 --vector-to-sign/--fix-sig: byte for byte the token's image" cmp -s ed-fix.bin ed25519.bin
run "$M" sign -k "$u" --passin pass:$PIN --pure $S app.bin pure.bin
check "ed25519 --pure: the whole image signed in the token" 0 ''
run "$M" sign -k "$u" --passin pass:$PIN --pure $S app.bin pure2.bin
assert "ed25519 --pure: two token signatures, the same image" cmp -s pure2.bin pure.bin
run "$M" verify -k "$u" pure.bin
check "ed25519 --pure: verify accepts" 0 ''
imgtool_verifies "ed25519 --pure: imgtool verify accepts" ed25519.pub pure.bin

# ---- keys pkcs11-tool made work the same
i=1
for k in EC:prime256v1:ecdsa-p256 EC:edwards25519:ed25519 rsa:2048:rsa-2048; do
	t=${k##*:}
	kt=${k%:*}
	l=ext-$t
	p11tool --login --pin $PIN --keypairgen --key-type $kt --usage-sign --label $l --id e$i >/dev/null 2>&1
	i=$((i + 1))
	u="pkcs11:token=prod;object=$l"
	run "$M" getpub -k "$u" -e pem
	check "pkcs11-tool's $t key: getpub -e pem, no PIN" 0 ''
	cp "$T_TMP/out" $l.pub
	p11pub $l $l.p11.pem
	assert "pkcs11-tool's $t key: the public key pkcs11-tool reads" cmp -s $l.pub $l.p11.pem
	run "$M" fingerprint -k "$u"
	fp=$("$M" fingerprint -k $l.pub)
	out_is "pkcs11-tool's $t key: fingerprint of its public key" "$fp"
	run "$M" sign -k "$u" --passin pass:$PIN $S app.bin $l.bin
	check "pkcs11-tool's $t key: sign in the token" 0 ''
	run "$M" verify -k "$u" $l.bin
	check "pkcs11-tool's $t key: verify accepts" 0 ''
	is "pkcs11-tool's $t key: signed by it" "$(tail -n 1 "$T_TMP/out")" "Signed by: $fp ('$u')"
	imgtool_verifies "pkcs11-tool's $t key: imgtool verify accepts" $l.pub $l.bin
done

# ---- PINs
u='pkcs11:token=prod;object=ecdsa-p256'
run "$M" sign -k "$u" --passin pass:000000 $S app.bin wrong.bin
check "a wrong PIN: exit 1, said once" 1 "mcuprov: sign: '$u': token 'prod': wrong PIN (few attempts left before the token locks it)"
assert "a wrong PIN: no image" test ! -e wrong.bin
run "$M" getpub -k "$u" -e pem --passin pass:$PIN
check "getpub --passin: logs in first" 0 ''
check_out "getpub --passin: the same public key" ecdsa-p256.pub
run "$M" fingerprint -k "$u" --passin pass:000000
check "fingerprint --passin a wrong PIN: it was tried, exit 1" 1 "mcuprov: fingerprint: '$u': token 'prod': wrong PIN (few attempts left before the token locks it)"
run "$M" sign -k "$u" $S app.bin nopin.bin
check "no PIN and no terminal: exit 1" 1 "mcuprov: sign: '$u': no terminal to ask for the PIN on (give it with --passin)"
printf '%s\n' $PIN >pin.txt
run "$M" sign -k "$u?pin-source=file:$PWD/pin.txt" $S app.bin pinsrc.bin
check "pin-source=file:PATH: signs" 0 ''
run "$M" verify -k "$u" pinsrc.bin
check "pin-source=file:PATH: the image verifies" 0 ''
run "$M" sign -k "$u;pin-source=pin.txt" $S app.bin pinsrc2.bin
check "pin-source=PATH (relative, in the path part): signs" 0 ''
run "$M" sign -k "$u?pin-value=$PIN" $S app.bin pinval.bin
check "pin-value: signs" 0 ''
run "$M" verify -k "$u?pin-value=$PIN" pinval.bin
check "pin-value: verify accepts" 0 ''
is "pin-value: verify names the key without it" "$(tail -n 1 "$T_TMP/out")" \
	"Signed by: ecdsa-p256 $("$M" fingerprint -k "$u" | cut -d' ' -f2) ('$u')"
run "$M" sign -k "$u?pin-value=98765" $S app.bin pinval2.bin
check "a wrong pin-value: exit 1, the URI shown without it" 1 "mcuprov: sign: '$u': token 'prod': wrong PIN (few attempts left before the token locks it)"
run "$M" keyinfo -k "$u;pin-value=98765" --require private
check "a wrong pin-value in the path part: the URI shown without it" 1 "mcuprov: keyinfo: '$u': token 'prod': wrong PIN (few attempts left before the token locks it)"
run "$M" sign -k "$u" --passin pass:$PIN $S app.bin ok-again.bin
check "the right PIN after wrong ones: signs (never locked)" 0 ''
run "$M" keyinfo -k "$u;type=public"
out_is "type=public: the public key only, no PIN" "public
where: token 'prod', object 'ecdsa-p256'
uri: $u;type=public"
run "$M" keyinfo -k "$u;type=public" --require private
check "type=public --require private: exit 1" 1 "mcuprov: keyinfo: '$u;type=public': is a public key, private key required"
run "$M" sign -k "$u;type=public" $S app.bin pub.bin
check "sign with type=public: refused as a public key" 2 "mcuprov: sign: the signing key is a public key (give the private key, or use --vector-to-sign and --fix-sig for external signing)"

run "$M" sign -k "$u" --passin pass:$PIN -E "$u" $S app.bin enc.bin
check "sign -E a token key: encrypted for its public half" 0 ''
if "$M" dumpinfo enc.bin | grep -q 'type: ENCEC256 (0x32)'; then
	ok "sign -E a token key: the image has its ENCEC256 TLV"
else
	not_ok "sign -E a token key: the image has its ENCEC256 TLV" "$("$M" dumpinfo enc.bin 2>&1 | head -20)"
fi

# ---- the private half never leaves the token
run "$M" getpriv -k "$u"
check "getpriv of a token key: exit 2, no PIN asked" 2 "mcuprov: getpriv: '$u': a key in a PKCS#11 token: its private half never leaves the token"
run "$M" getpriv -k "$u?pin-value=$PIN"
check "getpriv of a token key with pin-value: the URI shown without it" 2 "mcuprov: getpriv: '$u': a key in a PKCS#11 token: its private half never leaves the token"
is "getpriv: nothing on stdout" "$(cat "$T_TMP/out")" ""
run "$M" decrypt -k "$u" ecdsa-p256.bin dec.bin
check "decrypt with a token key: exit 2" 2 "mcuprov: decrypt: '$u': a key in a PKCS#11 token: its private half never leaves the token, and decrypting the image needs it (give the key file)"
assert "decrypt with a token key: no output" test ! -e dec.bin
run "$M" verify -k "$u" --enc-key "$u" ecdsa-p256.bin
check "verify --enc-key a token key: exit 2" 2 "mcuprov: verify: '$u': a key in a PKCS#11 token: its private half never leaves the token, and decrypting the image needs it (give the key file)"

# ---- keygen's refusals
run "$M" keygen -k 'pkcs11:token=prod;object=enc' -t x25519 --passin pass:$PIN
check "keygen x25519 in a token: exit 1" 1 "mcuprov: keygen: 'pkcs11:token=prod;object=enc': an x25519 key decrypts images inside the bootloader, which embeds its private half: it cannot live in a token (generate it as a file)"
before=$("$M" fingerprint -k 'pkcs11:token=prod;object=ed25519')
run "$M" keygen -k 'pkcs11:token=prod;object=ed25519' -t ed25519 --passin pass:$PIN
check "keygen of a label the token holds: exit 1" 1 "mcuprov: keygen: 'pkcs11:token=prod;object=ed25519': token 'prod' already holds an object with this label; mcuprov never replaces a key in a token (choose another object=)"
is "keygen of a label the token holds: the key is unchanged" "$("$M" fingerprint -k 'pkcs11:token=prod;object=ed25519')" "$before"
run "$M" keygen -k 'pkcs11:token=prod;object=new;id=%e1' -t ed25519 --passin pass:$PIN
check "keygen of an id the token holds: exit 1" 1 "mcuprov: keygen: 'pkcs11:token=prod;object=new;id=%e1': token 'prod' already holds an object with this id; mcuprov never replaces a key in a token (choose another id=)"
run "$M" keygen -k 'pkcs11:token=prod' -t ed25519 --passin pass:$PIN
check "keygen without object=: exit 2" 2 "mcuprov: keygen: 'pkcs11:token=prod': name the new key: add object=LABEL to the URI"
run "$M" keygen -k 'pkcs11:token=prod;object=f' -t ed25519 --passin pass:$PIN --force
check "keygen --force with a URI: exit 2" 2 "mcuprov: keygen: --force: mcuprov never replaces a key in a PKCS#11 token
$UK"
run "$M" keygen -k 'pkcs11:token=prod;object=f' -t ed25519 -p
check "keygen -p with a URI: exit 2" 2 "mcuprov: keygen: -p: a key in a PKCS#11 token has no file password (the token's PIN is --passin)
$UK"
run "$M" keygen -k 'pkcs11:token=prod;object=f' -t ed25519 --passout pass:x
check "keygen --passout with a URI: exit 2" 2 "mcuprov: keygen: --passout: a key in a PKCS#11 token has no file password (the token's PIN is --passin)
$UK"
run "$M" keygen -k 'pkcs11:token=prod;object=f' -t ed25519 --kdf-rounds 700000
check "keygen --kdf-rounds with a URI: exit 2" 2 "mcuprov: keygen: --kdf-rounds: a key in a PKCS#11 token has no file password
$UK"
run "$M" keygen -k f.pem -t ed25519 --passin pass:x
check "keygen --passin with a file: exit 2" 2 "mcuprov: keygen: --passin is the PIN of a PKCS#11 token (-k pkcs11:...); the password of a new key file is -p or --passout
$UK"
assert "keygen --passin with a file: no file" test ! -e f.pem
run "$M" keygen -k 'pkcs11:token=prod;object=f' -t ed25519
check "keygen in a token without a PIN and no terminal: exit 1" 1 "mcuprov: keygen: 'pkcs11:token=prod;object=f': no terminal to ask for the PIN on (give it with --passin)"
run "$M" keygen -k 'pkcs11:token=prod;object=f' -t ed25519 --passin pass:000000
check "keygen with a wrong PIN: exit 1" 1 "mcuprov: keygen: 'pkcs11:token=prod;object=f': token 'prod': wrong PIN (few attempts left before the token locks it)"
run "$M" keygen -k "pkcs11:token=prod;object=f?pin-source=file:$PWD/pin.txt" -t ed25519
check "keygen with pin-source: exit 0" 0 ''
out_is "keygen with pin-source: the summary names the URI" \
	"created ed25519 key 'pkcs11:token=prod;object=f?pin-source=file:$PWD/pin.txt' in token 'prod' (never leaves the token), fingerprint $("$M" fingerprint -k 'pkcs11:token=prod;object=f' | cut -d' ' -f2)"
run "$M" keygen -k "pkcs11:token=prod;object=g?pin-value=$PIN" -t ecdsa-p256
check "keygen with pin-value: exit 0" 0 ''
if grep -q "$PIN" "$T_TMP/out"; then
	not_ok "keygen with pin-value: the PIN is not shown" "$(cat "$T_TMP/out")"
else
	ok "keygen with pin-value: the PIN is not shown"
fi
is "keygen with pin-value: made with the usage it needs" "$(p11priv g)" "$PRIV"
run "$M" keygen -k "pkcs11:token=nosuch;object=h" -t ecdsa-p256 --passin pass:$PIN
check "keygen in a token that is not there: exit 1" 1 "mcuprov: keygen: 'pkcs11:token=nosuch;object=h': no PKCS#11 token matches (tokens present: 'prod')"

# ---- --passin URI=SRC: the '=' after the key's URI, not its own
run "$M" sign -k 'pkcs11:token=prod;object=f' --passin "pkcs11:token=prod;object=f=pass:$PIN" $S app.bin f.bin
check "--passin URI=SRC: the PIN of that key, exit 0" 0 ''
run "$M" verify -k 'pkcs11:token=prod;object=f;type=public' f.bin
check "--passin URI=SRC: the image verifies" 0 ''
run "$M" sign -k 'pkcs11:token=prod;object=f' --passin "pkcs11:token=prod;object=g=pass:$PIN" $S app.bin g.bin
check "--passin OTHER-URI=SRC: usage error naming no PIN" 2 "mcuprov: sign: 'pkcs11:token=prod;object=g': --passin names no key that sign loads (keys: pkcs11:token=prod;object=f)"
assert "--passin OTHER-URI=SRC: no image" test ! -e g.bin

# ---- without --pkcs11-module or MCUPROV_PKCS11_MODULE: p11-kit's configured
# modules (Debian's softhsm2 package registers SoftHSM2 with p11-kit; its
# tokens are still this test's, through SOFTHSM2_CONF)
if [ -f /usr/share/p11-kit/modules/softhsm2.module ]; then
	"$M" getpub -e pem -k 'pkcs11:token=prod;object=f;type=public' >f-mod.pem
	run env -u MCUPROV_PKCS11_MODULE "$M" getpub -e pem -k 'pkcs11:token=prod;object=f;type=public'
	check "p11-kit's configured modules: getpub finds the token, exit 0" 0 ''
	check_out "p11-kit's configured modules: the same public key" f-mod.pem
else
	ok "# SKIP p11-kit has no softhsm2.module registered (scripts/install-deps installs softhsm2)"
	ok "# SKIP p11-kit has no softhsm2.module registered"
fi

done_testing
