#!/bin/bash
# profile-mcuboot: the mcuboot-qemu profile, a new user's journey in an
# empty directory outside mcuprov's tree: `init -p mcuboot-qemu [-t
# ecdsa-p256] --supply MCUBOOT_DIR` (mcuprov.yaml, the port's keys.c
# copied, keys/), `keygen`, `run` - MCUboot itself, built from the checkout
# with the provisioned keys.c, verifies the signed app in QEMU and prints the
# fingerprint of the key it verified it with, the one `mcuprov fingerprint`
# prints.  Then the rotation through MCUboot: after `rotate add` the
# rebuilt MCUboot boots images signed by either key (each boot naming its
# key); after `rotate retire` of the old key it refuses the old key's image
# and still boots the new one.
. "$MCUPROV_SRCDIR/tests/lib.sh"

. "$MCUPROV_SRCDIR/tests/mcuboot-lib.sh"
need_mcuboot
EX=$MCUPROV_SRCDIR/examples/mcuboot-qemu
[ -f "$EX/Makefile" ] || skip_all "'$EX/Makefile' not found"
# the port is its own make run, not part of this one (-j, jobserver, variables)
unset MCUPROV_EXAMPLES MCUPROV_TEMPLATES

TPL=$MCUPROV_SRCDIR/templates/targets/mcuboot-qemu.yaml
EXR=$(realpath "$EX")
# the checkout as init writes it: its folder resolved, absolute
MCUBOOT_DIR=${MCUBOOT_DIR%/}
MB=$(cd "$(dirname "$MCUBOOT_DIR")" && pwd -P)/$(basename "$MCUBOOT_DIR")
NEEDS=$(sed -n '2s/^# needs: //p' "$TPL")

assert "the profile's needs line" test -n "$NEEDS"
case $T_TMP/ in
"$MCUPROV_SRCDIR"/* | "$(dirname "$M")"/*) skip_all "the work directory '$T_TMP' is inside mcuprov's tree" ;;
esac

# tail_is DESC FILE LINE...: FILE's last lines are exactly LINE..., every
# line before them one of MCUboot's [INF] lines
tail_is() {
	local desc=$1 file=$2 n
	shift 2
	n=$#
	if printf '%s\n' "$@" | cmp -s - <(tail -n "$n" "$file") &&
	   ! head -n -"$n" "$file" | grep -qv '^\[INF\] '; then
		ok "$desc"
	else
		not_ok "$desc" "console:" "$(cat "$file")" "expected at its end:" "$@"
	fi
}

# console: the run step's lines of the last `mcuprov run` (QEMU's own note
# left out) into ./console
console() {
	sed -n '/^\[6\/6\] run: /,$p' "$T_TMP/out" | sed -n 's/^      | //p' |
		grep -vxF "$QEMU_NOTE" >console
}

# boot IMAGE: the project's MCUboot, with IMAGE in the primary slot, booted
# as the profile's run step boots it; RC, console in ./console
boot() {
	run timeout 60 qemu-system-arm -M mps2-an385 -nographic \
		-semihosting-config enable=on,target=native -kernel build/mcuboot-qemu/mcuboot.elf \
		-device "loader,file=$1,addr=0x00020000"
	cat "$T_TMP/out" "$T_TMP/err" | grep -vxF "$QEMU_NOTE" >console
}

# fp KEY: the key's fingerprint (64 hex digits)
fp() { "$M" fingerprint -k "$1" 2>/dev/null | cut -d' ' -f2; }

# ---- init refuses a checkout that is not there, naming what the profile needs
mkdir none && cd none || exit 1
run "$M" init -p mcuboot-qemu --supply ../nowhere
check "init --supply a folder that is not there: exit 1" 1 \
	"mcuprov: init: '../nowhere': no such directory (the profile needs: $NEEDS)"
assert "init refused: nothing written" test -z "$(ls -A)"
run "$M" init -p mcuboot-qemu
check "init without --supply: exit 0" 0 ''
assert "init without --supply: what to supply" test "$(cat "$T_TMP/out")" = "mcuprov.yaml: supply $NEEDS"
cd .. || exit 1

for case in "ed25519 ED25519 EC256" "ecdsa-p256 EC256 ED25519"; do
	# shellcheck disable=SC2086 # three words
	set -- $case
	type=$1 sign=$2 other=$3
	mkdir "$type" && cd "$type" || exit 1
	P=$PWD
	assert "$type: the journey starts in an empty directory" test -z "$(ls -A)"

	# ---- 1. init
	if [ "$type" = ed25519 ]; then
		run "$M" init -p mcuboot-qemu --supply "$MCUBOOT_DIR"
	else
		run "$M" init -p mcuboot-qemu -t "$type" --supply "$MCUBOOT_DIR"
	fi
	check "$type: init: exit 0" 0 ''
	assert "$type: init: the checkout written" test "$(cat "$T_TMP/out")" = \
		"mcuprov.yaml: supplied mcuboot_dir: $MB (the profile needs: $NEEDS)"
	sed -e "s|^      mcuboot_dir: \"\${project_dir}/../mcuboot\"\$|      mcuboot_dir: \"$MB\"|" \
	    -e "s|^    type: ed25519 |    type: $type |" \
	    -e "s|^      sign_define: MCUBOOT_SIGN_ED25519\$|      sign_define: MCUBOOT_SIGN_$sign|" "$TPL" >../want.yaml
	if cmp -s mcuprov.yaml ../want.yaml; then ok "$type: init: mcuprov.yaml is the profile, for $type and the checkout"
	else not_ok "$type: init: mcuprov.yaml is the profile, for $type and the checkout" "$(diff ../want.yaml mcuprov.yaml)"; fi
	assert "$type: init: the files" test "$(find . | LC_ALL=C sort | tr '\n' ' ')" = \
		". ./build ./build/mcuboot-qemu ./build/mcuboot-qemu/keys.c ./keys ./mcuprov.yaml "
	assert "$type: init: keys/ is 0700 and empty" test "$(stat -c %a keys)" = 700 -a -z "$(ls -A keys)"
	assert "$type: init: keys.c is a copy of the port's" cmp -s build/mcuboot-qemu/keys.c "$EX/keys.c"
	cp "$EX/keys.c" "../seed-$type.c"

	# ---- 2. keygen
	run "$M" keygen -k keys/signing.pem -t "$type"
	check "$type: keygen: exit 0" 0 ''
	old=$(fp keys/signing.pem)
	assert "$type: the key's fingerprint: 64 hex digits" grep -Eqx '[0-9a-f]{64}' <<<"$old"

	# ---- 3. run: provision, build MCUboot and the app, sign, verify, boot
	run "$M" run
	check "$type: run: exit 0, nothing on stderr" 0 ''
	assert "$type: run: six steps" test "$(grep -o '^\[[0-9]/6\] [a-z ]*' "$T_TMP/out" | tr '\n' '|')" = \
		"[1/6] provision|[2/6] bootloader build|[3/6] app build|[4/6] sign|[5/6] verify|[6/6] run|"
	assert "$type: run: keys.c provisioned first" \
		grep -q '^      ok [0-9.]* s  build/mcuboot-qemu/keys.c: now trusts the keys$' "$T_TMP/out"
	assert "$type: run: MCUboot built from the port and the checkout, SIGN from sign_define" \
		grep -qxF "[2/6] bootloader build: make -C $EXR O=$P/build/mcuboot-qemu MCUBOOT_DIR=$MB KEYS_C=$P/build/mcuboot-qemu/keys.c SIGN_DEFINE=MCUBOOT_SIGN_$sign $P/build/mcuboot-qemu/mcuboot.elf" "$T_TMP/out"
	assert "$type: make built MCUboot for MCUBOOT_SIGN_$sign only" sh -c \
		"grep -q -- ' -DMCUBOOT_SIGN_$sign ' build/mcuboot-qemu/flags && ! grep -q -- '-DMCUBOOT_SIGN_$other ' build/mcuboot-qemu/flags"
	assert "$type: run: the QEMU step" grep -qxF \
		"[6/6] run: qemu-system-arm -M mps2-an385 -nographic -semihosting-config enable=on,target=native -kernel $P/build/mcuboot-qemu/mcuboot.elf -device loader,file=$P/build/mcuboot-qemu/app.signed.bin,addr=0x00020000" "$T_TMP/out"
	console
	tail_is "$type: run: MCUboot verified the image with the new key and booted it" console \
		"$SWAP_LINE" "mcuboot: booting image 1.2.3+0, key SHA-256 $old" "$APP_LINE"
	assert "$type: run: a success line" grep -q '^run: OK (6 steps, ' "$T_TMP/out"
	assert "$type: run: the port's keys.c left as it was" cmp -s "$EX/keys.c" "../seed-$type.c"

	# ---- build again: provisioning changes nothing
	run "$M" build
	check "$type: build again: exit 0" 0 ''
	assert "$type: build: three steps, keys.c already trusts the key" sh -c \
		"grep -q '^      ok [0-9.]* s  build/mcuboot-qemu/keys.c: already trusts the keys\$' '$T_TMP/out' && \
		 test \"\$(grep -c '^\[[0-9]/3\] ' '$T_TMP/out')\" = 3"

	# ---- rotation: add a new key; MCUboot rebuilt with both boots either
	cp build/mcuboot-qemu/app.signed.bin "../old-$type.bin"
	run "$M" keygen -k keys/new.pem -t "$type"
	check "$type: keygen of the new key: exit 0" 0 ''
	new=$(fp keys/new.pem)
	assert "$type: two different keys" test "$new" != "$old" -a -n "$new"
	run "$M" rotate add keys/new.pem
	check "$type: rotate add: exit 0" 0 ''
	assert "$type: rotate add: the next step" test "$(tail -n 1 "$T_TMP/out")" = \
		"next: rebuild and flash the bootloader first, then sign new images with 'keys/new.pem'"
	assert "$type: rotate add: keys.c trusts 2 keys" grep -qF \
		"'build/mcuboot-qemu/keys.c' now trusts 2 keys (the old one is 'build/mcuboot-qemu/keys.c.bak.1')" "$T_TMP/out"
	run "$M" run
	check "$type: run after add: exit 0" 0 ''
	console
	tail_is "$type: after add: MCUboot boots the image signed with the new key" console \
		"$SWAP_LINE" "mcuboot: booting image 1.2.3+0, key SHA-256 $new" "$APP_LINE"
	boot "../old-$type.bin"
	assert "$type: after add: the old key's image: exit 0" test "$RC" = 0
	tail_is "$type: after add: MCUboot boots the image signed with the old key" console \
		"$SWAP_LINE" "mcuboot: booting image 1.2.3+0, key SHA-256 $old" "$APP_LINE"
	run "$M" sign -k keys/signing.pem -v 1.2.3 -H 0x200 --pad-header -S 0x20000 \
		build/mcuboot-qemu/app.bin "../old2-$type.bin"
	check "$type: the app of this build signed with the old key: exit 0" 0 ''
	boot "../old2-$type.bin"
	assert "$type: after add: this build's app, old key: exit 0" test "$RC" = 0
	tail_is "$type: after add: this build's app signed with the old key boots" console \
		"$SWAP_LINE" "mcuboot: booting image 1.2.3+0, key SHA-256 $old" "$APP_LINE"

	# ---- retire the old key: MCUboot rebuilt refuses its image
	run "$M" rotate retire keys/signing.pub.pem
	check "$type: rotate retire: exit 0" 0 ''
	assert "$type: rotate retire: the next step" test "$(tail -n 1 "$T_TMP/out")" = \
		"next: rebuild and flash the bootloader; images signed with 'keys/signing.pub.pem' no longer boot on it"
	run "$M" run
	check "$type: run after retire: exit 0" 0 ''
	console
	tail_is "$type: after retire: MCUboot boots the new key's image" console \
		"$SWAP_LINE" "mcuboot: booting image 1.2.3+0, key SHA-256 $new" "$APP_LINE"
	boot "../old2-$type.bin"
	assert "$type: after retire: the old key's image refused: exit 1" test "$RC" = 1
	tail_is "$type: after retire: MCUboot's own refusal" console \
		"$SWAP_LINE" "$INVALID_LINE" "$NOBOOT_LINE"
	boot build/mcuboot-qemu/app.signed.bin
	assert "$type: after retire: the new key's image still boots: exit 0" test "$RC" = 0
	tail_is "$type: after retire: the new key's image, booted again" console \
		"$SWAP_LINE" "mcuboot: booting image 1.2.3+0, key SHA-256 $new" "$APP_LINE"
	cd .. || exit 1
done

done_testing
