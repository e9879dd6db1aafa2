# What the PKCS#11 tests need, in one place (sourced after tests/lib.sh):
# a SoftHSM2 token of their own in the test's directory, never the
# machine's tokens or p11-kit configuration.

# Under ASan: SoftHSM2's own leaks are not mcuprov's (tests/lsan-softhsm.supp).
# The full unwinder sees through libcrypto and SoftHSM2, which have no
# frame pointers, so that the suppression can match them.
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$MCUPROV_SRCDIR/tests/lsan-softhsm.supp:print_suppressions=0:fast_unwind_on_malloc=0"

# need_softhsm: skip the whole test, saying why, unless SoftHSM2 and
# OpenSC's pkcs11-tool are installed.  Sets SOFTHSM_MODULE.
need_softhsm() {
	local m
	command -v softhsm2-util >/dev/null 2>&1 ||
		skip_all "softhsm2-util not installed (scripts/install-deps installs softhsm2)"
	command -v pkcs11-tool >/dev/null 2>&1 ||
		skip_all "pkcs11-tool not installed (scripts/install-deps installs opensc)"
	SOFTHSM_MODULE=''
	for m in /usr/lib/softhsm/libsofthsm2.so \
		/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)/softhsm/libsofthsm2.so; do
		if [ -f "$m" ]; then
			SOFTHSM_MODULE=$m
			break
		fi
	done
	[ -n "$SOFTHSM_MODULE" ] || skip_all "libsofthsm2.so not found (scripts/install-deps installs softhsm2)"
}

# mktoken LABEL [PIN [SO-PIN]]: a SoftHSM2 token directory under ./tokens
# (made on first use), SOFTHSM2_CONF pointing at its configuration, and
# MCUPROV_PKCS11_MODULE at SoftHSM2, so that mcuprov sees only this test's
# tokens.  EXTRA_SOFTHSM_CONF lines are added to the configuration (e.g.
# "slots.mechanisms = -CKM_MD5,CKM_EDDSA": SoftHSM 2.6.1 ignores the first
# name of a "-" list, so the one to remove must not come first).  PIN defaults to 123456.
mktoken() {
	local label=$1 pin=${2:-123456} so=${3:-12345678}
	mkdir -p tokens
	chmod 700 tokens
	{
		echo "directories.tokendir = $PWD/tokens"
		echo "objectstore.backend = file"
		echo "log.level = ERROR"
		echo "slots.removable = false"
		[ -z "${EXTRA_SOFTHSM_CONF:-}" ] || echo "$EXTRA_SOFTHSM_CONF"
	} >softhsm2.conf
	export SOFTHSM2_CONF=$PWD/softhsm2.conf
	export MCUPROV_PKCS11_MODULE=$SOFTHSM_MODULE
	softhsm2-util --init-token --free --label "$label" --pin "$pin" --so-pin "$so" >/dev/null ||
		{ echo "Bail out! softhsm2-util could not make token '$label'"; exit 1; }
}

# p11tool ARG...: OpenSC's pkcs11-tool on SoftHSM2 (this test's tokens)
p11tool() { pkcs11-tool --module "$SOFTHSM_MODULE" "$@"; }
