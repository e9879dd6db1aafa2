#!/bin/bash
# The wizard's Provision bootloader screen (Inspect image: tui-inspect.sh),
# driven by MCUPROV_TUI_SCRIPT on a virtual 80x24 screen.  Saved screens are
# compared with tests/tui/expected/NAME.txt, the bytes of the new key in a diff
# masked as 0x?? (and checked on their own: the diff shown is the one of
# `mcuprov patch --dry-run`, and the patched keys.c compiles to the key).
. "${MCUPROV_SRCDIR:-.}/tests/lib.sh"
. "${MCUPROV_SRCDIR:-.}/tests/tui-lib.sh"
. "${MCUPROV_SRCDIR:-.}/tests/keysc-lib.sh"

F=$KEYSC_FIXTURES

# mask: fingerprints, and the key bytes on the added lines of a diff
mask() { sed -E -e 's/[0-9a-f]{64}/<fingerprint>/g' -e '/^  \+ /s/0x[0-9a-f]{2}/0x??/g' "$1"; }

"$M" keygen -k p256.pem -t ecdsa-p256 >/dev/null 2>&1
"$M" getpub -k p256.pem -e raw >p256.der

# the form, then the diff: Home's third item
PROV='key Down
key Down
key Enter'
mkdir r && cp "$F/inline-rsa-ec.c" r/keys.c
mkdir cli && cp "$F/inline-rsa-ec.c" cli/keys.c
"$M" patch --keys-c cli/keys.c -k p256.pem --dry-run | sed 's,cli/keys.c,r/keys.c,g' >cli.out
wiz "$PROV
save-screen pv-form
type r/keys.c
key Tab
key C-u
type p256.pem
key Enter
save-screen pv-diff
key PgDn
save-screen pv-diff-end
key Enter
save-screen pv-confirm
key Enter
save-screen pv-cancelled
key a
key y
save-screen pv-result
key Enter
save-screen pv-home
key Enter
type r/keys.c
key Tab
key C-u
type p256.pem
key Enter
save-screen pv-again
key Esc
key Esc
key q"
check "provision: exit 0" 0 ''
screen_is "provision: the form (key defaults to keys/signing.pem)" pv-form
screen_is "provision: shape line and diff" pv-diff
screen_is "provision: diff scrolled to its end" pv-diff-end
# the pane holds the CLI's diff: lines 1-14, then (PgDn) 8-21
head -n 1 cli.out >want.shape
pane pv-diff 4 4 >got.shape
assert "shape line = mcuprov patch's" cmp -s want.shape got.shape
# the configuration assumed, as patch prints it (clipped to the screen)
grep '^assuming ' cli.out | cut -c 1-76 | sed -e 's/ *$//' >want.assumed
pane pv-diff 5 5 >got.assumed
assert "the 'assuming' line = mcuprov patch's" sh -c 'test -s want.assumed && cmp -s want.assumed got.assumed'
sed -n '2,$p' cli.out | grep -v -e '^dry run:' -e '^assuming ' | expand | sed -e 's/ *$//' | cut -c 1-76 >want.diff
{ pane pv-diff 8 21; pane pv-diff-end 8 21 | tail -n +8; } >got.diff
if cmp -s want.diff got.diff; then
	ok "the diff shown = mcuprov patch --dry-run's (key bytes included)"
else
	not_ok "the diff shown = mcuprov patch --dry-run's" "$(diff want.diff got.diff | head -n 20)"
fi
screen_is "provision: Apply asks, Cancel is the default" pv-confirm
assert "Cancel: back on the diff" grep -q '^  Change (lines 8-21 of 21); a: apply it' "$SCR/pv-cancelled.txt"
assert "Cancel: the dialog is gone" test "$(grep -c 'Apply the change' "$SCR/pv-cancelled.txt")" = 0
screen_is "provision: result" pv-result
assert "result: the CLI's line" grep -qxF "  patched 'r/keys.c' (the old one is 'r/keys.c.bak')" "$SCR/pv-result.txt"
assert "Enter on the result: Home" grep -q '^ mcuprov wizard | Home' "$SCR/pv-home.txt"
assert "the backup is the original file" cmp -s r/keys.c.bak "$F/inline-rsa-ec.c"
if command -v gcc >/dev/null 2>&1 && command -v readelf >/dev/null 2>&1 &&
	command -v objcopy >/dev/null 2>&1; then
	if keysc_compile "$KEYSC_CC_HOST" -DMCUBOOT_SIGN_EC256 -- r/keys.c r/keys.o &&
		keysc_check_key r/keys.o root_pub_der p256.der; then
		ok "the patched keys.c compiles to the new key"
	else
		not_ok "the patched keys.c compiles to the new key" "$KEYSC_ERR"
	fi
else
	ok "# SKIP compile the patched keys.c: gcc, readelf or objcopy missing"
fi
screen_is "provision again: nothing to change" pv-again
assert "again: nothing rewritten (the backup is still the original)" \
	cmp -s r/keys.c.bak "$F/inline-rsa-ec.c"
"$M" patch --keys-c cli/keys.c -k p256.pem >/dev/null
assert "the wizard's result = mcuprov patch's" cmp -s r/keys.c cli/keys.c

# refusals: the CLI's exact line
mkdir b && cp "$F/inline-badlen.c" b/keys.c
wiz "$PROV
type b/keys.c
key Tab
key C-u
type p256.pem
key Enter
save-screen pv-badlen
key Enter
save-screen pv-badlen-closed
key Esc
key q"
check "refusal: exit 0" 0 ''
run "$M" patch --keys-c b/keys.c -k p256.pem --dry-run
want=$(sed 's/^mcuprov: patch:/mcuprov: wizard:/' "$T_TMP/err")
got=$(dialog_text pv-badlen)
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	ok "length mismatch: the CLI's message"
else
	not_ok "length mismatch: the CLI's message" "shown: $got" "cli:   $want"
fi
assert "after the refusal: back on the form" grep -q '^  \[b/keys.c' "$SCR/pv-badlen-closed.txt"
assert "refused: the file is unchanged" cmp -s b/keys.c "$F/inline-badlen.c"

if [ -f "$V/keys/root-ec-p256.pem" ]; then
	cp "$V/keys/root-ec-p256.pem" dev.pem
	wiz "$PROV
type r/keys.c
key Tab
key C-u
type dev.pem
key Enter
save-screen pv-dev
key Enter
key Tab
key Space
save-screen pv-dev-allow
key Enter
save-screen pv-dev-diff
key Esc
key Esc
key q"
	check "dev key: exit 0" 0 ''
	run "$M" patch --keys-c r/keys.c -k dev.pem --dry-run
	assert "dev key refused with the CLI's message" test "$(dialog_text pv-dev)" = \
		"$(tail -n 1 "$T_TMP/err" | sed 's/^mcuprov: patch:/mcuprov: wizard:/')"
	assert "the checkbox ticks" grep -qF '[x] Allow a published development key' "$SCR/pv-dev-allow.txt"
	assert "allowed: the diff is shown" grep -qF "'r/keys.c': inline key arrays" "$SCR/pv-dev-diff.txt"
else
	ok "# SKIP dev-key refusal: vectors not found"
fi

# an encrypted key: the password is asked, never shown
mkdir e && cp "$F/inline-rsa-ec.c" e/keys.c
"$M" keygen -k enc.pem -t ecdsa-p256 --passout pass:Secret-42 >/dev/null 2>&1
wiz "$PROV
type e/keys.c
key Tab
key C-u
type enc.pem
key Enter
save-screen pv-pw
type Secret-42
key Enter
save-screen pv-pw-diff
key a
key y
key Enter
key q"
check "encrypted key: exit 0" 0 ''
assert "the password is asked" grep -q '^  The key is encrypted. Password:' "$SCR/pv-pw.txt"
assert "the password is on no screen" test "$(grep -rlF Secret-42 "$SCR" | wc -l)" = 0
assert "after the password: the diff" grep -q "^  'e/keys.c': inline key arrays" "$SCR/pv-pw-diff.txt"
assert "applied with the encrypted key" test -f e/keys.c.bak

# ---- a keys.c that does not exist: rendered from a template, as render does --
mkdir -p n/keys
"$M" keygen -k n/keys/signing.pem -t ecdsa-p256 >/dev/null 2>&1
"$M" keygen -k n/other.pem -t ecdsa-p256 >/dev/null 2>&1
printf 'version: 1\nkeys:\n  - {path: keys/signing.pem, type: ecdsa-p256}\nbootloader: {keys_c: boot/keys.c}\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}\n' >n/mcuprov.yaml
cd n || exit 1
"$M" render -t inline-single -k keys/signing.pem >../want-render.c 2>/dev/null
wiz "$PROV
save-screen pv-new-form
key Enter
save-screen pv-new-ask
key Enter
save-screen pv-new-diff
key a
save-screen pv-new-confirm
key Enter
save-screen pv-new-result
key Enter
key Enter
key Enter
save-screen pv-new-again
key Esc
key Esc
key q"
check "a new keys.c: exit 0" 0 ''
assert "the project's file and key" sh -c "grep -qF '  [boot/keys.c' '$SCR/pv-new-form.txt' &&
	grep -qF '  [keys/signing.pem' '$SCR/pv-new-form.txt'"
assert "missing: offered from the template, Render the default" test "$(dialog_text pv-new-ask)" = \
	"'boot/keys.c' does not exist. Write it from the template inline-single for this key (as \`mcuprov render -t inline-single -k KEY -o FILE\`)? The new file is shown first."
assert "Render is the default" grep -qF '[ Render ]   [ Cancel ]' "$SCR/pv-new-ask.txt"
assert "the new file shown first" grep -qxF "  'boot/keys.c': a new file from the template inline-single" "$SCR/pv-new-diff.txt"
assert "its diff: from nothing" grep -qxF '  +++ b/boot/keys.c' "$SCR/pv-new-diff.txt"
assert "create asks, Create the default" test "$(dialog_text pv-new-confirm)" = "Create 'boot/keys.c' as shown?"
assert "the result" grep -qxF "  created 'boot/keys.c' (from the template inline-single)" "$SCR/pv-new-result.txt"
assert "the file: \`mcuprov render -t inline-single -k KEY\`'s" cmp -s boot/keys.c ../want-render.c
assert "then: it already trusts the key" grep -qF "'boot/keys.c' already trusts these keys: nothing to change" \
	"$SCR/pv-new-again.txt"

# a key that is not the project's: provisioned, with a warning
wiz "$PROV
key Tab
key C-u
type other.pem
key Enter
key a
save-screen pv-other-confirm
key y
save-screen pv-other-result
key Enter
key q"
check "a key not in mcuprov.yaml: exit 0" 0 ''
assert "the confirmation warns" test "$(dialog_text pv-other-confirm)" = \
	"Replace 'boot/keys.c' with the version shown? The old one is kept as 'boot/keys.c.bak'. warning: 'other.pem' is not one of mcuprov.yaml's keys: the next build provisions the project's keys again"
assert "the result warns" grep -qF "warning: 'other.pem' is not one of mcuprov.yaml's keys: the next build" \
	"$SCR/pv-other-result.txt"
cd "$T_TMP" || exit 1

done_testing
