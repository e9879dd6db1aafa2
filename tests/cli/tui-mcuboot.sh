#!/bin/bash
# The wizard with the mcuboot-qemu profile (scripted input): Settings creates
# the project from the profile with the MCUboot checkout typed into its form
# (the file `init -p mcuboot-qemu --supply DIR` writes, the port's keys.c
# copied), then Build & flash provisions, builds MCUboot and the app, signs
# and boots: the output pane ends with MCUboot's booting line, naming the
# fingerprint of the project's key.  Then f (flash only) with an image
# signed by another key: MCUboot refuses it and the run step fails.
. "${MCUPROV_SRCDIR:-.}/tests/lib.sh"
. "${MCUPROV_SRCDIR:-.}/tests/tui-lib.sh"

. "$MCUPROV_SRCDIR/tests/mcuboot-lib.sh"
need_mcuboot
EX=$MCUPROV_SRCDIR/examples/mcuboot-qemu
[ -f "$EX/Makefile" ] || skip_all "'$EX/Makefile' not found"
unset MCUPROV_EXAMPLES MCUPROV_TEMPLATES

MCUBOOT_DIR=$(cd "$MCUBOOT_DIR" && pwd -P)
[ ${#MCUBOOT_DIR} -le 70 ] || skip_all "the MCUboot checkout's path is too long to type into the form: '$MCUBOOT_DIR'"

# above_log NAME N: the N lines above the "log:" line of screen NAME,
# without the indent
above_log() {
	grep -B "$2" '^  log: ' "$SCR/$1.txt" | head -n "$2" | sed 's/^  //'
}

mkdir w && cd w || exit 1
P=$PWD

# ---- Settings: the profile, the checkout typed into its form, Create
run "$M" init -p mcuboot-qemu --supply "$MCUBOOT_DIR" -o -
check "init -p mcuboot-qemu --supply DIR -o -" 0 ''
cp "$T_TMP/out" ../want.yaml
# the profiles: cmake, demo-qemu, esp32, make, mcuboot-qemu, ...
wiz "key End
key Up
key Enter
key Down
key Down
key Down
key Down
key Enter
save-screen form
key Tab
key C-u
type $MCUBOOT_DIR
key Enter
key Enter
save-screen created
key Esc
key q"
check "Settings: create from mcuboot-qemu: exit 0" 0 ''
assert "the form: the profile" grep -qxF "  Create mcuprov.yaml from the profile 'mcuboot-qemu':" "$SCR/form.txt"
assert "the form: the checkout's folder, and the var it goes to" sh -c \
	"grep -qF '  [../mcuboot/_' '$SCR/form.txt' && grep -qxF \"  Where is it? (mcuprov.yaml's mcuboot_dir; checked first; ^O browses)\" '$SCR/form.txt'"
assert "created: the status line" grep -qxF \
	'  created mcuprov.yaml (mcuboot-qemu, ed25519); next: Generate key on Home' "$SCR/created.txt"
if cmp -s mcuprov.yaml ../want.yaml; then ok "created: the file \`init -p mcuboot-qemu --supply DIR\` writes"
else not_ok "created: the file \`init -p mcuboot-qemu --supply DIR\` writes" "$(diff ../want.yaml mcuprov.yaml)"; fi
assert "created: mcuboot_dir is the checkout" grep -qxF "      mcuboot_dir: \"$MCUBOOT_DIR\"" mcuprov.yaml
assert "created: keys.c is a copy of the port's" cmp -s build/mcuboot-qemu/keys.c "$EX/keys.c"

# ---- the key, then Build & flash (wide: MCUboot's line is 108 columns)
run "$M" keygen -k keys/signing.pem -t ed25519
check "keygen: exit 0" 0 ''
fp=$("$M" fingerprint -k keys/signing.pem | cut -d' ' -f2)
wiz "resize 132 30
key Down
key Down
key Down
key Enter
save-screen choose
key Enter
wait-idle
save-screen booted
key Esc
key q"
check "Build & flash: exit 0" 0 ''
assert "the project's target is offered, selected" grep -qF '  > Run target qemu ' "$SCR/choose.txt"
assert "done: the six steps, each [x]" test "$(grep -o '^  \[x\] [a-z ]*[a-z]' "$SCR/booted.txt" | tr '\n' '|')" = \
	"  [x] provision|  [x] bootloader build|  [x] app build|  [x] sign|  [x] verify|  [x] run|"
printf '%s\n' "$SWAP_LINE" "mcuboot: booting image 1.2.3+0, key SHA-256 $fp" "$APP_LINE" \
	"Target 'qemu' OK: 6 steps; signed image $P/build/mcuboot-qemu/app.signed.bin" >../want-done
if above_log booted 4 | cmp -s ../want-done -; then ok "done: MCUboot booted the image, naming the project's key"
else not_ok "done: MCUboot booted the image, naming the project's key" "$(above_log booted 4 | diff ../want-done -)"; fi
assert "done: keys.c provisioned (no longer the port's)" test -n "$(cmp build/mcuboot-qemu/keys.c "$EX/keys.c" 2>&1)"

# ---- f: an image signed by another key, flashed as it is: MCUboot refuses it
run "$M" keygen -k ../other.pem -t ed25519
check "another key: exit 0" 0 ''
run "$M" sign -k ../other.pem -v 1.2.3 -H 0x200 --pad-header -S 0x20000 \
	build/mcuboot-qemu/app.bin build/mcuboot-qemu/app.signed.bin
check "the app signed with the other key, in the project's signed_app" 0 ''
wiz "resize 132 30
key Down
key Down
key Down
key Enter
key f
wait-idle
save-screen refused
key Enter
key q"
check "flash only, another key's image: exit 0" 0 ''
assert "refused: the run step failed" grep -q '^  \[!\] run ' "$SCR/refused.txt"
printf '%s\n' "$SWAP_LINE" '[ERR] Image in the primary slot is not valid!' 'mcuboot: no bootable image' >../want-refused
# the output pane's lines up to the first empty one: the console's end
sed -n '/^  -- output -/,/^ *$/p' "$SCR/refused.txt" | sed -e '1d' -e '$d' -e 's/^  //' | tail -n 3 >../got-refused
if cmp -s ../want-refused ../got-refused; then ok "refused: the console ends with MCUboot's own refusal"
else not_ok "refused: the console ends with MCUboot's own refusal" "$(diff ../want-refused ../got-refused)"; fi
assert "refused: QEMU's exit status 1, the error line" test "$(above_log refused 1)" = \
	'mcuprov: wizard: qemu-system-arm failed (exit status 1)'

done_testing
