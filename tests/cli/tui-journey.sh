#!/bin/bash
# The first-run journeys in the wizard alone, in a real terminal (tmux
# send-keys / capture-pane): each starts `mcuprov` in an empty directory and
# from there on only keys are pressed, no shell command between, until the
# wizard quits; then the files on disk are checked (modes, mcuprov.yaml's
# entries, keys.c's bytes).
#   (a) Settings: create from demo-qemu -> Generate an ecdsa-p256 key with a
#       password (the project follows the type) -> Provision -> Build &
#       flash: the loader's line names the new key's fingerprint
#   (b) rotation: Keyring add a generated key, Build & flash, retire the
#       old key, Build & flash, then an image signed with the old key (Sign
#       image) flashed as it is (f): the loader refuses it
#   (c) the wizard's demo with the user's key (Generate key, then Build &
#       flash -> Demo): the loader trusts that key
. "${MCUPROV_SRCDIR:-.}/tests/lib.sh"
. "${MCUPROV_SRCDIR:-.}/tests/tui-lib.sh"

command -v tmux >/dev/null 2>&1 || skip_all "tmux not installed"
for t in make arm-none-eabi-gcc qemu-system-arm; do
	command -v $t >/dev/null 2>&1 ||
		skip_all "$t not installed: the demo cannot be built or booted (scripts/install-deps)"
done
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

SESS=journey
trap tmux_cleanup EXIT
PW='journey-Pass7'
APP_LINE='mcuprov demo app: hello from the signed image'
REFUSED='loader: no trusted key matches the image'"'"'s KEYHASH'

tm -f /dev/null new-session -d -s "$SESS" -x 80 -y 24 \
	"env -i PATH=\"$PATH\" HOME=\"$T_TMP\" HISTFILE=/dev/null TERM=xterm-256color LANG=C.UTF-8 PS1='\$ ' bash --norc --noprofile" ||
	skip_all "tmux cannot start a session here"
wait_for "shell prompt" '$' || done_testing

# start DIR: `mcuprov` in the empty directory DIR, the one shell command
start() {
	mkdir "$T_TMP/$1" || exit 1
	lit "clear; cd '$T_TMP/$1' && '$M'"
	keys Enter
	wait_for "$1: the wizard in an empty directory" 'no project - create one in Settings' ||
		done_testing
}

# quit: Home's q, back at the shell
quit() {
	keys q
	wait_for "the wizard quits" '$'
	cd "$T_TMP" || exit 1
}

# loader_key: the key SHA-256 the loader printed, from the pane
loader_key() { sed -n 's/^  key SHA-256 \([0-9a-f]\{64\}\)$/\1/p' "$T_TMP/pane" | tail -n 1; }

# fp KEY [PW]: the key's fingerprint as `mcuprov fingerprint` prints it
fp() {
	"$M" fingerprint -k "$1" ${2:+--passin "pass:$2"} 2>/dev/null | cut -d' ' -f2
}

# c_bytes FILE FROM: the bytes of FILE's first array at or after the line
# matching FROM (a fixed string), one per line
c_bytes() {
	awk -v from="$2" 'index($0, from) { on = 1 } on && /\[\] = {/ { arr = 1; next }
		arr && /^};/ { exit } arr' "$1" | grep -o '0x[0-9a-f][0-9a-f]'
}

# pub_bytes KEY [PW]: the key's public bytes as `mcuprov getpub` prints them
pub_bytes() {
	"$M" getpub -k "$1" ${2:+--passin "pass:$2"} 2>/dev/null | sed 1,2d | grep -o '0x[0-9a-f][0-9a-f]'
}

# build_target: Home -> Build & flash -> the project's target, and its end
build_target() {
	keys Down Down Down Enter
	wait_for "$1: Build & flash offers the target" '> Run target qemu'
	keys Enter
}

# ==== (a) create from demo-qemu, an ecdsa-p256 key, provision, build =========
start a
keys End Up Enter
wait_for "a: Settings, no project: the profiles" 'Create mcuprov.yaml from a profile'
keys Down Enter
wait_for "a: demo-qemu's form" "Create mcuprov.yaml from the profile 'demo-qemu':"
assert "a: the form says it is self-contained" grep -qF 'Self-contained: its keys.c is rendered' "$T_TMP/pane"
keys Enter
wait_for "a: Enter asks first" '[ Create ]   [ Cancel ]'
keys Enter
wait_for "a: Enter takes the default, Create: the summary and what happened" \
	'created mcuprov.yaml (demo-qemu, ed25519); next: Generate key on Home'
keys Escape
wait_for "a: Home offers the missing key" 'not created yet: Generate key makes it (Enter)'
assert "a: Home: Generate key selected, with the project's key" \
	grep -qF '> Generate key              keys/demo-signing.pem (ed25519)' "$T_TMP/pane"
keys Enter
wait_for "a: Generate: the project's type first" "Key type (the project's: ed25519):"
assert "a: ed25519 selected" grep -qF '> ed25519' "$T_TMP/pane"
keys Down Enter
wait_for "a: another type: the project's switch, its diff" \
	'Switch the project from ed25519 to ecdsa-p256?'
assert "a: the diff: keys[0]'s type" grep -qF '+    type: ecdsa-p256' "$T_TMP/pane"
keys a
wait_for "a: a asks" '[ Apply ]   [ Cancel ]'
keys y
wait_for "a: switched; the file step, the project's key" 'The project is ecdsa-p256 now'
assert "a: the file is the project's signing key" grep -qF '[keys/demo-signing.pem ' "$T_TMP/pane"
keys Enter
wait_for "a: checked, then the password choice" 'Protect the key with a password'
keys Enter
wait_for "a: password" 'Password for the new key:'
lit "$PW"
keys Enter
wait_for "a: password again" 'The same password again:'
lit "$PW"
keys Enter
wait_for "a: the summary" 'Generate this key?'
keys Enter
wait_for "a: key created" 'Key created.' 20
assert "a: it is the project's signing key" \
	grep -qF "This is the project's signing key (the first of mcuprov.yaml's keys)." "$T_TMP/pane"
keys Enter
wait_for "a: Provision, the project's file and key" '[build/demo-qemu/keys.c '
keys Enter
wait_for "a: Provision: the key's password" 'The key is encrypted. Password:'
lit "$PW"
keys Enter
wait_for "a: Provision: the diff" 'a: apply it'
assert "a: keys.c read for the new type" grep -qF 'assuming MCUBOOT_SIGN_EC256 (from the key type)' "$T_TMP/pane"
keys a
wait_for "a: apply asks" '[ Apply ]   [ Cancel ]'
keys y
wait_for "a: provisioned" "patched 'build/demo-qemu/keys.c'"
keys Escape
wait_for "a: back on the key's result" 'Key created.'
keys Escape
wait_for "a: Home: the key exists now" 'fingerprint: (password-protected)'
build_target a
wait_for "a: the project's key: its password" 'The key is encrypted. Password:'
lit "$PW"
keys Enter
wait_for "a: built and booted" "Target 'qemu' OK: 6 steps" 60
assert "a: the app ran" grep -qxF "  $APP_LINE" "$T_TMP/pane"
a_loader=$(loader_key)
keys Escape
wait_for "a: Home" 'Inspect image'
quit
assert "a: the password is on no screen, in no file of the project" \
	test "$(grep -rlF -- "$PW" a | wc -l)" = 0
assert "a: the loader's line: the new key's fingerprint" \
	test -n "$a_loader" -a "$a_loader" = "$(fp a/keys/demo-signing.pem "$PW")"
assert "a: keys/ 0700, the key 0600" test "$(stat -c %a a/keys a/keys/demo-signing.pem | tr '\n' ' ')" = "700 600 "
assert "a: the key is ecdsa-p256" test "$("$M" fingerprint -k a/keys/demo-signing.pem \
	--passin "pass:$PW" 2>/dev/null | cut -d' ' -f1)" = ecdsa-p256
assert "a: the key file is encrypted" grep -qxF -- '-----BEGIN ENCRYPTED PRIVATE KEY-----' a/keys/demo-signing.pem
assert "a: mcuprov.yaml: keys[0] ecdsa-p256" test "$(sed -n '/^keys:/,/^$/p' a/mcuprov.yaml | tr -s ' ' | tr '\n' '|')" = \
	"keys:| - path: keys/demo-signing.pem| type: ecdsa-p256 # must match sign_define below||"
assert "a: mcuprov.yaml: the loader built for EC256" grep -qxF '      sign_define: MCUBOOT_SIGN_EC256' a/mcuprov.yaml
assert "a: the old mcuprov.yaml kept (ed25519)" grep -qF 'type: ed25519' a/mcuprov.yaml.bak
assert "a: keys.c holds exactly the key's public bytes" \
	cmp -s <(c_bytes a/build/demo-qemu/keys.c 'root_pub_der[]') <(pub_bytes a/keys/demo-signing.pem "$PW")
assert "a: keys.c compiles for EC256 only" grep -qxF '#if defined(MCUBOOT_SIGN_EC256)' a/build/demo-qemu/keys.c

# ==== (b) rotation: add, build, retire, build, the old key refused ============
start b
keys End Up Enter
wait_for "b: Settings" 'Create mcuprov.yaml from a profile'
keys Down Enter
wait_for "b: demo-qemu's form" "Create mcuprov.yaml from the profile 'demo-qemu':"
keys Enter
wait_for "b: asks" '[ Create ]   [ Cancel ]'
keys Enter
wait_for "b: created" 'created mcuprov.yaml (demo-qemu, ed25519)'
keys Escape
wait_for "b: Home: no key yet" 'not created yet: Generate key makes it (Enter)'
keys Enter
wait_for "b: Generate" "Key type (the project's: ed25519):"
keys Enter
wait_for "b: the project's key file" '[keys/demo-signing.pem '
keys Enter
wait_for "b: password choice" 'Protect the key with a password'
keys Enter
wait_for "b: password" 'Password for the new key:'
lit "$PW"
keys Enter
wait_for "b: password again" 'The same password again:'
lit "$PW"
keys Enter
wait_for "b: summary" 'Generate this key?'
keys Enter
wait_for "b: the first key" 'Key created.' 20
keys Escape
wait_for "b: Home" 'fingerprint: (password-protected)'
build_target b
wait_for "b: password" 'The key is encrypted. Password:'
lit "$PW"
keys Enter
wait_for "b: built with the first key" "Target 'qemu' OK" 60
b_first=$(loader_key)
keys Escape
wait_for "b: Home" 'Inspect image'
keys Down Down Down Enter
wait_for "b: Keyring" 'a add key (rotate)'
keys a
wait_for "b: add: generate or a file" 'Generate a new key'
keys Enter
wait_for "b: the new key's file, beside the first" '[keys/signing-2.pem '
keys Enter
wait_for "b: password choice" 'Protect the key with a password'
keys Enter
wait_for "b: password" 'Password for the new key:'
lit "$PW"
keys Enter
wait_for "b: password again" 'The same password again:'
lit "$PW"
keys Enter
wait_for "b: summary" 'Generate this key?'
keys Enter
wait_for "b: the second key" 'Back to Keyring: continue the rotation' 20
keys Enter
wait_for "b: the old key's password, for the bootloader" 'The key is encrypted. Password:'
lit "$PW"
keys Enter
wait_for "b: the rotation's diff" "Add 'keys/signing-2.pem' as the signing key: the changes"
keys a
wait_for "b: asks" '[ Apply ]   [ Cancel ]'
keys y
wait_for "b: step 1 done" 'Rotation step 1 done'
keys Escape
wait_for "b: the list: two keys" 'signs      ed25519     keys/signing-2.pem'
keys Escape
wait_for "b: Home: the new signing key" 'signing key: keys/signing-2.pem (ed25519)'
keys Up Up Up Enter
wait_for "b: Build & flash" '> Run target qemu'
keys Enter
wait_for "b: password (the new key)" 'The key is encrypted. Password:'
lit "$PW"
keys Enter
wait_for "b: built after step 1" "Target 'qemu' OK" 60
b_second=$(loader_key)
keys Escape
wait_for "b: Home" 'Inspect image'
keys Down Down Down Enter
wait_for "b: Keyring" 'a add key (rotate)'
keys Down r
wait_for "b: retire: the signing key's password, for the bootloader" 'The key is encrypted. Password:'
lit "$PW"
keys Enter
wait_for "b: retire: the diff" 'Retire '
keys a
wait_for "b: asks" '[ Apply ]   [ Cancel ]'
keys y
wait_for "b: step 2 done" 'Rotation step 2 done'
keys Escape
wait_for "b: the list" 'a add key (rotate)'
keys Escape
wait_for "b: Home" 'signing key: keys/signing-2.pem (ed25519)'
keys Up Up Up Enter
wait_for "b: Build & flash" '> Run target qemu'
keys Enter
wait_for "b: password" 'The key is encrypted. Password:'
lit "$PW"
keys Enter
wait_for "b: built after step 2" "Target 'qemu' OK" 60
b_third=$(loader_key)
keys Escape
wait_for "b: Home" 'Inspect image'
# an image signed with the old key, over the target's signed image
keys Down Enter
wait_for "b: Sign image: the project's settings" "Defaults from mcuprov.yaml (target 'qemu')."
keys Tab Tab C-u
lit keys/demo-signing.pem
keys End Enter
wait_for "b: the signed image exists: asks" 'Replace it'
keys y
wait_for "b: the old key's password" 'The key is encrypted'
lit "$PW"
keys Enter
wait_for "b: signed with the old key" 'hash and signature valid with the key' 20
keys Escape
wait_for "b: the form" '[ Sign ]'
keys Escape
wait_for "b: Home" 'Inspect image'
keys Up Enter
wait_for "b: Build & flash" '> Run target qemu'
keys f
wait_for "b: f: flashed and run as it is; the loader refuses it" "$REFUSED" 60
wait_for "b: the run fails" 'mcuprov: wizard: qemu-system-arm failed (exit status 1)' 10
assert "b: the loader's exact line" grep -qxF "  $REFUSED" "$T_TMP/pane"
assert "b: the app did not run" test "$(grep -cF "$APP_LINE" "$T_TMP/pane")" = 0
keys Escape
wait_for "b: Home" 'Inspect image'
quit
assert "b: the first build: the first key" test -n "$b_first" -a "$b_first" = "$(fp b/keys/demo-signing.pem "$PW")"
assert "b: after step 1: images signed with the new key boot" \
	test -n "$b_second" -a "$b_second" = "$(fp b/keys/signing-2.pem "$PW")"
assert "b: after step 2: still the new key" test "$b_third" = "$b_second"
assert "b: keys 0600, keys/ 0700" test "$(stat -c %a b/keys b/keys/demo-signing.pem b/keys/signing-2.pem | tr '\n' ' ')" = "700 600 600 "
assert "b: mcuprov.yaml lists the new key only" \
	test "$(sed -n '/^keys:/,/^$/p' b/mcuprov.yaml | grep -c 'path:')" = 1 -a \
	"$(sed -n '/^keys:/,/^$/p' b/mcuprov.yaml | grep 'path:' | tr -s ' ')" = " - path: keys/signing-2.pem"
assert "b: keys.c trusts exactly the new key's bytes" \
	cmp -s <(c_bytes b/build/demo-qemu/keys.c 'root_pub_der[]') <(pub_bytes b/keys/signing-2.pem "$PW")
assert "b: keys.c has one key array" test "$(grep -c 'root_pub_der.*\[\] = {' b/build/demo-qemu/keys.c)" = 1
"$M" dumpinfo -f json b/build/demo-qemu/app.signed.bin >b-img.json 2>/dev/null
assert "b: the refused image names the old key (KEYHASH)" \
	grep -qF "\"data\": \"$(fp b/keys/demo-signing.pem "$PW")\"" b-img.json

# ==== (c) the demo with the user's key =========================================
start c
keys Enter
wait_for "c: Generate key (no project)" 'Key type:'
keys Down Enter
wait_for "c: the default file" '[keys/signing.pem '
keys Enter
wait_for "c: password choice" 'Protect the key with a password'
keys Enter
wait_for "c: password" 'Password for the new key:'
lit "$PW"
keys Enter
wait_for "c: password again" 'The same password again:'
lit "$PW"
keys Enter
wait_for "c: summary" 'Generate this key?'
keys Enter
wait_for "c: key created" 'Key created.' 20
keys Escape
wait_for "c: Home" 'Inspect image'
keys Down Down Down Enter
wait_for "c: Build & flash: the demo with your key" 'with your key keys/signing.pem'
keys Enter
wait_for "c: the key's password" 'Demo (QEMU) with your key'
lit "$PW"
keys Enter
wait_for "c: the demo booted" 'Demo OK: the loader trusted only your key' 60
assert "c: the key loaded, not made" grep -qF '[x] load key' "$T_TMP/pane"
assert "c: the header names the key" grep -qF 'Demo (QEMU) in ./mcuprov-demo, your key keys/signing.pem (ecdsa-p256)' "$T_TMP/pane"
c_loader=$(loader_key)
keys Escape
wait_for "c: Home" 'Inspect image'
quit
assert "c: the loader trusted the user's key" test -n "$c_loader" -a "$c_loader" = "$(fp c/keys/signing.pem "$PW")"
assert "c: no key made by the demo" test "$(find c/mcuprov-demo -name '*.pem' | wc -l)" = 0
assert "c: the key file 0600 in keys/ 0700" test "$(stat -c %a c/keys c/keys/signing.pem | tr '\n' ' ')" = "700 600 "
assert "c: no project was made" test ! -e c/mcuprov.yaml
assert "c: the demo's keys.c: the user's key's bytes" \
	cmp -s <(c_bytes c/mcuprov-demo/keys.c 'defined(MCUBOOT_SIGN_EC256)') <(pub_bytes c/keys/signing.pem "$PW")

done_testing
