#!/bin/bash
# The wizard's Sign image screen, driven by MCUPROV_TUI_SCRIPT on a virtual
# 80x24 screen: the form (empty, or with mcuprov.yaml's defaults), the
# checks with the CLI's messages, the password of an encrypted key, the
# questions before a hash-only image, a replaced file and a development
# key, and the result: the image equals what the `mcuprov sign` command
# shown on the result screen writes, byte for byte (Ed25519 signatures are
# deterministic), and verifies.  Encryption (Encrypt for, through the file
# browser; AES key length) and compression: checked with `mcuprov verify
# --enc-key`, `decrypt` and `dumpinfo`, against the shown command.
. "${MCUPROV_SRCDIR:-.}/tests/lib.sh"
. "${MCUPROV_SRCDIR:-.}/tests/tui-lib.sh"


# the `mcuprov sign ...` command shown on result screen NAME (it may wrap)
shown_cmd() {
	awk '/^  The same from a shell/ { on = 1; next }
	     on && /^    / { sub(/^    /, ""); printf "%s ", $0; next }
	     on { exit }' "$SCR/$1.txt" | sed 's/ $//'
}

# Home's fifth item
SIGN='key Down
key Down
key Down
key Down
key Enter'

# a fixed app: the image hash is the same on every run
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "%c", (i * 7 + 3) % 256 }' </dev/null >app.bin
"$M" keygen -k k.pem -t ed25519 >/dev/null 2>&1
"$M" getpub -k k.pem -e pem >k.pub.pem
FP=$("$M" fingerprint -k k.pem | cut -d" " -f2)

# ---- no project: the form, the checks ------------------------------------
wiz "$SIGN
save-screen sg-form
type app.bin
key Tab
key Tab
type k.pem
key End
save-screen sg-button
key Enter
save-screen sg-nohdr
key Enter
type 0x20q
key End
key Enter
save-screen sg-badhdr
key Enter
key C-u
type 0x200
key Tab
type 0x10000
key Tab
key C-u
type 3
key End
key Enter
save-screen sg-badalign
key Enter
key C-u
type 8
key Up
key Up
key Up
key C-u
type 1.2
key End
key Enter
wait-idle
save-screen sg-done
key Esc
key Esc
key q"
check "sign without a project: exit 0" 0 ''
screen_is "the form without a project" sg-form
screen_is "End moves to the Sign button" sg-button
assert "missing header size: the CLI's option named" test \
	"$(dialog_text sg-nohdr)" = "mcuprov: wizard: missing the header size (-H/--header-size)"
assert "bad header size" test "$(dialog_text sg-badhdr)" = \
	"mcuprov: wizard: invalid header size '0x20q' (a number, decimal or 0x hex)"
assert "bad align" test "$(dialog_text sg-badalign)" = \
	"mcuprov: wizard: invalid align '3' (1, 2, 4, 8, 16 or 32)"
screen_is "the result" sg-done
assert "the result names the key's fingerprint" grep -qxF "  fingerprint $FP" "$SCR/sg-done.txt"
CMD=$(shown_cmd sg-done)
assert "the shown command" test "$CMD" = \
	"mcuprov sign -k k.pem --version 1.2 -H 0x200 --pad-header -S 0x10000 --align 8 app.bin app.signed.bin"
run "$M" verify -k k.pem app.signed.bin
check "the signed image verifies with the key" 0 ''
mv app.signed.bin wiz.bin
# shellcheck disable=SC2086 # the words of the shown command
run "$M" ${CMD#mcuprov }
check "the shown command runs" 0 ''
assert "the wizard's image equals the CLI's, byte for byte" cmp -s wiz.bin app.signed.bin
DIGEST=$("$M" dumpinfo -f json wiz.bin | sed -n 's/.*"data": "\([0-9a-f]\{64\}\)".*/\1/p' | head -n 1)
assert "the result shows the image hash" grep -qxF "  SHA256      $DIGEST" "$SCR/sg-done.txt"

# ---- text fields count columns, not bytes (UTF-8) ---------------------------
if locale -a 2>/dev/null | grep -qix 'c.utf-\?8'; then
	LC_ALL=C.UTF-8 wiz "$SIGN
type données/été/ünïcödé-fïrmwäre-ïmägé-wïth-ä-vérÿ-löng-nämé-thät-döés-nöt-fït.bin
save-screen sg-u1
key Backspace
key Backspace
key Backspace
key Backspace
key Backspace
save-screen sg-u2
key C-u
type 日本語のファイル名/とても長いパスの名前です/ファームウェア.bin
save-screen sg-u3
key Esc
key q"
	check "UTF-8 paths: exit 0" 0 ''
	assert "a long UTF-8 path: its tail, whole characters, cursor after it" test \
		"$(sed -n 6p "$SCR/sg-u1.txt")" = \
		"  Image to sign        [äre-ïmägé-wïth-ä-vérÿ-löng-nämé-thät-döés-nöt-fït.bin ]"
	assert "Backspace removes whole characters" test "$(sed -n 6p "$SCR/sg-u2.txt")" = \
		"  Image to sign        [fïrmwäre-ïmägé-wïth-ä-vérÿ-löng-nämé-thät-döés-nöt-fï ]"
	assert "double-width characters take two columns" test "$(sed -n 6p "$SCR/sg-u3.txt")" = \
		"  Image to sign        [ァイル名/とても長いパスの名前です/ファームウェア.bin _]"
else
	ok "# SKIP UTF-8 fields: no C.UTF-8 locale"
fi

# ---- the output exists: Cancel keeps it, Replace replaces it --------------
cp wiz.bin app.signed.bin
cp wiz.bin keep.bin
FORM="$SIGN
type app.bin
key Tab
key Tab
type k.pem
key Tab
key C-u
type 2.0.0
key Tab
type 0x200
key Tab
type 0x10000
key End"
wiz "$FORM
key Enter
save-screen sg-replace
key Enter
save-screen sg-kept
key Esc
key q"
check "replace? cancel: exit 0" 0 ''
assert "replace asks first" test "$(dialog_text sg-replace)" = \
	"'app.signed.bin' exists. Replace it with the new image?"
assert "the question defaults to Cancel: the file is unchanged" cmp -s keep.bin app.signed.bin
assert "cancel: back to the form" grep -qF '[ Sign ]' "$SCR/sg-kept.txt"
wiz "$FORM
key Enter
key Left
key Enter
wait-idle
save-screen sg-replaced
key Esc
key Esc
key q"
check "replace? yes: exit 0" 0 ''
assert "Replace: the new image is written" grep -qF "version     2.0.0+0" "$SCR/sg-replaced.txt"
run "$M" dumpinfo app.signed.bin
assert "Replace: the file is the new version" grep -q 'version:.*2\.0\.0' "$T_TMP/out"

# ---- keys: none, public, encrypted, a development key -----------------------
NOKEY="$SIGN
type app.bin
key Tab
key C-u
type hash.bin
key Tab
key Tab
key Tab
type 0x200
key Tab
type 0x10000
key End"
wiz "$NOKEY
key Enter
save-screen sg-nokey
key Enter
save-screen sg-nokey-no
key Esc
key q"
check "no key, cancel: exit 0" 0 ''
assert "no key: asks before a hash-only image" test "$(dialog_text sg-nokey)" = \
	"Without a key the image carries only its hash: a bootloader that checks signatures refuses it. Write a hash-only image?"
assert "no key: Cancel is the default, nothing written" test ! -e hash.bin
wiz "$NOKEY
key Enter
key Left
key Enter
wait-idle
save-screen sg-hashonly
key Esc
key Esc
key q"
check "no key, hash only: exit 0" 0 ''
assert "hash only: the result says so" grep -qxF "  key         none: a hash-only image" \
	"$SCR/sg-hashonly.txt"
run "$M" verify hash.bin
check "hash only: the image's hash verifies" 0 '*'
run "$M" dumpinfo hash.bin
assert "hash only: no signature TLV" eval "! grep -q 'ED25519' '$T_TMP/out'"

wiz "$SIGN
type app.bin
key Tab
key C-u
type pub.bin
key Tab
type k.pub.pem
key Tab
key Tab
type 0x200
key Tab
type 0x10000
key End
key Enter
save-screen sg-pub
key Enter
key Esc
key q"
check "public key: exit 0" 0 ''
assert "public key: refused with the reason" test "$(dialog_text sg-pub)" = \
	"mcuprov: wizard: 'k.pub.pem': is a public key: signing needs the private key"
assert "public key: nothing written" test ! -e pub.bin

if [ -f "$V/keys-enc/root-ed25519-pw.pem" ]; then
	cp "$V/keys-enc/root-ed25519-pw.pem" enc.pem
	chmod 600 enc.pem
	ENC="$SIGN
type app.bin
key Tab
key C-u
type enc.bin
key Tab
type enc.pem
key Tab
key Tab
type 0x200
key Tab
type 0x10000
key End
key Enter"
	wiz "$ENC
save-screen sg-pw
type wrong-password
key Enter
save-screen sg-pwbad
key Enter
save-screen sg-pwagain
type mcuprov-test
key Enter
save-screen sg-enc-dev
key Left
key Enter
wait-idle
save-screen sg-enc
key Esc
key Esc
key q"
	check "encrypted key: exit 0" 0 ''
	screen_is "encrypted key: the password prompt" sg-pw
	assert "the password is never on screen" eval "! grep -q -e wrong-password -e mcuprov-test $SCR/*.txt"
	assert "wrong password: the CLI's message" grep -qF "mcuprov: wizard: 'enc.pem':" \
		"$SCR/sg-pwbad.txt"
	assert "wrong password: asked again" cmp -s "$SCR/sg-pw.txt" "$SCR/sg-pwagain.txt"
	assert "the right password, then the development key question" grep -qF \
		"published development key" "$SCR/sg-enc-dev.txt"
	run "$M" verify -k enc.pem --passin pass:mcuprov-test enc.bin
	check "encrypted key: the image verifies" 0 '*'
else
	ok "# SKIP encrypted key: vectors not found"
fi

if [ -f "$V/keys/root-ed25519.pem" ]; then
	cp "$V/keys/root-ed25519.pem" dev.pem
	chmod 600 dev.pem
	DEV="$SIGN
type app.bin
key Tab
key C-u
type dev.bin
key Tab
type dev.pem
key Tab
key Tab
type 0x200
key Tab
type 0x10000
key End
key Enter"
	wiz "$DEV
save-screen sg-dev
key Enter
save-screen sg-dev-no
key Esc
key q"
	check "development key, cancel: exit 0" 0 ''
	assert "development key: asks, naming it" grep -qF "published development key" "$SCR/sg-dev.txt"
	assert "development key: Cancel by default, nothing written" test ! -e dev.bin
	wiz "$DEV
key Left
key Enter
wait-idle
save-screen sg-dev-yes
key Esc
key Esc
key q"
	check "development key, sign anyway: exit 0" 0 ''
	assert "sign anyway: written" test -s dev.bin
	rm -f dev.bin
	wiz "$DEV
save-screen sg-dev-prod
key Enter
key Esc
key q" --production
	check "production mode: exit 0" 0 ''
	assert "production mode refuses the development key" test "$(dialog_text sg-dev-prod)" = \
		"mcuprov: wizard: 'dev.pem': refusing MCUboot's published development key root-ed25519.pem in production mode"
	assert "production mode: nothing written" test ! -e dev.bin
else
	ok "# SKIP development key: vectors not found"
fi

# ---- encryption: Encrypt for (the file browser), the AES key length ---------
mkdir -p encw
cp app.bin k.pem encw/
cd encw || exit 1
"$M" keygen -k ../x.pem -t x25519 >/dev/null 2>&1
"$M" getpub -k ../x.pem -e pem >x.pub.pem
# the form up to the Security counter, then Tab: Encrypt for
ENCFORM="$SIGN
type app.bin
key Tab
key C-u
type enc.bin
key Tab
type k.pem
key Tab
key C-u
type 1.2.3
key Tab
type 0x200
key Tab
type 0x10000
key Tab
key Tab
key Tab"
wiz "$ENCFORM
save-screen sg-enc-field
key C-o
save-screen sg-enc-pick
key x
key Enter
key Tab
save-screen sg-enc-form
key End
key Enter
wait-idle
save-screen sg-enc-done
key Esc
key Esc
key q"
check "encrypt for x25519: exit 0" 0 ''
assert "Encrypt for: the field's note" grep -qxF \
	"  the device's public key: x25519, ecdsa-p256, rsa-2048; empty: plain" "$SCR/sg-enc-field.txt"
assert "Ctrl-O: the browser for the encryption key" grep -qF \
	"Choose the device's public encryption key" "$SCR/sg-enc-pick.txt"
assert "the browser lists the key files, not the app" eval \
	"grep -q ' k\.pem ' '$SCR/sg-enc-pick.txt' && grep -q ' x\.pub\.pem ' '$SCR/sg-enc-pick.txt' && ! grep -q ' app\.bin ' '$SCR/sg-enc-pick.txt'"
screen_is "the chosen key in Encrypt for, AES key length 128" sg-enc-form
screen_is "encrypted: the result" sg-enc-done
assert "the result: AES-128 for the x25519 key, ENCX25519" grep -qxF \
	"  encrypted   AES-128 for x25519 'x.pub.pem' (ENCX25519)" "$SCR/sg-enc-done.txt"
CMD=$(shown_cmd sg-enc-done)
assert "encrypted: the shown command" test "$CMD" = \
	"mcuprov sign -k k.pem -E x.pub.pem --version 1.2.3 -H 0x200 --pad-header -S 0x10000 app.bin enc.bin"
run "$M" verify -k k.pem --enc-key ../x.pem enc.bin
check "verify --enc-key accepts the wizard's image" 0 ''
assert "verify --enc-key: correctly validated" grep -qxF "Image was correctly validated" "$T_TMP/out"
run "$M" verify -k k.pem enc.bin
check "without the private key the hash does not check (the payload is encrypted)" 1 '*'
run "$M" dumpinfo enc.bin
assert "dumpinfo: the ENCX25519 TLV" grep -qxF "        type: ENCX25519 (0x33)" "$T_TMP/out"
assert "dumpinfo: the ENCRYPTED_AES128 flag" grep -qxF \
	"flags:              ENCRYPTED_AES128 (0x4)" "$T_TMP/out"
DIGEST=$("$M" dumpinfo -f json enc.bin | sed -n 's/.*"data": "\([0-9a-f]\{64\}\)".*/\1/p' | head -n 1)
assert "the result shows the image hash (of the plain image)" grep -qxF "  SHA256      $DIGEST" \
	"$SCR/sg-enc-done.txt"
mv enc.bin wiz-enc.bin
# shellcheck disable=SC2086 # the words of the shown command
run "$M" ${CMD#mcuprov }
check "the shown command runs" 0 ''
"$M" decrypt -k ../x.pem wiz-enc.bin wiz-dec.bin >/dev/null 2>&1
"$M" decrypt -k ../x.pem enc.bin cli-dec.bin >/dev/null 2>&1
SZ=$(stat -c %s cli-dec.bin)
assert "decrypted, the wizard's image is the CLI's but for the random key (ENCX25519 value, 80 bytes)" \
	eval "test $SZ -gt 80 && test \$(stat -c %s wiz-dec.bin) = $SZ && cmp -s -n $((SZ - 80)) wiz-dec.bin cli-dec.bin"

# AES-256: typed into the key length field
wiz "$ENCFORM
type x.pub.pem
key Tab
key C-u
type 256
key End
key Enter
key Left
key Enter
wait-idle
save-screen sg-enc256
key Esc
key Esc
key q"
check "AES-256: exit 0" 0 ''
assert "AES-256: the shown command" test "$(shown_cmd sg-enc256)" = \
	"mcuprov sign -k k.pem -E x.pub.pem --encrypt-keylen 256 --version 1.2.3 -H 0x200 --pad-header -S 0x10000 app.bin enc.bin"
run "$M" verify -k k.pem --enc-key ../x.pem enc.bin
check "AES-256: verify --enc-key accepts it" 0 ''
run "$M" dumpinfo enc.bin
assert "AES-256: the ENCRYPTED_AES256 flag" grep -qxF \
	"flags:              ENCRYPTED_AES256 (0x8)" "$T_TMP/out"

# the checks: a bad key length, a signing key, a missing file (the CLI's words)
cp enc.bin keep-enc.bin
wiz "$ENCFORM
type x.pub.pem
key Tab
key C-u
type 192
key End
key Enter
save-screen sg-enc-badlen
key Enter
key C-u
type 128
key Up
key C-u
type k.pem
key End
key Enter
save-screen sg-enc-ed25519
key Enter
key C-u
type nosuch.pem
key End
key Enter
save-screen sg-enc-missing
key Enter
key Esc
key q"
check "encryption checks: exit 0" 0 ''
assert "bad key length: the CLI's option named" test "$(dialog_text sg-enc-badlen)" = \
	"mcuprov: wizard: invalid --encrypt-keylen '192' (128 or 256)"
run "$M" sign -k k.pem -E k.pem -v 1.2.3 -H 0x200 --pad-header -S 0x10000 app.bin enc.bin
assert "an ed25519 key cannot encrypt: the CLI's message" test "$(dialog_text sg-enc-ed25519)" = \
	"$(sed 's/^mcuprov: sign:/mcuprov: wizard:/' "$T_TMP/err")"
run "$M" sign -k k.pem -E nosuch.pem -v 1.2.3 -H 0x200 --pad-header -S 0x10000 app.bin enc.bin
assert "a missing key file: the CLI's message" test "$(dialog_text sg-enc-missing)" = \
	"$(sed 's/^mcuprov: sign:/mcuprov: wizard:/' "$T_TMP/err")"
assert "refused: nothing written" cmp -s keep-enc.bin enc.bin

# ---- compression ---------------------------------------------------------------
wiz "$SIGN
type app.bin
key Tab
key C-u
type comp.bin
key Tab
type k.pem
key Tab
key C-u
type 1.2.3
key Tab
type 0x200
key Tab
type 0x10000
key Tab
key Tab
key Tab
key Tab
key Tab
type lzma
key End
key Enter
save-screen sg-comp-bad
key Enter
type 2
key End
key Enter
wait-idle
save-screen sg-comp-done
key Esc
key Esc
key q"
check "compression: exit 0" 0 ''
assert "bad compression: the choices" test "$(dialog_text sg-comp-bad)" = \
	"mcuprov: wizard: invalid --compression 'lzma' (lzma2 or lzma2armthumb)"
CMD=$(shown_cmd sg-comp-done)
assert "compression: the shown command" test "$CMD" = \
	"mcuprov sign -k k.pem --compression lzma2 --version 1.2.3 -H 0x200 --pad-header -S 0x10000 app.bin comp.bin"
run "$M" verify -k k.pem comp.bin
check "compression: the image verifies" 0 ''
mv comp.bin wiz-comp.bin
# shellcheck disable=SC2086 # the words of the shown command
run "$M" ${CMD#mcuprov }
check "compression: the shown command runs" 0 '*'
assert "compression: the wizard's image equals the CLI's, byte for byte" cmp -s wiz-comp.bin comp.bin
IMGSZ=$("$M" dumpinfo -f json comp.bin | sed -n 's/^ *"img_size": \([0-9]*\),$/\1/p')
assert "compression: the result gives the payload's sizes (app, img_size)" grep -qxF \
	"  compressed  lzma2: payload $(stat -c %s app.bin) -> $IMGSZ bytes" "$SCR/sg-comp-done.txt"
cd .. || exit 1

# ---- a project: the form starts with its settings ---------------------------
mkdir -p proj/keys proj/build
cp k.pem proj/keys/signing.pem
cp app.bin proj/build/app.bin
cat >proj/mcuprov.yaml <<'EOF'
version: 1
keys:
  - {path: keys/signing.pem, type: ed25519}
image:
  header_size: 0x400
  slot_size: 0x40000
  align: 4
  version: 3.1.4+15
  security_counter: auto
  pad_header: true
  confirm: true
targets:
  board:
    app: build/app.bin
    signed_app: build/app.signed.bin
EOF
cd proj || exit 1
wiz "$SIGN
save-screen sg-project
key End
key Enter
wait-idle
save-screen sg-project-done
key Esc
key Esc
key q"
check "project defaults: exit 0" 0 ''
screen_is "the form shows the project's settings" sg-project
CMD=$(shown_cmd sg-project-done)
assert "project: the shown command has every setting" test "$CMD" = \
	"mcuprov sign -k keys/signing.pem --version 3.1.4+15 -H 0x400 --pad-header -S 0x40000 --align 4 --confirm -s auto build/app.bin build/app.signed.bin"
mv build/app.signed.bin wiz.bin
run "$M" run --dry-run
# the flow's own sign step (`mcuprov run`): the same bytes
run "$M" run
check "mcuprov run signs the target" 0 '*'
assert "the wizard signs as the project's flow does" cmp -s wiz.bin build/app.signed.bin
cd .. || exit 1

# ---- a missing input: said before any password is asked ----------------------
"$M" keygen -k pw.pem -t ed25519 --passout pass:Sign-pw-1 >/dev/null 2>&1
wiz "$SIGN
type nosuch.bin
key Tab
key C-u
type out.bin
key Tab
type pw.pem
key Tab
key Tab
type 0x200
key Tab
type 0x10000
key End
key Enter
save-screen sg-noinput
key Enter
save-screen sg-noinput-closed
key Esc
key q"
check "a missing input: exit 0" 0 ''
run "$M" sign -k pw.pem --passin pass:Sign-pw-1 -v 0.0.0 -H 0x200 -S 0x10000 nosuch.bin out.bin
assert "the input checked first: the CLI's message" test "$(dialog_text sg-noinput)" = \
	"$(sed 's/^mcuprov: sign:/mcuprov: wizard:/' "$T_TMP/err")"
assert "no password asked" test "$(grep -c 'Password' "$SCR/sg-noinput.txt" "$SCR/sg-noinput-closed.txt" |
	cut -d: -f2 | tr -d '\n')" = 00
assert "back on the form" grep -qF '  Image to sign        [nosuch.bin' "$SCR/sg-noinput-closed.txt"
assert "nothing written" test ! -e out.bin

done_testing
