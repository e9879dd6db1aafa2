#!/bin/bash
# The wizard's screens, driven by MCUPROV_TUI_SCRIPT on a virtual 80x24
# screen: each saved screen is compared with tests/tui/expected/NAME.txt
# (64-hex fingerprints masked as <fingerprint>, checked on their own
# against `mcuprov fingerprint`).
. "${MCUPROV_SRCDIR:-.}/tests/lib.sh"
. "${MCUPROV_SRCDIR:-.}/tests/tui-lib.sh"

mkdir -p "$SCR" keys

# ---- entry points -------------------------------------------------------
run "$M"
check "mcuprov alone without a terminal: usage, exit 2" 2 '*'
run "$M" wizard
check "wizard without a terminal or script: exit 2" 2 \
	"mcuprov: wizard: needs a terminal on standard input and output (or MCUPROV_TUI_SCRIPT)"
run "$M" wizard --help
check "wizard --help exits 0" 0 ''
assert "wizard --help: usage line" grep -q '^usage: mcuprov wizard' "$T_TMP/out"
run "$M" help
assert "help lists wizard" grep -q 'wizard' "$T_TMP/out"

# ---- Home without a project, help, quit ------------------------------
wiz 'save-screen home
key ?
save-screen home-help
key Esc
key F1
key Enter
save-screen home-after-help
key q'
check "home, help, quit: exit 0" 0 ''
screen_is "home without a project" home
screen_is "? shows Home's help" home-help
assert "help closes back to Home" cmp -s "$SCR/home.txt" "$SCR/home-after-help.txt"

wiz 'key Esc
save-screen home-esc
key End
key Enter'
check "Esc on Home stays; Quit item quits" 0 ''
assert "Esc on Home: still Home" cmp -s "$SCR/home-esc.txt" "$EXP/home.txt"

# ---- every Home action opens its own screen, Esc comes back -----------------
n=0
for title in "Generate key" "Import key" "Provision bootloader" "Build & flash" \
	"Sign image" "Inspect image" "Keyring" "Settings"; do
	script=''
	for ((i = 0; i < n; i++)); do script+=$'key Down\n'; done
	wiz "${script}key Enter
save-screen action
key Esc
save-screen back
key q"
	check "Home item $((n + 1)): exit 0" 0 ''
	assert "Home item $((n + 1)) opens '$title'" test \
		"$(head -n 1 "$SCR/action.txt")" = " mcuprov wizard | $title"
	assert "Esc from '$title' goes back to Home" test \
		"$(head -n 1 "$SCR/back.txt")" = " mcuprov wizard | Home"
	n=$((n + 1))
done

# ---- guided key generation: ed25519 with a password ------------------------
PW='s3cret-Tui!'
wiz "key Enter
save-screen kg-type
key Enter
save-screen kg-file
key Esc
save-screen kg-type-back
key Enter
key Enter
save-screen kg-pwmode
key Enter
type $PW
save-screen kg-pw1
key Enter
type $PW
key Enter
save-screen kg-confirm
key Enter
wait-idle
save-screen kg-result
key Down
key Enter
save-screen home-after-keygen
key q"
check "keygen ed25519 with password: exit 0" 0 ''
screen_is "keygen: type list with advice" kg-type
screen_is "keygen: file field with the default" kg-file
assert "keygen: Esc on the file step goes back to the type list" \
	cmp -s "$SCR/kg-type.txt" "$SCR/kg-type-back.txt"
screen_is "keygen: password or none" kg-pwmode
screen_is "keygen: password field shows nothing" kg-pw1
screen_is "keygen: confirm summary" kg-confirm
screen_is "keygen: result" kg-result
if grep -rqF -- "$PW" "$SCR"; then
	not_ok "the password appears on no screen" "$(grep -rlF -- "$PW" "$SCR")"
else
	ok "the password appears on no screen"
fi
assert "Back to Home from the result" cmp -s "$SCR/home-after-keygen.txt" "$EXP/home.txt"
assert "keys/signing.pem created" test -f keys/signing.pem
assert "keys/signing.pem: mode 0600" test "$(stat -c %a keys/signing.pem)" = 600
run "$M" fingerprint --passin "pass:$PW" -k keys/signing.pem
check "the key opens with the password typed" 0 ''
want_fp=$(cut -d' ' -f2 "$T_TMP/out")
assert "the key is ed25519" test "$(cut -d' ' -f1 "$T_TMP/out")" = ed25519
got_fp=$(sed -n 's/^  fingerprint  \([0-9a-f]\{64\}\)$/\1/p' "$SCR/kg-result.txt")
if [ -n "$want_fp" ] && [ "$got_fp" = "$want_fp" ]; then
	ok "result fingerprint = mcuprov fingerprint"
else
	not_ok "result fingerprint = mcuprov fingerprint" "shown: $got_fp" "want: $want_fp"
fi
run "$M" fingerprint -k keys/signing.pem --passin pass:wrong
check "the key is encrypted" 1 "mcuprov: fingerprint: 'keys/signing.pem': wrong password (or damaged key)"

# ---- an existing file: overwrite asks, Keep is the default --------------------
before=$(cat keys/signing.pem)
wiz 'key Enter
key Enter
key Enter
save-screen kg-overwrite
key Enter
save-screen kg-kept
key Esc
key Esc
key q'
check "overwrite refused: exit 0" 0 ''
screen_is "existing file: confirmation dialog" kg-overwrite
assert "Keep returns to the file step" grep -q '^  Private key file to create' "$SCR/kg-kept.txt"
assert "the key file is unchanged" test "$before" = "$(cat keys/signing.pem)"

# ---- no password, replace confirmed ------------------------------------
wiz 'key Enter
key Down
key Enter
key Enter
key Left
key Enter
key Down
key Enter
save-screen kg-nopass
key y
save-screen kg-confirm-nopass
key Enter
wait-idle
save-screen kg-result-nopass
key Esc
key q'
check "no password, replace: exit 0" 0 ''
screen_is "no password: warning dialog" kg-nopass
screen_is "no password: confirm summary" kg-confirm-nopass
run "$M" fingerprint -k keys/signing.pem
check "the replaced key is unencrypted" 0 ''
assert "the replaced key is ecdsa-p256" test "$(cut -d' ' -f1 "$T_TMP/out")" = ecdsa-p256
got_fp=$(sed -n 's/^  fingerprint  \([0-9a-f]\{64\}\)$/\1/p' "$SCR/kg-result-nopass.txt")
assert "its fingerprint is the one shown" test "$got_fp" = "$(cut -d' ' -f2 "$T_TMP/out")"
assert "replaced file: mode 0600" test "$(stat -c %a keys/signing.pem)" = 600

# ---- errors: the CLI's one-line message in the dialog ------------------
# the file is checked on the file step, before any password is asked: a
# directory that cannot be made (its parent is a file)
: >afile
wiz 'key Enter
key Enter
key C-u
type afile/k.pem
key Enter
save-screen kg-error
key Enter
save-screen kg-error-closed
key Esc
key Esc
key Esc
key q'
check "keygen error: exit 0" 0 ''
run "$M" keygen -k afile/k.pem -t ed25519
cli_msg=$(sed 's/^mcuprov: keygen:/mcuprov: wizard:/' "$T_TMP/err")
got=$(dialog_text kg-error)
if [ "$got" = "$cli_msg" ]; then
	ok "error dialog: the CLI's message"
else
	not_ok "error dialog: the CLI's message" "shown: $got" "cli:   $cli_msg"
fi
assert "the error before the password: on the file step" \
	grep -q '^  Private key file to create' "$SCR/kg-error.txt"
case $cli_msg in
"mcuprov: wizard: 'afile"*) ok "the message names the file" ;;
*) not_ok "the message names the file" "$cli_msg" ;;
esac
assert "after the error: back on the file step" grep -q '^  \[afile/k.pem' "$SCR/kg-error-closed.txt"
assert "nothing made" test ! -e afile/k.pem -a -f afile

# a missing directory is made (0700) with the key (0600)
wiz 'key Enter
key Enter
key C-u
type new/dir/k.pem
key Enter
key Down
key Enter
key y
key Enter
wait-idle
save-screen kg-mkdir
key Esc
key q'
check "keygen into a new directory: exit 0" 0 ''
assert "the key made" grep -q '^  Key created.' "$SCR/kg-mkdir.txt"
assert "its directories 0700, the key 0600" test \
	"$(stat -c %a new new/dir new/dir/k.pem | tr '\n' ' ')" = "700 700 600 "

PW2=other-pass
wiz "key Enter
key Enter
key Enter
key Left
key Enter
key Enter
type $PW2
key Enter
type different
key Enter
save-screen kg-mismatch
key Enter
save-screen kg-mismatch-closed
key Esc
key Esc
key Esc
key Esc
key q"
check "password mismatch: exit 0" 0 ''
assert "mismatch: error dialog" test "$(dialog_text kg-mismatch)" = "mcuprov: wizard: passwords do not match"
assert "mismatch: asked again" grep -q '^  Password for the new key:' "$SCR/kg-mismatch-closed.txt"

# ---- import: tests/cli/tui-import.sh ------------------------------------

# ---- Home with a project; dev key and loose mode warnings ------------------
if [ -f "$V/keys/root-ec-p256.pem" ]; then
	mkdir -p proj/keys
	cp "$V/keys/root-ec-p256.pem" proj/keys/signing.pem
	chmod 644 proj/keys/signing.pem
	printf 'version: 1\nkeys:\n  - path: keys/signing.pem\n    type: ecdsa-p256\nimage:\n  header_size: 0x200\n  slot_size: 0x20000\n  version: 1.0.0\n' >proj/mcuprov.yaml
	cd proj || exit 1
	wiz 'save-screen home-project
key q'
	cd "$T_TMP" || exit 1
	check "home with a project: exit 0" 0 ''
	screen_is "home: project, key, fingerprint, warnings" home-project
	run "$M" fingerprint -k proj/keys/signing.pem
	assert "home: the fingerprint is the key's" \
		grep -q "^  fingerprint: $(cut -d' ' -f2 "$T_TMP/out")\$" "$SCR/home-project.txt"
else
	ok "# SKIP home with a dev-key project: vectors not found"
fi

# ---- Home: the key or the bootloader's configuration disagree with the project
mkdir -p mism/keys mism/boot
"$M" keygen -k mism/keys/signing.pem -t ed25519 >/dev/null 2>&1
printf 'CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256=y\n' >mism/boot/prj.conf
: >mism/boot/keys.c
printf 'version: 1\nkeys:\n  - {path: keys/signing.pem, type: ecdsa-p256}\nbootloader: {keys_c: boot/keys.c}\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}\n' >mism/mcuprov.yaml
cd mism || exit 1
wiz 'save-screen home-mism-key
key q'
check "home, key type mismatch: exit 0" 0 ''
assert "home: the key file's type against the project's" test \
	"$(sed -n 7p "$SCR/home-mism-key.txt")" = "  'keys/signing.pem' is ed25519 but mcuprov.yaml:3 says ecdsa-p256"
sed -i 's/ecdsa-p256/ed25519/' mcuprov.yaml
wiz 'save-screen home-mism-conf
key q'
check "home, configuration mismatch: exit 0" 0 ''
assert "home: the bootloader's configuration against the key type" test \
	"$(sed -n 7,9p "$SCR/home-mism-conf.txt" | tr '\n' ' ')" = \
	"  'boot/keys.c': the key is ed25519 but the bootloader is configured for   another signature type ($PWD/boot/prj.conf:1:   CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256=y) "
printf 'CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y\n' >boot/prj.conf
wiz 'save-screen home-agree
key q'
assert "home: no warning when they agree" test "$(sed -n 7p "$SCR/home-agree.txt")" = ""
cd "$T_TMP" || exit 1

# ---- Generate key in a project: its type, its file, tied to it ---------------
mkdir -p tied/keys
"$M" keygen -k tied/keys/signing.pem -t ed25519 >/dev/null 2>&1
printf 'version: 1\nkeys:\n  - {path: keys/signing.pem, type: ed25519}\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}\n' >tied/mcuprov.yaml
cp tied/mcuprov.yaml tied.yaml
cd tied || exit 1
# the project's type and a free file beside its key; the result offers the
# rotation, which opens on its diff with the key handed over (no password)
wiz 'key Enter
save-screen kg-proj-type
key Enter
save-screen kg-proj-file
key Enter
key Down
key Enter
key y
key Enter
wait-idle
save-screen kg-proj-result
key Enter
save-screen kg-proj-rotate
key Esc
key Esc
key Esc
key Esc
key q'
check "keygen in a project: exit 0" 0 ''
assert "the project's type first" grep -qF "  Key type (the project's: ed25519):" "$SCR/kg-proj-type.txt"
assert "the project's type selected" grep -qF '  > ed25519 ' "$SCR/kg-proj-type.txt"
assert "its key exists: a free file beside it" grep -qF '  [keys/signing-2.pem ' "$SCR/kg-proj-file.txt"
assert "the result: what the key is to the project" grep -qF \
	"mcuprov.yaml signs with 'keys/signing.pem': a rotation makes this key the" \
	"$SCR/kg-proj-result.txt"
assert "the result offers the rotation first" grep -qxF \
	"  > Use as the project's signing key (rotation)" "$SCR/kg-proj-result.txt"
assert "then Provision, then Home" test "$(grep -cE '^    (Provision bootloader with this key|Back to Home)' \
	"$SCR/kg-proj-result.txt")" = 2
assert "Use: the Keyring's rotation diff, no password asked" grep -qF \
	"Add 'keys/signing-2.pem' as the signing key: the changes" "$SCR/kg-proj-rotate.txt"
assert "nothing written before it is applied" cmp -s mcuprov.yaml ../tied.yaml

# another type once the project has a key: refused for the project, with the
# reason; the key may still be made, and its result warns
wiz 'key Enter
key Down
key Enter
save-screen kg-proj-other
key Enter
save-screen kg-proj-again
key Enter
key y
save-screen kg-proj-other-file
key Enter
key Down
key Enter
key y
key Enter
wait-idle
save-screen kg-proj-other-result
key Esc
key q'
check "another type in a project with a key: exit 0" 0 ''
assert "another type: the core's reason, Choose again the default" test "$(dialog_text kg-proj-other)" = \
	"'keys/signing.pem' exists: the project stays ed25519 (its bootloader verifies one signature type, and devices may trust this key). An ecdsa-p256 key cannot sign its images. Generate one anyway?"
assert "Choose again is the default" grep -qF '[ Generate anyway ]   [ Choose again ]' "$SCR/kg-proj-other.txt"
assert "Choose again: the type list" grep -qF "Key type (the project's: ed25519):" "$SCR/kg-proj-again.txt"
assert "Generate anyway: not the project's file" grep -qF '  [keys/signing-3.pem ' "$SCR/kg-proj-other-file.txt"
assert "the result warns" grep -qF \
	"warning: the project's keys are ed25519 (mcuprov.yaml): this ecdsa-p256 key" \
	"$SCR/kg-proj-other-result.txt"
assert "the result offers no rotation" test "$(grep -c 'Use as the project' "$SCR/kg-proj-other-result.txt")" = 0
assert "the project unchanged" cmp -s mcuprov.yaml ../tied.yaml
cd "$T_TMP" || exit 1

# a fresh project (its key not made yet): the key's file is the project's,
# and another type switches the project, its diff first (Esc: no change)
mkdir fresh
printf 'version: 1\nkeys:\n  - {path: keys/signing.pem, type: ed25519}\nbootloader: {conf: mcuboot.conf}\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}\n' >fresh/mcuprov.yaml
printf 'CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y\n' >fresh/mcuboot.conf
cp fresh/mcuprov.yaml fresh.yaml
cd fresh || exit 1
wiz 'save-screen home-nokey
key Enter
key Enter
save-screen kg-fresh-file
key Esc
key Down
key Enter
key PgDn
save-screen kg-fresh-retype
key Esc
save-screen kg-fresh-back
key Enter
key a
key y
save-screen kg-fresh-switched
key Esc
key Esc
key q'
check "a fresh project: exit 0" 0 ''
screen_is "Home: the key not made yet, Generate offered" home-nokey
assert "the project's key file" grep -qF '  [keys/signing.pem ' "$SCR/kg-fresh-file.txt"
assert "another type: the switch and its diff" grep -qF \
	'Switch the project from ed25519 to ecdsa-p256? None of its keys exists yet,' "$SCR/kg-fresh-retype.txt"
assert "the diff: mcuprov.yaml's type" grep -qxF '  +  - {path: keys/signing.pem, type: ecdsa-p256}' \
	"$SCR/kg-fresh-retype.txt"
assert "the diff: the Kconfig fragment's type" grep -qxF '  +CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256=y' \
	"$SCR/kg-fresh-retype.txt"
assert "Esc: the type list" grep -qF "Key type (the project's: ed25519):" "$SCR/kg-fresh-back.txt"
assert "Esc wrote nothing: one write, from the original" sh -c \
	'cmp -s mcuprov.yaml.bak ../fresh.yaml && test ! -e mcuprov.yaml.bak.1'
assert "applied: says so" grep -qF "The project is ecdsa-p256 now (the old mcuprov.yaml is 'mcuprov.yaml.bak')" \
	"$SCR/kg-fresh-switched.txt"
assert "mcuprov.yaml: the new type, the rest as it was" test "$(sed 's/ecdsa-p256/ed25519/' mcuprov.yaml)" = \
	"$(cat ../fresh.yaml)" -a "$(grep -c ecdsa-p256 mcuprov.yaml)" = 1
assert "mcuboot.conf: the new type" test "$(cat mcuboot.conf)" = 'CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256=y'
assert "the fragment's backup" test "$(cat mcuboot.conf.bak)" = 'CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y'
cd "$T_TMP" || exit 1

# ---- resize and script errors --------------------------------------------
wiz 'resize 60 20
save-screen small
resize 100 30
save-screen big
key q'
check "resize: exit 0" 0 ''
assert "too small: says so" grep -q '^terminal too small: 60x20, the wizard needs 80x24' "$SCR/small.txt"
assert "100x30: redrawn full width" test "$(sed -n 2p "$SCR/big.txt" | wc -c)" = 101

wiz 'key Enter'
check "script ending before quit: exit 2" 2 \
	"mcuprov: wizard: '$T_TMP/script': script ended before the wizard quit"
wiz 'key Nope'
check "unknown key name: exit 2" 2 "mcuprov: wizard: '$T_TMP/script': line 1: unknown key 'Nope'"

done_testing
