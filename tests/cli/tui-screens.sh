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
wiz 'key Enter
key Enter
key C-u
type nodir/k.pem
key Enter
key Down
key Enter
key y
key Enter
wait-idle
save-screen kg-error
key Enter
save-screen kg-error-closed
key Esc
key Esc
key q'
check "keygen error: exit 0" 0 ''
run "$M" keygen -k nodir/k.pem -t ed25519
cli_msg=$(sed 's/^mcuprov: keygen:/mcuprov: wizard:/' "$T_TMP/err")
got=$(dialog_text kg-error)
if [ "$got" = "$cli_msg" ]; then
	ok "error dialog: the CLI's message"
else
	not_ok "error dialog: the CLI's message" "shown: $got" "cli:   $cli_msg"
fi
assert "after the error: back on the file step" grep -q '^  \[nodir/k.pem' "$SCR/kg-error-closed.txt"

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
