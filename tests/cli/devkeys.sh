#!/bin/bash
# MCUboot's published development keys: a warning on every use, a refusal in
# production mode (--production or MCUPROV_PRODUCTION=1).
. "$MCUPROV_SRCDIR/tests/lib.sh"
need_vectors

for key in "$V"/keys/*.pem; do
	n=$(basename "$key" .pem)
	case $n in
	*-pkcs8) dev=${n%-pkcs8}.pem ;;
	*-pub) dev=${n%-pub}.pem; case $dev in enc-*) dev=${n%-pub}-priv.pem ;; esac ;;
	*) dev=$n.pem ;;
	esac
	warn="mcuprov: warning: '$key' is MCUboot's published development key $dev: its private half is public, anyone can sign images it accepts; never ship it"
	run "$M" fingerprint -k "$key"
	if [ "$RC" = 0 ] && grep -qxF "$warn" "$T_TMP/err"; then ok "$n: recognised as $dev"; else
		not_ok "$n: recognised as $dev" "rc=$RC" "$(cat "$T_TMP/err")"; fi
	run "$M" --production getpub -k "$key"
	if [ "$RC" = 1 ] && grep -qxF "mcuprov: getpub: '$key': refusing MCUboot's published development key $dev in production mode" "$T_TMP/err" && [ ! -s "$T_TMP/out" ]; then
		ok "$n: refused with --production"; else not_ok "$n: refused with --production" "rc=$RC" "$(cat "$T_TMP/err")"; fi
done

# mode_warning KEY: the line(s) mcuprov starts with for the private key file
# KEY, from its mode as it is here (the vectors may be unpacked 0444, 0644
# or 0600): the file-mode warning and a newline, or nothing
mode_warning() {
	local m
	m=$(stat -c %04a "$1")
	if [ $((8#$m & 8#077)) != 0 ]; then
		printf "mcuprov: warning: private key '%s' is accessible by group or others (mode %s); run: chmod 600 '%s'\n" "$1" "$m" "$1"
	fi
}

run "$M" getpubhash -k "$V/keys/root-rsa-2048.pem" --production
check "--production after the command" 1 "$(mode_warning "$V/keys/root-rsa-2048.pem"
echo "mcuprov: getpubhash: '$V/keys/root-rsa-2048.pem': refusing MCUboot's published development key root-rsa-2048.pem in production mode")"
MCUPROV_PRODUCTION=1 run "$M" keyinfo -k "$V/keys/root-ed25519-2-pub.pem"
check "MCUPROV_PRODUCTION=1 refuses too" 1 "mcuprov: keyinfo: '$V/keys/root-ed25519-2-pub.pem': refusing MCUboot's published development key root-ed25519-2.pem in production mode"
MCUPROV_PRODUCTION=0 run "$M" keyinfo -k "$V/keys/root-ed25519-2-pub.pem"
check "MCUPROV_PRODUCTION=0 only warns" 0 "mcuprov: warning: '$V/keys/root-ed25519-2-pub.pem' is MCUboot's published development key root-ed25519-2.pem: its private half is public, anyone can sign images it accepts; never ship it"
run "$M" --production getpub -k "$V/keys-enc/root-ed25519-pw.pem" --passin pass:mcuprov-test
check "an encrypted copy of a dev key is recognised too" 1 "$(mode_warning "$V/keys-enc/root-ed25519-pw.pem"
echo "mcuprov: getpub: '$V/keys-enc/root-ed25519-pw.pem': refusing MCUboot's published development key root-ed25519.pem in production mode")"

# a fresh key: no warning, fine in production
"$M" keygen -k mine.pem -t ecdsa-p256 >/dev/null
run "$M" --production getpub -k mine.pem
check "a fresh key passes --production silently" 0 ''

# the file-mode warning, as ssh gives it
chmod 644 mine.pem
run "$M" fingerprint -k mine.pem
check "group/world-readable private key: warning" 0 "mcuprov: warning: private key 'mine.pem' is accessible by group or others (mode 0644); run: chmod 600 'mine.pem'"
"$M" getpub -k mine.pem -e pem >pub.pem 2>/dev/null
chmod 644 pub.pem
run "$M" fingerprint -k pub.pem
check "a readable public key is fine" 0 ''

done_testing
