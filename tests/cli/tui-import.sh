#!/bin/bash
# The wizard's Import key screen and the file browser behind path fields
# (src/tui/filepick.c), driven by MCUPROV_TUI_SCRIPT on a virtual 80x24
# screen: a prepared directory with fixed names, sizes and modes; the
# filter (Tab), dotfiles ('.'), entering a directory and "..", letter
# jumps, choosing a key (loaded at once), an encrypted key, an unreadable
# directory, Esc, and p for Provision.  Saved screens are compared with
# tests/tui/expected/NAME.txt, with 64-hex fingerprints masked as
# <fingerprint> (checked against `mcuprov fingerprint`) and the test's
# temporary directory as <tmp>.
. "${MCUPROV_SRCDIR:-.}/tests/lib.sh"
. "${MCUPROV_SRCDIR:-.}/tests/tui-lib.sh"
need_vectors

TMP_REAL=$(cd "$T_TMP" && pwd -P)

mask() {
	sed -E -e 's/[0-9a-f]{64}/<fingerprint>/g' -e "s|$TMP_REAL|<tmp>|g" "$1"
}

# has DESC NAME TEXT: screen NAME holds the line TEXT exactly
has() {
	if grep -qxF -- "$3" "$SCR/$2.txt" 2>/dev/null; then
		ok "$1"
	else
		not_ok "$1" "no line: $3" "$(cat "$SCR/$2.txt" 2>/dev/null)"
	fi
}

# row MARK NAME SIZE: a browser row at 80 columns ("  > name   size")
row() {
	printf '  %s %-52s %10s' "$1" "$2" "$3" | sed 's/ *$//'
}

# shown_fp NAME: the fingerprint on Import's result screen NAME
shown_fp() {
	sed -n 's/^  fingerprint  \([0-9a-f]\{64\}\)$/\1/p' "$SCR/$1.txt"
}

# ---- the prepared directory ----------------------------------------------
#   w/              the wizard's working directory
#     keys/         signing.pem (ours, 0600), dev.pem (a published dev key,
#                   0644), enc-pw.pem (encrypted, 0600), pub.pub (0644),
#                   BIG.KEY (2 MiB, 0600), notes.txt, .hidden.pem, sub/
#     locked/       mode 000
#     x25519.pem, README.md, a long name
mkdir -p w/keys/sub w/locked
"$M" keygen -k w/keys/signing.pem -t ed25519 >/dev/null 2>&1
cp "$V/keys/root-ec-p256.pem" w/keys/dev.pem
cp "$V/keys-enc/root-ed25519-pw.pem" w/keys/enc-pw.pem
cp "$V/keys/root-ed25519-2-pub.pem" w/keys/pub.pub
truncate -s 2097152 w/keys/BIG.KEY
head -c 5000 /dev/zero >w/keys/notes.txt
printf 'x\n' >w/keys/.hidden.pem
head -c 300 /dev/zero >w/keys/sub/notes.md
cp "$V/keys/enc-x25519-priv.pem" w/x25519.pem
head -c 1234 /dev/zero >w/README.md
LONG=a-key-file-with-a-name-far-too-long-for-one-row-of-the-browser-so-it-is-clipped.pem
head -c 100 /dev/zero >"w/$LONG"
chmod 600 w/keys/signing.pem w/keys/enc-pw.pem w/keys/BIG.KEY w/keys/.hidden.pem w/x25519.pem \
	"w/$LONG"
chmod 644 w/keys/dev.pem w/keys/pub.pub w/keys/notes.txt w/keys/sub/notes.md w/README.md
assert "the prepared key is there" test -s w/keys/signing.pem
cd w || exit 1

# ---- the browser: listing, filter, dotfiles, directories, jumps ----------
wiz 'key Down
key Enter
save-screen import-path
key Enter
save-screen fp-top
key Tab
save-screen fp-top-all
key Tab
key k
key Enter
save-screen fp-keys
key Tab
save-screen fp-keys-all
key .
save-screen fp-keys-dot
key .
key Tab
key s
save-screen fp-jump-s1
key s
save-screen fp-jump-s2
key S
save-screen fp-jump-s3
key Home
key Down
key Enter
save-screen fp-sub
key Home
key Enter
save-screen fp-up-dotdot
key Backspace
save-screen fp-up-bksp
key Right
key Left
save-screen fp-up-left
key F1
save-screen fp-help
key Esc
key Esc
save-screen import-after-esc
key Esc
key q'
check "browser: exit 0" 0 ''
screen_is "import: the path field says Enter/Ctrl-O/F2 browse" import-path
screen_is "Enter on the empty field opens the browser: dirs first, *.pem filter" fp-top
screen_is "Tab: all files, sizes and the mode mark" fp-top-all
screen_is "keys/: .. first, dirs, then files sorted; filter case-insensitive" fp-keys
screen_is "keys/, Tab: notes.txt too" fp-keys-all
screen_is "keys/, '.': dotfiles" fp-keys-dot
has "s jumps to the next entry starting with s: sub/" fp-jump-s1 '  > sub/'
has "s again: signing.pem" fp-jump-s2 "$(row '>' signing.pem '119 B')"
has "S (any case) wraps around to sub/" fp-jump-s3 '  > sub/'
screen_is "sub/: no matching files, the note" fp-sub
has "..: the parent, the directory we came from selected" fp-up-dotdot '  > sub/'
has "..: back in keys/" fp-up-dotdot "  $TMP_REAL/w/keys"
has "Backspace: the parent, keys/ selected" fp-up-bksp '  > keys/'
has "Backspace: in w/" fp-up-bksp "  $TMP_REAL/w"
has "Right enters, Left goes up again" fp-up-left '  > keys/'
assert "F1: the browser's help" grep -qF 'Help: Import key: choose a key file' "$SCR/fp-help.txt"
assert "Esc closes the browser: the field is still empty" cmp -s "$SCR/import-after-esc.txt" \
	"$SCR/import-path.txt"

# ---- choosing a key loads it; p goes to Provision with it ------------------
wiz 'key Down
key Enter
key C-o
key k
key Enter
key End
save-screen fp-choose
key Enter
save-screen import-browse-show
key p
save-screen import-provision
key Esc
save-screen import-provision-back
key Esc
key q'
check "choose a key: exit 0" 0 ''
has "End: the last entry" fp-choose "$(row '>' signing.pem '119 B')"
screen_is "the chosen key is loaded at once: type, kind, fingerprint, p" import-browse-show
run "$M" fingerprint -k keys/signing.pem
want=$(cut -d' ' -f2 "$T_TMP/out")
got=$(shown_fp import-browse-show)
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	ok "shown fingerprint = mcuprov fingerprint"
else
	not_ok "shown fingerprint = mcuprov fingerprint" "shown: $got" "want: $want"
fi
assert "p: the Provision screen" grep -qF 'mcuprov wizard | Provision bootloader' \
	"$SCR/import-provision.txt"
assert "p: Provision offers the chosen key" grep -qF '  [keys/signing.pem' \
	"$SCR/import-provision.txt"
assert "Esc on Provision: back on the result" cmp -s "$SCR/import-provision-back.txt" \
	"$SCR/import-browse-show.txt"

# ---- an encrypted key chosen in the browser asks for its password -----------
wiz 'key Down
key Enter
key F2
key k
key Enter
key e
key Enter
save-screen import-enc-pw
type mcuprov-test
key Enter
save-screen import-enc-show
key Enter
key q'
check "encrypted key: exit 0" 0 ''
screen_is "F2 opens the browser; the encrypted key asks its password" import-enc-pw
screen_is "encrypted key: password-protected, the dev-key warning" import-enc-show
run "$M" fingerprint --passin pass:mcuprov-test -k keys/enc-pw.pem
check "the encrypted key opens with the password" 0 '*'
got=$(shown_fp import-enc-show)
assert "encrypted key: shown fingerprint = mcuprov fingerprint" \
	test -n "$got" -a "$got" = "$(cut -d' ' -f2 "$T_TMP/out")"
if grep -rqF -- mcuprov-test "$SCR"; then
	not_ok "the password appears on no screen"
else
	ok "the password appears on no screen"
fi

# ---- the browser starts where the field points; Esc leaves it as it was -----
wiz 'key Down
key Enter
type keys/signing.pem
key C-o
save-screen fp-from-field
key Esc
save-screen import-field-kept
key C-u
type keys/nothing-here.pem
key F2
key Down
key Esc
save-screen import-field-kept2
key Esc
key q'
check "start in the field's directory, Esc: exit 0" 0 ''
has "the field's directory" fp-from-field "  $TMP_REAL/w/keys"
has "the field's file selected" fp-from-field "$(row '>' signing.pem '119 B')"
assert "Esc: the field unchanged" grep -q '^  \[keys/signing.pem _' "$SCR/import-field-kept.txt"
assert "Esc after moving: the field unchanged" grep -q '^  \[keys/nothing-here.pem _' \
	"$SCR/import-field-kept2.txt"

# ---- long names clipped, long directories clipped from the left, resize -------
D1=directory-with-a-rather-long-name-number-one
D2=directory-with-a-rather-long-name-number-two
mkdir -p "$D1/$D2"
wiz "key Down
key Enter
type $D1/$D2/
key C-o
save-screen fp-deep
key Esc
key C-u
key C-o
key a
save-screen fp-long
resize 120 40
save-screen fp-big
key Esc
key Esc
key q"
check "long names, resize: exit 0" 0 ''
full=$TMP_REAL/w/$D1/$D2
if [ "${#full}" -gt 76 ]; then want="  ...${full: -73}"; else want="  $full"; fi
has "a long directory: clipped from the left with ..." fp-deep "$want"
has "a long name: clipped with ..., the size still there" fp-long \
	"$(row '>' "${LONG:0:49}..." '100 B')"
assert "120x40: the rule is 120 wide" test "$(sed -n 2p "$SCR/fp-big.txt" | wc -c)" = 121
assert "120x40: the long name has more room" grep -qF \
	'  > a-key-file-with-a-name-far-too-long-for-one-row-of-the-browser-so-it-is-clipped.pem' \
	"$SCR/fp-big.txt"
assert "120x40: the key line on the last row" grep -q '^ Enter open  Bksp up' \
	<(sed -n 40p "$SCR/fp-big.txt")

# ---- an unreadable directory: the message, and the browser stays ------------
if [ "$(id -u)" = 0 ]; then
	ok "# SKIP unreadable directory: running as root"
	ok "# SKIP unreadable directory: running as root"
else
	chmod 000 locked
	wiz 'key Down
key Enter
key Enter
key l
key Enter
save-screen fp-locked
key Up
key Enter
save-screen fp-locked-then
key Esc
key Esc
key q'
	chmod 755 locked
	check "unreadable directory: exit 0" 0 ''
	screen_is "unreadable directory: cannot open ... Permission denied, still in w/" fp-locked
	has "the CLI-style message" fp-locked "  cannot open '$TMP_REAL/w/locked': Permission denied"
	has "and the browser still works" fp-locked-then "  $TMP_REAL/w/keys"
fi

# ---- a huge directory: the first 10000 entries and a note ------------------
mkdir many
(cd many && seq -f 'f%05g.pem' 1 10005 | xargs touch)
wiz 'key Down
key Enter
type many/f00001.pem
key C-o
save-screen fp-many
key End
save-screen fp-many-end
key Esc
key Esc
key q'
check "10005 files: exit 0" 0 ''
assert "only 10000 entries, the note" grep -qx '  only the first 10000 entries are listed' \
	"$SCR/fp-many.txt"
assert "the count" grep -q -- '- [0-9]*/10000 --$' "$SCR/fp-many.txt"
assert "End: the last one listed" grep -q -- '- 10000/10000 --$' "$SCR/fp-many-end.txt"
rm -rf many

# ---- typing a path still works (moved from tui-screens.sh) ------------------
"$M" keygen -k enc.pem -t ecdsa-p384 --passout pass:right >/dev/null 2>&1
wiz 'key Down
key Enter
type enc.pem
key Enter
save-screen import-pw
type wrong
key Enter
save-screen import-wrongpw
key Enter
type right
key Enter
save-screen import-show
key Enter
key q'
check "import: exit 0" 0 ''
screen_is "import: password asked" import-pw
assert "import: wrong password dialog" test "$(dialog_text import-wrongpw)" = \
	"mcuprov: wizard: 'enc.pem': wrong password (or damaged key)"
screen_is "import: type, kind, fingerprint" import-show
run "$M" fingerprint --passin pass:right -k enc.pem
assert "import: fingerprint = mcuprov fingerprint" \
	grep -q "^  fingerprint  $(cut -d' ' -f2 "$T_TMP/out")\$" "$SCR/import-show.txt"

wiz 'key Down
key Enter
type missing.pem
key Enter
save-screen import-missing
key Enter
key Esc
key q'
run "$M" fingerprint -k missing.pem
assert "import: a missing file gives the CLI's message" test "$(dialog_text import-missing)" = \
	"$(sed 's/^mcuprov: fingerprint:/mcuprov: wizard:/' "$T_TMP/err")"

# an encryption key cannot sign: no p
wiz 'key Down
key Enter
type x25519.pem
key Enter
key p
save-screen import-x25519
key Esc
key q'
check "x25519 key: exit 0" 0 ''
screen_is "an x25519 key: no Provision offered, p does nothing" import-x25519

# ---- a project here: what the key is to it ----------------------------------
mkdir -p proj/keys
"$M" keygen -k proj/keys/signing.pem -t ed25519 >/dev/null 2>&1
"$M" keygen -k proj/mine.pem -t ed25519 >/dev/null 2>&1
"$M" keygen -k proj/p256.pem -t ecdsa-p256 >/dev/null 2>&1
printf 'version: 1\nkeys:\n  - {path: keys/signing.pem, type: ed25519}\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}\n' >proj/mcuprov.yaml
cp proj/mcuprov.yaml proj.yaml
cd proj || exit 1
IMP='key Down
key Enter'
wiz "$IMP
type keys/signing.pem
key Enter
save-screen imp-own
key Esc
key Enter
type p256.pem
key Enter
save-screen imp-other-type
key Esc
key Enter
type mine.pem
key Enter
save-screen imp-mine
key u
save-screen imp-use
key Esc
key Esc
key Esc
key q"
check "import in a project: exit 0" 0 ''
has "the project's own key: said so" imp-own "  One of mcuprov.yaml's keys (it signs)."
has "another type: a warning" imp-other-type \
	"  warning: the project's keys are ed25519 (mcuprov.yaml): this ecdsa-p256 key"
assert "another type: no u" test "$(grep -c 'Use as the project' "$SCR/imp-other-type.txt")" = 0
has "the project's type, not its key: u offered" imp-mine \
	"  Next:  u  Use as the project's signing key (rotation)"
assert "u: the Keyring's rotation diff, the key as loaded" grep -qF \
	"Add 'mine.pem' as the signing key: the changes" "$SCR/imp-use.txt"
assert "nothing written before it is applied" cmp -s mcuprov.yaml ../proj.yaml
cd "$T_TMP" || exit 1

done_testing
