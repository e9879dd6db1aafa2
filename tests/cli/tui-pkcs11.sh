#!/bin/bash
# Keys in PKCS#11 tokens in the wizard, on a SoftHSM2 token of the test's own:
#   scripted: Generate key -> in a token -> URI -> PIN -> the result (its
#     fingerprint is the token's key's), the screens compared; the Keyring
#     without a project lists the token's key; the core's refusals (a wrong
#     PIN, a label the token holds, no such token) in the error dialog
#   tmux, from an empty directory as a new user: the issue's journey,
#     generate in a token -> a demo-qemu project naming it -> Provision ->
#     Keyring -> Build & flash (the PIN asked, the loader trusts the token's
#     key) -> Sign image with it -> Inspect image checks it (no PIN)
. "${MCUPROV_SRCDIR:-.}/tests/lib.sh"
. "${MCUPROV_SRCDIR:-.}/tests/tui-lib.sh"
. "${MCUPROV_SRCDIR:-.}/tests/pkcs11-lib.sh"

need_softhsm

PIN='p11-Pin-4711'
URI='pkcs11:token=prod;object=signing'

# fingerprints, and the Keyring's first 16 hex digits of one
mask() { sed -E -e 's/[0-9a-f]{64}/<fingerprint>/g' -e 's/[0-9a-f]{16}\.\.\./<fp16>.../g' "$1"; }

# token_fp URI: the key's fingerprint as `mcuprov fingerprint` prints it (no PIN)
token_fp() { "$M" fingerprint -k "$1;type=public" 2>/dev/null | cut -d' ' -f2; }

# ==== scripted: the screens =====================================================
mkdir s && cd s || exit 1
mktoken prod "$PIN"
wiz "key Enter
save-screen p11-type-file
key Right
save-screen p11-type
key Enter
save-screen p11-uri
key C-u
type $URI
key Enter
save-screen p11-pin
type $PIN
key Enter
save-screen p11-confirm
key Enter
wait-idle
save-screen p11-result
key Esc
key Down
key Down
key Down
key Down
key Down
key Down
key Enter
save-screen p11-keyring
key Esc
key q"
check "generate in a token: exit 0" 0 ''
assert "the type step in a file: x25519 offered" \
	grep -qF '    x25519      image encryption key' "$SCR/p11-type-file.txt"
screen_is "in a token: no x25519, the choice shown" p11-type
assert "in a token: x25519 not offered" test "$(grep -c x25519 "$SCR/p11-type.txt")" = 1
screen_is "the URI step (no key in a token yet: the default names none)" p11-uri
screen_is "the PIN step" p11-pin
screen_is "the summary" p11-confirm
screen_is "the result: never leaves the token" p11-result
screen_is "Keyring without a project: the token's key" p11-keyring
fp=$(sed -n 's/^  fingerprint  \([0-9a-f]\{64\}\)$/\1/p' "$SCR/p11-result.txt")
assert "the result's fingerprint is the token's key's" test -n "$fp" -a "$fp" = "$(token_fp "$URI")"
assert "the Keyring's fingerprint is the same" grep -qxF "  fingerprint  $fp" "$SCR/p11-keyring.txt"
assert "the Keyring names the token and the URI" \
	grep -qxF "  uri          $URI" "$SCR/p11-keyring.txt"
assert "the PIN is on no screen" test "$(cat "$SCR"/*.txt | grep -c -- "$PIN")" = 0
assert "no key file written" test "$(find . -name '*.pem' | wc -l)" = 0
p11tool --token-label prod --login --pin "$PIN" --list-objects >objects.txt 2>&1
assert "the private key is in the token, sensitive, never extractable" \
	grep -qF 'never extractable' objects.txt
assert "the private key is labelled as the URI says" \
	test "$(grep -A1 '^Private Key Object' objects.txt | grep -c 'label: *signing$')" = 1

# the next key's default: the token that holds keys, a label it does not hold
wiz "key Enter
key Right
key Enter
save-screen p11-uri-next
key Esc
key Esc
key q"
check "the URI default with a key in the token: exit 0" 0 ''
assert "the default names the token and a free label" \
	grep -qF "[pkcs11:token=prod;object=signing-2 " "$SCR/p11-uri-next.txt"

# the core's refusals, each in the error dialog, the flow where it can go on
wiz "key Enter
key Right
key Enter
key C-u
type pkcs11:token=prod;object=other
key Enter
type not-the-pin
key Enter
key Enter
wait-idle
save-screen p11-wrong-pin
key Enter
save-screen p11-pin-again
key Esc
key C-u
type $URI
key Enter
type $PIN
key Enter
key Enter
wait-idle
save-screen p11-exists
key Enter
key C-u
type pkcs11:token=nosuch;object=x
key Enter
type $PIN
key Enter
key Enter
wait-idle
save-screen p11-notoken
key Enter
key C-u
type keys/signing.pem
key Enter
save-screen p11-not-uri
key Enter
key Esc
key Esc
key q"
check "the refusals: exit 0" 0 ''
# (SoftHSM2 says how many attempts are left: the core adds that)
assert "a wrong PIN: the core's message" \
	grep -qF "mcuprov: wizard: 'pkcs11:token=prod;object=other': token 'prod': wrong PIN" \
	<(dialog_text p11-wrong-pin)
assert "a wrong PIN: typed again" \
	grep -qF "The token's PIN (its user PIN):" "$SCR/p11-pin-again.txt"
assert "a label the token holds: refused, never replaced" test "$(dialog_text p11-exists)" = \
	"mcuprov: wizard: '$URI': token 'prod' already holds an object with this label; mcuprov never replaces a key in a token (choose another object=)"
assert "no such token" grep -qF "mcuprov: wizard: 'pkcs11:token=nosuch;object=x': no PKCS#11 token matches" \
	<(dialog_text p11-notoken)
assert "not a URI" test "$(dialog_text p11-not-uri)" = \
	"mcuprov: wizard: 'keys/signing.pem': not a PKCS#11 URI (pkcs11:token=NAME;object=LABEL)"
assert "the refused key was not made" test "$(token_fp 'pkcs11:token=prod;object=other')" = ''
assert "the PIN is on no screen" test "$(cat "$SCR"/*.txt | grep -c -- "$PIN")" = 0
cd .. || exit 1

# ==== scripted, a project with a key file: the token's key by rotation =========
mkdir r && cd r || exit 1
mktoken prod "$PIN"
if ! "$M" init -p demo-qemu >/dev/null 2>&1 ||
	! "$M" keygen -k keys/demo-signing.pem -t ed25519 >/dev/null 2>&1; then
	not_ok "a demo-qemu project with a key file"
	done_testing
	exit 1
fi
NEW='pkcs11:token=prod;object=signing-2027'
wiz "key Enter
key Right
key Enter
key C-u
type $NEW
key Enter
type $PIN
key Enter
key Enter
wait-idle
save-screen p11-use
key Enter
wait-idle
save-screen p11-use-diff
key a
key y
save-screen p11-use-done
key Esc
save-screen p11-kr-list
key Esc
key Esc
key Esc
key q"
check "rotation to a token's key: exit 0" 0 ''
assert "the result offers the rotation" \
	grep -qF '> Use as the project'"'"'s signing key (rotation)' "$SCR/p11-use.txt"
assert "the diff: keys[0] is the URI" grep -qF "+  - path: \"$NEW\"" "$SCR/p11-use-diff.txt"
assert "applied" grep -qF "Rotation step 1 done: '$NEW' signs new" "$SCR/p11-use-done.txt"
screen_is "Keyring: the token's key signs, the file's is trusted" p11-kr-list
assert "mcuprov.yaml: keys[0] is the URI" \
	test "$(sed -n '/^keys:/,/^$/p' mcuprov.yaml | grep -m1 'path:' | tr -s ' ')" = " - path: \"$NEW\""
# bytes FILE: the 0x.. bytes of a C file on one line
bytes() { grep -o '0x[0-9a-f][0-9a-f]' "$1" | tr '\n' ' '; }
"$M" getpub -k "$NEW;type=public" >pub.c 2>/dev/null
assert "keys.c trusts the token's key (its 44 public bytes)" \
	test "$(bytes pub.c | wc -w)" = 44 -a -n "$(bytes build/demo-qemu/keys.c | grep -F "$(bytes pub.c)")"

# a project key named by a URI the token does not hold yet: Home offers to
# make it there, Generate key starts in a token with that URI
sed -i "s|path: \"$NEW\"|path: \"pkcs11:token=prod;object=later\"|" mcuprov.yaml
wiz "save-screen p11-home-missing
key Enter
save-screen p11-type-project
key Enter
save-screen p11-uri-project
key Enter
type $PIN
key Enter
key Enter
wait-idle
save-screen p11-result-project
key Esc
save-screen p11-home-made
key q"
check "the project's key made in the token: exit 0" 0 ''
assert "Home: not in the token yet" \
	grep -qF 'not in a token: Generate key makes it there (Enter)' "$SCR/p11-home-missing.txt"
assert "Home: the core's reason" grep -qF "token 'prod' holds no" "$SCR/p11-home-missing.txt"
assert "Generate key: in a token already" \
	grep -qF '(*) in a token (PKCS#11)' "$SCR/p11-type-project.txt"
assert "the URI is the project's" \
	grep -qF '[pkcs11:token=prod;object=later ' "$SCR/p11-uri-project.txt"
assert "the result: the project's signing key" \
	grep -qF "This is the project's signing key (the first of mcuprov.yaml's keys)." "$SCR/p11-result-project.txt"
assert "Home: its fingerprint" \
	grep -qF "fingerprint: $(token_fp 'pkcs11:token=prod;object=later')" "$SCR/p11-home-made.txt"
cd .. || exit 1

# ==== tmux: generate in a token -> provision -> build & flash ==================
command -v tmux >/dev/null 2>&1 || { done_testing; exit 0; }
for t in make arm-none-eabi-gcc qemu-system-arm; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "# $t not installed: no journey (scripts/install-deps)"
		done_testing
		exit 0
	fi
done
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
trap tmux_cleanup EXIT
SESS=p11
APP_LINE='mcuprov demo app: hello from the signed image'

mkdir j && cd j || exit 1
mktoken prod "$PIN"
cd .. || exit 1
# the session sees this test's token only (its SoftHSM2 configuration)
P11_ENV="SOFTHSM2_CONF=\"$SOFTHSM2_CONF\" MCUPROV_PKCS11_MODULE=\"$MCUPROV_PKCS11_MODULE\""
tm -f /dev/null new-session -d -s "$SESS" -x 80 -y 24 \
	"env -i PATH=\"$PATH\" HOME=\"$T_TMP\" HISTFILE=/dev/null TERM=xterm-256color LANG=C.UTF-8 $P11_ENV PS1='\$ ' bash --norc --noprofile" ||
	skip_all "tmux cannot start a session here"
wait_for "shell prompt" '$' || done_testing
lit "clear; cd '$T_TMP/j' && '$M'"
keys Enter
wait_for "the wizard in an empty directory" 'no project - create one in Settings' || done_testing

keys Enter
wait_for "Generate key" 'Key type:'
keys Right
wait_for "in a token" '(*) in a token (PKCS#11)'
keys Enter
wait_for "the URI" 'The new key in a token, as a PKCS#11 URI'
keys C-u
lit "$URI"
keys Enter
wait_for "the PIN" "The token's PIN (its user PIN):"
lit "$PIN"
keys Enter
wait_for "the summary" 'Generate this key in the token?'
keys Enter
wait_for "made in the token" 'Key created in the token.' 20
j_fp=$(sed -n 's/^  fingerprint  \([0-9a-f]\{64\}\)$/\1/p' "$T_TMP/pane")
assert "its fingerprint is the token's key's" test -n "$j_fp" -a "$j_fp" = "$(token_fp "$URI")"
assert "never leaves the token" \
	grep -qF 'private key  in the token: it never leaves the token' "$T_TMP/pane"
keys Escape
wait_for "Home" 'Inspect image'
keys Down Down Down Down Down Down Enter
wait_for "Keyring: the token's key" 'Keys in tokens (PKCS#11):'
assert "Keyring: its fingerprint" grep -qxF "  fingerprint  $j_fp" "$T_TMP/pane"
keys Escape
wait_for "Home" 'Inspect image'

# a project from demo-qemu naming the token's key
keys End Up Enter
wait_for "Settings" 'Create mcuprov.yaml from a profile'
keys Down Enter
wait_for "demo-qemu's form" "Create mcuprov.yaml from the profile 'demo-qemu':"
keys Up
lit "$URI"
keys Enter
wait_for "asks" '[ Create ]   [ Cancel ]'
keys Enter
wait_for "created with the token's key" 'created mcuprov.yaml (demo-qemu, ed25519): its key is pkcs11:'
keys Escape
wait_for "Home: the project's key is the token's" "signing key: $URI (ed25519)"
assert "Home: its fingerprint, no PIN asked" grep -qF "fingerprint: $j_fp" "$T_TMP/pane"

keys Home Down Down Enter
wait_for "Provision: the project's key, its URI" "[$URI"
keys Enter
wait_for "Provision: keys.c already trusts it (no PIN asked)" 'already trusts these keys'
keys Escape
wait_for "Provision: the form" 'Enter shows the change first'
keys Escape
wait_for "Home" 'Inspect image'

keys Home Down Down Down Down Down Down Enter
wait_for "Keyring: the project's key in the token" "signs      ed25519     token 'prod', object 'signing'"
assert "Keyring: one row (the token's key is the project's)" \
	test "$(grep -c 'in token ' "$T_TMP/pane")" = 0
keys Enter
wait_for "Keyring: details" 'mode         in token'
assert "details: where" grep -qF "where        token 'prod', object 'signing'" "$T_TMP/pane"
keys Escape Escape
wait_for "Home" 'Inspect image'

keys Home Down Down Down Enter
wait_for "Build & flash offers the target" '> Run target qemu'
keys Enter
wait_for "the token's PIN" 'The key is in a token. PIN:'
lit "$PIN"
keys Enter
wait_for "built, signed in the token, booted" "Target 'qemu' OK: 6 steps" 60
assert "the app ran" grep -qxF "  $APP_LINE" "$T_TMP/pane"
j_loader=$(sed -n 's/^  key SHA-256 \([0-9a-f]\{64\}\)$/\1/p' "$T_TMP/pane" | tail -n 1)
keys Escape
wait_for "Home" 'Inspect image'

# Sign image with the token's key (the project's defaults)
keys Home Down Down Down Down Enter
wait_for "Sign image: the project's settings" "Defaults from mcuprov.yaml (target 'qemu')."
keys End Enter
wait_for "the signed image exists: asks" 'Replace it'
keys y
wait_for "Sign: the token's PIN" 'The key is in a token. PIN:'
lit "$PIN"
keys Enter
wait_for "signed in the token" 'hash and signature valid with the key' 20
keys Escape
wait_for "the form" '[ Sign ]'
keys Escape
wait_for "Home" 'Inspect image'

# Inspect image: the signature checked with the token's key, no PIN
keys Home Down Down Down Down Down Enter
wait_for "Inspect image" 'Key to check the signature with'
keys C-u
lit build/demo-qemu/app.signed.bin
keys Tab
lit "$URI"
keys Enter
wait_for "Inspect: the signature verifies with the token's key" "signature OK (key ${j_fp:0:16}...)"
keys Escape
wait_for "Inspect: the form" 'Key to check the signature with'
keys Escape
wait_for "Home" 'Inspect image'
keys q
wait_for "the wizard quits" '$'

assert "the loader trusted the token's key" test -n "$j_loader" -a "$j_loader" = "$j_fp"
assert "mcuprov.yaml names the URI" grep -qF "path: \"$URI\"" j/mcuprov.yaml
assert "no key file anywhere in the project" \
	test "$(find j -name '*.pem' -not -path 'j/tokens/*' | wc -l)" = 0
assert "the PIN in no file of the project" \
	test "$(grep -rlF --exclude-dir=tokens -- "$PIN" j | wc -l)" = 0
run "$M" verify -k "$URI;type=public" j/build/demo-qemu/app.signed.bin
check "the signed image verifies with the token's public key" 0 '*'

done_testing
