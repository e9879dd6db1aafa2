#!/bin/bash
# The wizard's Keyring screen: the project's keys, their details and public
# keys, and the guided rotation (add a new signing key, retire an old one)
# through the core's rotate_plan / rotate_apply.  Driven by
# MCUPROV_TUI_SCRIPT on a virtual 80x24 screen; saved screens are compared
# with tests/tui/expected/kr-*.txt with fingerprints, key bytes and the
# test directory masked (each checked on its own), then one rotation end
# to end in a real terminal (tmux).
. "${MCUPROV_SRCDIR:-.}/tests/lib.sh"
. "${MCUPROV_SRCDIR:-.}/tests/tui-lib.sh"

TOP=$(pwd -P)
PW='Rotate-Secret7'

# mask: fingerprints (whole and shortened), key bytes (C and PEM), the
# test directory
mask() {
	sed -E -e "s|$TOP|<dir>|g" -e "s|${TOP#/}|<dir>|g" -e 's/[0-9a-f]{64}/<fingerprint>/g' \
		-e 's/[0-9a-f]{16}/<fp16>/g' -e 's/0x[0-9a-f]{2}/0x??/g' \
		-e 's|^  [A-Za-z0-9+/]{40,}=*$|  <base64>|' "$1"
}

# dialog_is DESC NAME TEXT: the dialog of screen NAME says exactly TEXT
dialog_is() {
	local got
	got=$(dialog_text "$2")
	if [ -n "$3" ] && [ "$got" = "$3" ]; then ok "$1"; else not_ok "$1" "shown:    $got" "expected: $3"; fi
}

# same_lines DESC FILE NAME FIRST: the lines of FILE are rows FIRST.. of NAME
same_lines() {
	local n
	n=$(wc -l <"$2")
	if pane "$3" "$4" $(($4 + n - 1)) | cmp -s - <(sed -e 's/ *$//' "$2"); then
		ok "$1"
	else
		not_ok "$1" "$(pane "$3" "$4" $(($4 + n - 1)) | diff "$2" - | head -n 10)"
	fi
}

# bytes FILE: the byte lines of a `getpub -l c` output
bytes() { grep '^    0x' "$1"; }

# holds DESC FILE C: every byte line of the getpub output C is a line of FILE
holds() {
	local l miss=0
	while IFS= read -r l; do
		grep -qxF -- "$l" "$2" || miss=1
	done < <(bytes "$3")
	if [ $miss = 0 ] && [ -n "$(bytes "$3")" ]; then ok "$1"; else not_ok "$1" "$(cat "$2")"; fi
}

# Home's seventh item, Keyring (three up from the first, wrapping)
KR='key Up
key Up
key Up
key Enter'

# ---- without a project ----------------------------------------------------
wiz "$KR
save-screen kr-noproj
key ?
save-screen kr-help
key Enter
key Esc
save-screen kr-noproj-home
key q"
check "no project: exit 0" 0 ''
screen_is "no project: explanation and how to create one" kr-noproj
screen_is "help: the keys and the two rotation steps" kr-help
assert "no project: points to Settings and mcuprov init" \
	grep -qF 'Create one in Settings or with `mcuprov init`.' "$SCR/kr-noproj.txt"
assert "no project: Esc goes back to Home" grep -q '^ mcuprov wizard | Home' "$SCR/kr-noproj-home.txt"

# ---- a project: one ed25519 key, trusted by a one-array keys.c -------------
# keysc_file C...: the inline keys.c trusting the keys of the `getpub -l c`
# outputs C, as the core writes it: root_pub_der, root_pub_der_1, ... (a
# blank line between), each in bootutil_keys[], bootutil_key_cnt their number
keysc_file() {
	local i=0 c s
	printf '#include "bootutil/sign_key.h"\n\n#if defined(MCUBOOT_SIGN_ED25519)\n'
	for c in "$@"; do
		s=$([ $i = 0 ] || echo "_$i")
		[ $i = 0 ] || echo
		printf 'const unsigned char root_pub_der%s[] = {\n' "$s"
		bytes "$c"
		printf '};\nconst unsigned int root_pub_der%s_len = 44;\n' "$s"
		i=$((i + 1))
	done
	printf '#else\n#error "No public key available for given signing algorithm."\n#endif\n\n'
	printf 'const struct bootutil_key bootutil_keys[] = {\n'
	for ((i = 0; i < $#; i++)); do
		s=$([ $i = 0 ] || echo "_$i")
		printf '    {\n        .key = root_pub_der%s,\n        .len = &root_pub_der%s_len,\n    },\n' "$s" "$s"
	done
	printf '};\nconst int bootutil_key_cnt = %d;\n' $#
}
mkdir -p keys
"$M" keygen -k keys/signing.pem -t ed25519 >/dev/null 2>&1
"$M" getpub -k keys/signing.pem >old.c
"$M" getpub -k keys/signing.pem -e pem >old.pem
keysc_file old.c >keys.c
cat >mcuprov.yaml <<'YAML'
# the Keyring's test project
version: 1
keys:
  - path: keys/signing.pem
    type: ed25519
bootloader:
  keys_c: keys.c
image:
  header_size: 0x200
  slot_size: 0x20000
  version: 1.0.0
YAML
cp mcuprov.yaml yaml.orig
cp keys.c keysc.orig
fp=$("$M" fingerprint -k keys/signing.pem 2>/dev/null | cut -d' ' -f2)

wiz "$KR
save-screen kr-list
key Enter
save-screen kr-details
key c
save-screen kr-pub-c
key Esc
key p
save-screen kr-pub-pem
key Esc
save-screen kr-details-again
key Esc
resize 100 30
save-screen kr-resized
resize 80 24
key Esc
key q"
check "list, details, public key: exit 0" 0 ''
screen_is "the list" kr-list
assert "list: the row (signs, type, file, fingerprint)" grep -qE \
	"^  > signs +ed25519 +keys/signing.pem +${fp:0:16}\.\.\.$" "$SCR/kr-list.txt"
assert "list: the fingerprint = mcuprov fingerprint" \
	grep -qxF "  fingerprint  $fp" "$SCR/kr-list.txt"
screen_is "details" kr-details
assert "details: the fingerprint = mcuprov fingerprint" \
	grep -qxF "  fingerprint  $fp" "$SCR/kr-details.txt"
assert "details: the key hash images carry (SHA-256: the fingerprint)" \
	grep -qxF "  key hash     $fp" "$SCR/kr-details.txt"
assert "details: private, not encrypted, mode 0600" test \
	"$(grep -c -e '^  contents     private key, not encrypted$' -e '^  mode         0600$' \
		"$SCR/kr-details.txt")" = 2
screen_is "public key as C" kr-pub-c
same_lines "c: the pane = mcuprov getpub -l c" old.c kr-pub-c 7
screen_is "public key as PEM" kr-pub-pem
same_lines "p: the pane = mcuprov getpub -e pem" old.pem kr-pub-pem 7
assert "Esc on the pane: the details again" cmp -s "$SCR/kr-details.txt" "$SCR/kr-details-again.txt"
last=$(awk 'NF { n = NR } END { print n }' "$SCR/kr-resized.txt")
assert "resize to 100x30: the key line on row 30" test "$last" = 30 -a \
	"$(sed -n 30p "$SCR/kr-resized.txt" | cut -c 1-14)" = ' Enter details'
assert "resize to 100x30: rules 100 wide" test "$(sed -n 2p "$SCR/kr-resized.txt" | wc -m)" = 101

# ---- add a generated key: the diff, then Cancel (the default) ---------------
wiz "$KR
key a
save-screen kr-add
key Enter
save-screen kr-gen-file
key Enter
key Enter
type $PW
key Enter
type $PW
key Enter
key Enter
wait-idle
save-screen kr-gen-result
key Enter
save-screen kr-diff
key PgDn
save-screen kr-diff-page
key PgDn
save-screen kr-diff-page2
key End
save-screen kr-diff-end
key a
save-screen kr-confirm
key Enter
save-screen kr-cancelled
key Esc
save-screen kr-after-cancel
key Esc
key q"
check "add, generated key, cancelled: exit 0" 0 ''
screen_is "add: generate or an existing file, and the rotation explained" kr-add
screen_is "keygen preset: type fixed, first free file name" kr-gen-file
screen_is "keygen preset: the result goes back to the Keyring" kr-gen-result
assert "the new key: mode 0600, opens with the password typed" test \
	"$(stat -c %a keys/signing-2.pem 2>/dev/null)" = 600 -a \
	"$("$M" fingerprint -k keys/signing-2.pem --passin "pass:$PW" 2>/dev/null | cut -d' ' -f1)" = ed25519
"$M" getpub -k keys/signing-2.pem --passin "pass:$PW" >new.c 2>/dev/null
assert "the key just generated is not asked for again: the diff comes next" \
	grep -qF "Add 'keys/signing-2.pem' as the signing key: the changes" "$SCR/kr-diff.txt"
screen_is "the diff: mcuprov.yaml, then keys.c" kr-diff
screen_is "the diff, PgDn: a page on (less one line)" kr-diff-page
screen_is "the diff, End: its last lines" kr-diff-end
assert "diff: mcuprov.yaml gets the new key first" test "$(pane kr-diff 7 13 | tr '\n' '|')" = \
	"=== mcuprov.yaml: the project's keys ===|--- a/mcuprov.yaml|+++ b/mcuprov.yaml|@@ -1,7 +1,9 @@| # the Keyring's test project| version: 1| keys:|"
assert "diff: the added lines" test "$(grep -c -e '^  +  - path: keys/signing-2.pem$' \
	-e '^  +    type: ed25519$' "$SCR/kr-diff.txt")" = 2
# the four screens cover the 54 lines: the new key's bytes are added lines
# (but the first, the ed25519 DER prefix both keys share), the old key's
# stay (as context: the new first array and the head of root_pub_der_1 go
# in front of them)
{ pane kr-diff 7 21; pane kr-diff-page 7 21; pane kr-diff-page2 7 21; pane kr-diff-end 7 21; } >shown.diff
miss=0
while IFS= read -r l; do grep -qxF -- "+$l" shown.diff || miss="$miss new:$l"; done < <(bytes new.c | tail -n +2)
while IFS= read -r l; do grep -qxF -e "+$l" -e " $l" shown.diff || miss="$miss old:$l"; done < <(bytes old.c)
assert "diff: keys.c gets the bytes of both keys" test "$miss" = 0
assert "diff: 54 lines in all" grep -q '^  Lines 40-54 of 54;' "$SCR/kr-diff-end.txt"
assert "diff: the old key kept as its public half" test "$(grep -c -e '^  -  - path: keys/signing.pem$' \
	-e '^  +  - path: keys/signing.pub.pem$' "$SCR/kr-diff.txt")" = 2
screen_is "apply asks; Cancel is the default" kr-confirm
assert "Cancel: back on the diff, the dialog gone" test \
	"$(grep -c 'Apply the rotation' "$SCR/kr-cancelled.txt")" = 0 -a \
	"$(sed -n 4p "$SCR/kr-cancelled.txt")" = "$(sed -n 4p "$SCR/kr-diff-end.txt")"
assert "Esc on the diff: the list" grep -q '^  > signs ' "$SCR/kr-after-cancel.txt"
assert "cancelled: mcuprov.yaml unchanged" cmp -s mcuprov.yaml yaml.orig
assert "cancelled: keys.c unchanged" cmp -s keys.c keysc.orig
assert "cancelled: no backups" test ! -e mcuprov.yaml.bak -a ! -e keys.c.bak
assert "the password is on no screen" test "$(grep -rlF -- "$PW" "$SCR" | wc -l)" = 0

# ---- the same key as an existing file: applied ------------------------------
wiz "$KR
key a
key Down
key Enter
save-screen kr-file
type keys/signing-2.pem
key Enter
type $PW
key Enter
key a
key y
save-screen kr-result
key Enter
save-screen kr-list2
key r
save-screen kr-refuse-signing
key Enter
key Esc
key q"
check "add an existing key file, apply: exit 0" 0 ''
screen_is "add: the key file field" kr-file
screen_is "the result: what changed, backups, next steps" kr-result
cat >want.yaml <<'YAML'
# the Keyring's test project
version: 1
keys:
  - path: keys/signing-2.pem
    type: ed25519
  - path: keys/signing.pub.pem
    type: ed25519
bootloader:
  keys_c: keys.c
image:
  header_size: 0x200
  slot_size: 0x20000
  version: 1.0.0
YAML
assert "mcuprov.yaml lists the new key first, the old as its public half, the rest as it was" \
	cmp -s mcuprov.yaml want.yaml
assert "the old key's public half: its getpub -e pem" cmp -s keys/signing.pub.pem old.pem
holds "keys.c holds the new key" keys.c new.c
holds "keys.c holds the old key" keys.c old.c
assert "keys.c: the new key in the first array" test \
	"$(sed -n '/^const unsigned char root_pub_der\[\]/,/^};/p' keys.c | grep '^    0x')" = "$(bytes new.c)"
assert "keys.c: exactly the one-array file with root_pub_der_1 (the old key) and its entry added" \
	cmp -s keys.c <(keysc_file new.c old.c)
assert "backup: mcuprov.yaml.bak is the old project file" cmp -s mcuprov.yaml.bak yaml.orig
assert "backup: keys.c.bak is the old keys.c" cmp -s keys.c.bak keysc.orig
screen_is "the list after the rotation" kr-list2
assert "list: the new key signs, unlocked (its password was typed)" grep -qE \
	'^  > signs +ed25519 +keys/signing-2.pem +[0-9a-f]{16}\.\.\.$' "$SCR/kr-list2.txt"
assert "list: the old key is trusted, as its public half" grep -qE "^    trusted +ed25519 +keys/signing.pub.pem +${fp:0:16}" \
	"$SCR/kr-list2.txt"
dialog_is "r on the signing key: the core's refusal, naming the key to press" kr-refuse-signing \
	"mcuprov: wizard: 'keys/signing-2.pem': is the signing key: add its successor first (press a)"
assert "refused: files unchanged" cmp -s mcuprov.yaml want.yaml
cp keys.c keysc.two

# ---- retire the old key: keys.c back to one array ---------------------------
rm -f mcuprov.yaml.bak keys.c.bak
wiz "$KR
key Down
key r
save-screen kr-kc-retire-pw
type $PW
key Enter
save-screen kr-kc-retire-diff
key End
save-screen kr-kc-retire-diff-end
key a
key y
save-screen kr-kc-retire-result
key Enter
save-screen kr-kc-list-one
key Esc
key q"
check "keys.c project, retire the old key: exit 0" 0 ''
screen_is "retire: the signing key's password asked" kr-kc-retire-pw
screen_is "retire: the diff, mcuprov.yaml first" kr-kc-retire-diff
screen_is "retire: the diff's end, keys.c loses root_pub_der_1 and its entry" kr-kc-retire-diff-end
screen_is "retire: the result" kr-kc-retire-result
assert "retire: mcuprov.yaml lists the new key only" \
	cmp -s mcuprov.yaml <(sed 's|keys/signing.pem|keys/signing-2.pem|' yaml.orig)
assert "retire: keys.c is the original but for the key bytes (the new key's)" cmp -s keys.c <(keysc_file new.c)
assert "retire: every line of keys.c but the key bytes is the original's" \
	cmp -s <(grep -v '^    0x' keys.c) <(grep -v '^    0x' keysc.orig)
assert "retire: the backups are the two-key files" sh -c 'cmp -s keys.c.bak keysc.two && cmp -s mcuprov.yaml.bak want.yaml'
assert "retire: the list shows one key" test "$(grep -cE '^  . (signs|trusted) ' "$SCR/kr-kc-list-one.txt")" = 1
assert "retire: the password is on no screen" test "$(grep -rlF -- "$PW" "$SCR" | wc -l)" = 0

# ---- a Kconfig fragment project: add, then retire back to one key ------------
mkdir -p c/keys && cd c || exit 1
"$M" keygen -k keys/signing.pem -t ed25519 >/dev/null 2>&1
"$M" keygen -k keys/next.pem -t ed25519 >/dev/null 2>&1
printf 'CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y\n' >mcuboot.conf
sed 's/keys_c: keys.c/conf: mcuboot.conf/' ../yaml.orig >mcuprov.yaml
cp mcuprov.yaml yaml.orig
"$M" keygen -k p256.pem -t ecdsa-p256 >/dev/null 2>&1
# the file browser (Enter on the empty field), then refusals of typed files
wiz "$KR
key a
key Down
key Enter
key Enter
save-screen kr-browse
key Down
key Enter
key Down
key Enter
save-screen kr-picked
key Esc
key a
key Down
key Enter
key C-u
type nothing.pem
key Enter
save-screen kr-nofile
key Enter
key C-u
type p256.pem
key Enter
save-screen kr-wrongtype
key Enter
save-screen kr-after-refusal
key Esc
key Esc
key Esc
key q"
check "conf project: browse, refusals: exit 0" 0 ''
assert "Enter on an empty path: the file browser, key files only" \
	grep -qF 'files: *.pem *.der *.key' "$SCR/kr-browse.txt"
assert "a file chosen in the browser: its rotation's diff" \
	grep -qxF "  Add 'keys/next.pem' as the signing key: the changes" "$SCR/kr-picked.txt"
run "$M" fingerprint -k nothing.pem
dialog_is "a missing key file: the CLI's message" kr-nofile \
	"$(sed 's/^mcuprov: fingerprint:/mcuprov: wizard:/' "$T_TMP/err")"
dialog_is "a key of another type: the core's refusal" kr-wrongtype \
	"mcuprov: wizard: 'p256.pem': is ecdsa-p256 but the project's keys are ed25519: one bootloader verifies one signature type"
assert "after a refusal: back on the path field" grep -q '^  \[p256.pem ' "$SCR/kr-after-refusal.txt"
assert "refused: nothing written" cmp -s mcuprov.yaml yaml.orig

wiz "$KR
key a
key Down
key Enter
type keys/next.pem
key Enter
key a
key y
key Enter
key Down
key Enter
save-screen kr-trusted
key r
save-screen kr-retire-diff
key a
save-screen kr-retire-confirm
key y
save-screen kr-retire-result
key Enter
save-screen kr-list-one
key r
save-screen kr-refuse-only
key Enter
key Esc
key q"
check "conf project: add, retire: exit 0" 0 ''
screen_is "details of a trusted key" kr-trusted
assert "retire: the diff removes the old key from mcuprov.yaml" test "$(grep -c \
	-e '^  -  - path: keys/signing.pub.pem$' -e '^  -    type: ed25519$' "$SCR/kr-retire-diff.txt")" = 2
assert "retire: then the Kconfig fragment's diff" grep -qxF \
	'  === mcuboot.conf: the keys the bootloader trusts ===' "$SCR/kr-retire-diff.txt"
assert "retire: apply asks, Cancel is the default" grep -qF '[ Apply ]   [ Cancel ]' \
	"$SCR/kr-retire-confirm.txt"
screen_is "retire: the result" kr-retire-result
assert "back to one key: mcuprov.yaml" cmp -s mcuprov.yaml <(sed 's|keys/signing.pem|keys/next.pem|' yaml.orig)
assert "back to one key: the fragment names only the new key" test \
	"$(grep -c '^CONFIG_BOOT_SIGNATURE_KEY_FILE=' mcuboot.conf)" = 1 -a \
	"$(grep '^CONFIG_BOOT_SIGNATURE_KEY_FILE=' mcuboot.conf)" = \
	"CONFIG_BOOT_SIGNATURE_KEY_FILE=\"$TOP/c/keys/next.pub.pem\""
assert "the public key file = mcuprov getpub -e pem" cmp -s keys/next.pub.pem \
	<("$M" getpub -k keys/next.pem -e pem)
assert "mcuprov.yaml.bak: the two-key file of the step before" \
	grep -qxF '  - path: keys/signing.pem' mcuprov.yaml.bak
assert "the list: one key" test "$(grep -cE '^  . (signs|trusted) ' "$SCR/kr-list-one.txt")" = 1
dialog_is "r on the only key: the core's refusal, naming the key to press" kr-refuse-only \
	"mcuprov: wizard: 'keys/next.pem': is the project's only key: add its successor first (press a)"
cd "$TOP" || exit 1

# ---- an encrypted project key -------------------------------------------------
ENC=$V/keys-enc/root-ed25519-pw.pem
if [ -f "$ENC" ]; then
	mkdir -p e/keys && cd e || exit 1
	cp "$ENC" keys/signing.pem
	chmod 600 keys/signing.pem
	"$M" keygen -k keys/next.pem -t ed25519 >/dev/null 2>&1
	printf 'CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y\n' >mcuboot.conf
	cp ../c/yaml.orig mcuprov.yaml
	efp=$("$M" fingerprint -k keys/signing.pem --passin pass:mcuprov-test 2>/dev/null | cut -d' ' -f2)
	wiz "$KR
save-screen kr-locked
key u
save-screen kr-unlock
type wrong
key Enter
save-screen kr-unlock-wrong
key Enter
type mcuprov-test
key Enter
save-screen kr-unlocked
key Esc
key q"
	check "encrypted key: exit 0" 0 ''
	screen_is "an encrypted key: (locked)" kr-locked
	screen_is "u: the password prompt" kr-unlock
	run "$M" fingerprint -k keys/signing.pem --passin pass:wrong
	dialog_is "a wrong password: the CLI's message" kr-unlock-wrong \
		"$(sed 's/^mcuprov: fingerprint:/mcuprov: wizard:/' "$T_TMP/err" | head -n 1)"
	screen_is "unlocked: fingerprint and the dev-key warning" kr-unlocked
	assert "unlocked: the fingerprint = mcuprov fingerprint" \
		grep -qxF "  fingerprint  $efp" "$SCR/kr-unlocked.txt"
	assert "the password is on no screen" test "$(grep -rlF mcuprov-test "$SCR" | wc -l)" = 0

	# a rotation with the key still locked: the keyset asks for it
	wiz "$KR
key a
key Down
key Enter
type keys/next.pem
key Enter
save-screen kr-plan-pw
type mcuprov-test
key Enter
save-screen kr-plan-diff
key Esc
key Esc
key q"
	check "encrypted key, rotation: exit 0" 0 ''
	screen_is "the plan's locked key: its password asked" kr-plan-pw
	assert "after the password: the diff" grep -qxF '  +  - path: keys/next.pem' "$SCR/kr-plan-diff.txt"
	assert "nothing written" cmp -s mcuprov.yaml ../c/yaml.orig
	cd "$TOP" || exit 1
else
	ok "# SKIP encrypted key: vectors not found"
fi

# ---- one rotation in a real terminal ------------------------------------------
if command -v tmux >/dev/null 2>&1; then
	mkdir -p t/keys && cd t || exit 1
	"$M" keygen -k keys/signing.pem -t ed25519 >/dev/null 2>&1
	printf 'CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y\n' >mcuboot.conf
	cp ../c/yaml.orig mcuprov.yaml
	SESS=kr
	trap tmux_cleanup EXIT
	if tm -f /dev/null new-session -d -s "$SESS" -x 80 -y 24 \
		"env -i PATH=\"$PATH\" HOME=\"$T_TMP\" TERM=xterm-256color LANG=C.UTF-8 PS1='\$ ' bash --norc --noprofile" &&
		wait_for "tmux: shell prompt" '$'; then
		lit "cd '$TOP/t' && '$M' wizard"
		keys Enter
		wait_for "tmux: Home" 'Inspect image' &&
			keys Up Up Up Enter &&
			wait_for "tmux: the Keyring lists the key" 'keys/signing.pem' &&
			keys a &&
			wait_for "tmux: add: generate or a file" 'Use an existing key file' &&
			keys Enter &&
			wait_for "tmux: keygen preset for the rotation" 'fixed: the bootloader verifies one' &&
			keys Enter &&
			wait_for "tmux: keygen password choice" 'Protect the key with a password' &&
			keys Enter && lit "$PW" && keys Enter &&
			wait_for "tmux: keygen password again" 'The same password again:' &&
			lit "$PW" && keys Enter &&
			wait_for "tmux: keygen summary" 'Generate this key?' &&
			keys Enter &&
			wait_for "tmux: key created" 'Back to Keyring: continue the rotation' &&
			keys Enter &&
			wait_for "tmux: the diff, the new key not asked for again" '+  - path: keys/signing-2.pem' &&
			keys a &&
			wait_for "tmux: apply asks" 'Apply the rotation' &&
			keys y &&
			wait_for "tmux: the result" 'Rotation step 1 done' &&
			assert "tmux: next steps shown" grep -qF 'rebuild and flash the bootloader (Build & flash)' \
				"$T_TMP/pane" &&
			assert "tmux: the password is not on screen" test "$(grep -cF -- "$PW" "$T_TMP/pane")" = 0 &&
			assert "tmux: mcuprov.yaml lists the new key first" test \
				"$(grep -m 1 'path:' mcuprov.yaml)" = '  - path: keys/signing-2.pem' &&
			keys Enter &&
			wait_for "tmux: back to the list" 'trusted    ed25519     keys/signing.pub.pem' &&
			keys Escape &&
			wait_for "tmux: Home" 'Inspect image' &&
			keys q
	else
		ok "# SKIP tmux: cannot start a session here"
	fi
	cd "$TOP" || exit 1
else
	ok "# SKIP tmux not installed"
fi

done_testing
