#!/bin/bash
# mcuboot-mbedtls: examples/mcuboot-qemu with SIGN=RSA (RSA_LEN=2048, 3072)
# and SIGN=EC384, whose MCUboot verifies with mbedTLS built from a source
# tree: MBEDTLS_DIR when set, else Debian's mbedtls source package fetched by
# scripts/fetch-mbedtls into tests/cache/mbedtls under the build directory
# (kept between runs).  For each type: the port's keys.c holds MCUboot's
# development key; a fresh key is patched into a copy with `mcuprov patch`,
# MCUboot is built with it, the app is signed with `mcuprov sign` and
# MCUboot's own code decides: the image boots (with the key's fingerprint on
# the console), a flipped signature byte and another key's image are refused.
# Without MBEDTLS_DIR, SIGN=RSA and SIGN=EC384 stop with make's error.
BUILD_DIR=$PWD
. "$MCUPROV_SRCDIR/tests/lib.sh"

. "$MCUPROV_SRCDIR/tests/mcuboot-lib.sh"
need_mcuboot
D=$MCUPROV_SRCDIR/examples/mcuboot-qemu
[ -f "$D/mbedtls.mk" ] || skip_all "'$D/mbedtls.mk' not found"

if [ -z "${MBEDTLS_DIR:-}" ]; then
	MBEDTLS_DIR=$BUILD_DIR/tests/cache/mbedtls
	"$MCUPROV_SRCDIR/scripts/fetch-mbedtls" "$MBEDTLS_DIR" >"$T_TMP/fetch.log" 2>&1 ||
		skip_all "no mbedTLS source tree (set MBEDTLS_DIR): scripts/fetch-mbedtls failed: $(tail -n 1 "$T_TMP/fetch.log")"
fi
[ -d "$MBEDTLS_DIR/library" ] && [ -d "$MBEDTLS_DIR/include/mbedtls" ] ||
	skip_all "MBEDTLS_DIR='$MBEDTLS_DIR' is no mbedTLS source tree (library/, include/mbedtls/)"

# without MBEDTLS_DIR: make's error, naming mbedTLS, before anything is built
for sign in RSA EC384; do
	line=$(grep -n '$(error SIGN=$(SIGN) needs mbedTLS' "$D/Makefile" | cut -d: -f1)
	run make -s -C "$D" O="$T_TMP/nombedtls" MCUBOOT_DIR="$MCUBOOT_DIR" SIGN=$sign MBEDTLS_DIR=
	check "SIGN=$sign without MBEDTLS_DIR: make's error" 2 \
		"Makefile:$line: *** SIGN=$sign needs mbedTLS: set MBEDTLS_DIR to an mbedTLS source tree (mcuprov's scripts/fetch-mbedtls DIR unpacks Debian's).  Stop."
done
assert "without MBEDTLS_DIR: nothing built" test ! -e "$T_TMP/nombedtls"
run make -s -C "$D" O="$T_TMP/badlen" MCUBOOT_DIR="$MCUBOOT_DIR" SIGN=RSA RSA_LEN=4096 MBEDTLS_DIR="$MBEDTLS_DIR"
line=$(grep -n '$(error RSA_LEN=' "$D/mbedtls.mk" | cut -d: -f1)
check "SIGN=RSA RSA_LEN=4096: make's error" 2 \
	"mbedtls.mk:$line: *** RSA_LEN=4096: 2048 or 3072.  Stop."

# boot ELF IMAGE: MCUboot with IMAGE in the primary slot; RC, and in
# $T_TMP/console the console without MCUboot's [INF] lines (the flash
# layout's and swap state's, not this test's subject)
boot() {
	run timeout 60 qemu-system-arm -M mps2-an385 -nographic \
		-semihosting-config enable=on,target=native -kernel "$1" \
		-device "loader,file=$2,addr=$SLOT0"
	cat "$T_TMP/out" "$T_TMP/err" | grep -vx "$QEMU_NOTE" | grep -v '^\[INF\] ' >"$T_TMP/console"
}

refused() {
	booted "$1" 1 "$INVALID_LINE" "$NOBOOT_LINE"
}

sign() {
	local in=$1 out=$2
	shift 2
	run "$M" sign "$@" -v 1.2.3 -H 0x200 --pad-header -S 0x20000 "$in" "$out"
}

# TYPE SIGN RSA_LEN SIGNATURE-TLV DEV-KEY
for case in "rsa-2048 RSA 2048 32 root-rsa-2048" "rsa-3072 RSA 3072 35 root-rsa-3072" \
	"ecdsa-p384 EC384 - 34 root-ec-p384"; do
	# shellcheck disable=SC2086 # five words
	set -- $case
	type=$1 sign=$2 len=$3 sigtlv=$4 devkey=$MCUBOOT_DIR/$5.pem d=$T_TMP/$1
	mkdir "$d"
	make_args=(-s -C "$D" O="$d/build" MCUBOOT_DIR="$MCUBOOT_DIR" SIGN="$sign" MBEDTLS_DIR="$MBEDTLS_DIR")
	[ "$len" = - ] || make_args+=(RSA_LEN="$len")

	# the port's keys.c trusts MCUboot's development key of this type
	cp "$D/keys.c" "$d/keys.c"
	if [ -f "$devkey" ]; then
		run "$M" patch --allow-dev-key --keys-c "$d/keys.c" -k "$devkey"
		check "$type: keys.c holds MCUboot's $(basename "$devkey")" 0 '*'
		assert "$type: keys.c holds MCUboot's $(basename "$devkey"): nothing to change" \
			grep -qx "'$d/keys.c' already trusts these keys: nothing to change" "$T_TMP/out"
		assert "$type: keys.c unchanged" cmp -s "$D/keys.c" "$d/keys.c"
	else
		ok "$type: # SKIP no $devkey"
	fi

	run "$M" keygen -k "$d/key.pem" -t "$type"
	check "$type: keygen" 0 '*'
	run "$M" patch --keys-c "$d/keys.c" -k "$d/key.pem"
	check "$type: patch keys.c: exit 0" 0 '*'
	assert "$type: patch keys.c: changed" test -f "$d/keys.c.bak"
	start=$(date +%s)
	run make "${make_args[@]}" KEYS_C="$d/keys.c" "$d/build/mcuboot.elf" "$d/build/app.bin"
	check "$type: make: exit 0, no warnings" 0 ''
	echo "# $type: MCUboot + mbedTLS built in $(($(date +%s) - start)) s"
	sign "$d/build/app.bin" "$d/app.signed.bin" -k "$d/key.pem"
	check "$type: sign: exit 0" 0 ''
	fp=$("$M" fingerprint -k "$d/key.pem" 2>/dev/null | awk '{ print $2 }')
	assert "$type: fingerprint is 64 hex digits" grep -Eqx '[0-9a-f]{64}' <<<"$fp"
	boot "$d/build/mcuboot.elf" "$d/app.signed.bin"
	booted "$type: MCUboot boots the image" 0 \
		"mcuboot: booting image 1.2.3+0, key SHA-256 $fp" "$APP_LINE"

	forgeries "$type" "$d" "$sigtlv"
done

# mcuprov demo --mcuboot --mbedtls: the same builds from an empty directory;
# MCUboot prints the key the demo made (or the user's)
cd "$T_TMP" || exit 1
for type in rsa-3072 ecdsa-p384; do
	run "$M" demo --dir "demo-$type" --mcuboot "$MCUBOOT_DIR" --mbedtls "$MBEDTLS_DIR" --type $type
	check "demo --mbedtls --type $type: exit 0" 0 ''
	fp=$("$M" fingerprint -k "demo-$type/demo-$type.pem" | cut -d' ' -f2)
	assert "demo --mbedtls $type: the loader line names mbedTLS" test "$(sed -n 2p "$T_TMP/out")" = \
		"loader: MCUboot from '$MCUBOOT_DIR' with mbedTLS from '$MBEDTLS_DIR' (examples/mcuboot-qemu on QEMU mps2-an385), which verifies the signature itself"
	assert "demo --mbedtls $type: MCUboot prints the generated key" \
		grep -qx "      | mcuboot: booting image 1.2.3+4, key SHA-256 $fp" "$T_TMP/out"
	assert "demo --mbedtls $type: the success line" grep -q \
		"^demo: OK - the bootloader (MCUboot) trusted only the new $type key (key SHA-256 $fp) and booted the signed app 1.2.3+4 (" "$T_TMP/out"
done
"$M" keygen -k rsa2048.pem -t rsa-2048 >/dev/null 2>&1
fp=$("$M" fingerprint -k rsa2048.pem | cut -d' ' -f2)
MBEDTLS_DIR=$MBEDTLS_DIR run "$M" demo --dir demo-rsa-test --mcuboot "$MCUBOOT_DIR" -k rsa2048.pem --test --json --batch
check "MBEDTLS_DIR demo -k rsa-2048 --test --json: exit 0" 0 ''
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["mbedtls"] == sys.argv[3] and d["boot_key"] == sys.argv[2]
assert d["upgrade"]["swap_type"] == "test" and d["upgrade"]["booted"] == "1.3.0+0"
assert d["upgrade"]["reboot_swap_type"] == "revert" and d["upgrade"]["reboot_booted"] == "1.2.3+4"
' "$T_TMP/out" "$fp" "$MBEDTLS_DIR"; then ok "demo rsa-2048 --test: swapped, then reverted"; else not_ok "demo rsa-2048 --test: swapped, then reverted" "$(cat "$T_TMP/out")"; fi

done_testing
