#!/bin/bash
# The wizard's Inspect image screen, driven by MCUPROV_TUI_SCRIPT on a virtual
# 80x24 screen (ASCII lines: "+"/"-" for closed/open nodes), then once in a
# real terminal (tmux, UTF-8).  The tree's labels and values are checked
# against `mcuprov dumpinfo -f json`, its text view against `mcuprov
# dumpinfo`, the verify line against `mcuprov verify`.  Saved screens are
# compared with tests/tui/expected/in-*.txt.
. "${MCUPROV_SRCDIR:-.}/tests/lib.sh"
. "${MCUPROV_SRCDIR:-.}/tests/tui-lib.sh"

IMG=$V/images/ed25519-basic.bin
for f in "$IMG" "$V/images/ed25519-pad-confirm.bin" "$V/images/ed25519-seccnt.bin" \
	"$V/keys/root-ed25519.pem" "$V/keys/root-ec-p256.pem" "$V/keys-enc/root-ed25519-pw.pem"; do
	[ -f "$f" ] || skip_all "vector '$f' not found (set MCUPROV_VECTORS)"
done
# short names for what dialogs show (a long path would wrap mid-word)
cp "$V/keys-enc/root-ed25519-pw.pem" enc-pw.pem
cp "$V/images/app.bin" app.bin
chmod 600 enc-pw.pem


# tree NAME: the tree rows of screen NAME (from row 6 to the detail's rule
# "  -- .path ---"), without the selection mark: "+ tlvs [3]", "  len: 0x20"
tree() { awk 'NR >= 6 && /^  -- \./ { exit } NR >= 6 && NF { print substr($0, 5) }' "$SCR/$1.txt"; }
# leaves NAME: the tree rows, indentation dropped
leaves() { tree "$1" | sed -e 's/^ *//'; }
# selected NAME: the selected row ("> " in front), without the mark
selected() { sed -n 's/^  > //p' "$SCR/$1.txt"; }
# path NAME: the selected node's path on the detail's rule
path() { sed -n 's/^  -- \(\.[^ ]*\) -*$/\1/p' "$SCR/$1.txt"; }
# detail NAME: the detail lines under that rule (blank ones dropped)
detail() {
	awk '/^  -- \./ { on = 1; next } /^-----/ { on = 0 } on && NF { print substr($0, 3) }' \
		"$SCR/$1.txt"
}
# status NAME: the verify line
status() { sed -n 4p "$SCR/$1.txt"; }

# json_obj FILE NAME: the members of the top-level object NAME of
# `dumpinfo -f json` output FILE, as the tree shows them ("key: value",
# numbers in hex as dumpinfo prints them)
json_obj() {
	local l
	sed -n "/^  \"$2\": {\$/,/^  }/p" "$1" | sed -e '1d;$d' |
		sed -E -e 's/,$//' -e 's/^ *"([^"]+)": (.*)$/\1: \2/' -e 's/: "(.*)"$/: \1/' |
		while IFS= read -r l; do
			case ${l#*: } in
			'' | *[!0-9]*) printf '%s\n' "$l" ;;
			*) printf '%s: 0x%x\n' "${l%%: *}" "${l#*: }" ;;
			esac
		done
}
# json_tlv FILE NAME FIELD: FIELD of the TLV whose type_name is NAME
json_tlv() {
	awk -v name="$2" -v field="$3" '
		/^ *{$/ { n = 0; hit = 0; next }
		/^ *}/ { if (hit) for (i = 0; i < n; i++) print obj[i]; n = 0; next }
		{ obj[n++] = $0; if ($0 ~ "\"type_name\": \"" name "\"") hit = 1 }' "$1" |
		sed -n -E "s/^ *\"$3\": \"?([^\",]*)\"?,?\$/\\1/p" | head -n 1
}
# json_nodes FILE: how many nodes the whole tree has (every member, every
# array element)
json_nodes() {
	echo $(($(grep -c '^ *"[^"]*":' "$1") + $(grep -c '^ *{$' "$1") - 1))
}

INSP='key Down
key Down
key Down
key Down
key Down
key Enter'
"$M" dumpinfo -f json "$IMG" >basic.json
sha=$(json_tlv basic.json SHA256 data)
sig=$(json_tlv basic.json ED25519 data)
assert "the vector's JSON has a SHA256 TLV (64 hex digits)" test "${#sha}" = 64
assert "the vector's JSON has an ED25519 TLV (128 hex digits)" test "${#sig}" = 128

# ---- the tree: open, close, all, none, the text view ---------------------
DOWN16=$(for i in $(seq 16); do echo 'key Down'; done)
wiz "$INSP
save-screen in-form
type $IMG
key Enter
save-screen in-tree
key Down
key Left
save-screen in-collapsed
key Right
save-screen in-expanded
key Right
save-screen in-child
key Left
save-screen in-parent
key Space
save-screen in-space
key Enter
key *
save-screen in-all
key Home
$DOWN16
save-screen in-sha
key Down
key Down
key Down
key Down
save-screen in-sha-data
key Enter
save-screen in-leaf-enter
key End
save-screen in-end
key PgUp
save-screen in-pgup
key -
save-screen in-none
key t
save-screen in-text
key PgDn
save-screen in-text2
key t
save-screen in-back-tree
key ?
save-screen in-help
key Enter
key Esc
save-screen in-form-again
key Esc
key q"
check "inspect: exit 0" 0 ''
screen_is "the form (^O browse in the key line)" in-form
screen_is "the result: verify line, tree with the top sections open" in-tree
assert "no key: hash OK, signature not checked" \
	test "$(status in-tree)" = "  hash OK (signature not checked: give a key)"
assert "the first row is the JSON's filename" \
	test "$(leaves in-tree | head -n 1)" = "filename: $(sed -n 's/^  "filename": "\(.*\)",$/\1/p' basic.json)"
json_obj basic.json header >want.header
leaves in-tree | sed -n 3,9p >got.header
if [ -s want.header ] && cmp -s want.header got.header; then
	ok "header's children = dumpinfo -f json's header members, in order"
else
	not_ok "header's children = dumpinfo -f json's header members" "$(diff want.header got.header)"
fi
assert "tlv_area open one level: tlv_hdr closed" \
	test "$(tree in-tree | sed -n '10,$p')" = "- tlv_area
    tlv_hdr_prot: {}
    tlvs_prot: []
  + tlv_hdr"
assert "the tree starts on the first row" test "$(selected in-tree)" = "  filename: ed25519-basic.bin"
assert "more rows than fit: the rule counts them" grep -qF ' rows 1-13 of 15 ' "$SCR/in-tree.txt"

cat >want.collapsed <<'EOF'
  filename: ed25519-basic.bin
+ header
- tlv_area
    tlv_hdr_prot: {}
    tlvs_prot: []
  + tlv_hdr
  + tlvs [3]
  trailer: {}
EOF
assert "Left on an open node closes it: its children are hidden" cmp -s want.collapsed <(tree in-collapsed)
assert "closed: the header's values are on no row" test "$(tree in-collapsed | grep -c 'magic:')" = 0
assert "closed: the detail still shows them" test "$(detail in-collapsed | head -n 1)" = \
	"magic: 0x96f3b83d  load_addr: 0x0  hdr_size: 0x200  protected_tlv_size: 0x0"
screen_is "a closed node" in-collapsed
assert "Right opens it again: the same rows as at first" cmp -s <(tree in-tree) <(tree in-expanded)
assert "Right on an open node: its first child" test "$(path in-child)" = .header.magic
assert "the detail shows the value" test "$(detail in-child)" = \
	"$(json_obj basic.json header | sed -n 's/^magic: //p')"
assert "Left on a leaf: its parent" test "$(path in-parent)" = .header
assert "Left on a leaf: the parent stays open" grep -qF '      magic: 0x96f3b83d' "$SCR/in-parent.txt"
assert "Space toggles: header closed" test "$(selected in-space)" = "+ header"

n=$(json_nodes basic.json)
assert "* opens all: every JSON member and element is a row ($n)" \
	grep -qF " rows 1-13 of $n " "$SCR/in-all.txt"
screen_is "all open" in-all
label="[0] SHA256 (0x$(printf %x "$(json_tlv basic.json SHA256 type)")), $(json_tlv basic.json SHA256 len) bytes"
assert "a TLV is labelled from its own fields: $label" test "$(selected in-sha)" = "    - $label"
assert "the TLV's path" test "$(path in-sha)" = '.tlv_area.tlvs[0]'
assert "the TLV's detail: its fields, the digest in full (= dumpinfo -f json's)" \
	test "$(detail in-sha)" = "type: 0x10  type_name: SHA256  len: 0x20  data:
$sha"
screen_is "a TLV selected" in-sha
assert "the digest's row is clipped to the width with ..." \
	test "$(sed -n 's/^  >  *//p' "$SCR/in-sha-data.txt")" = "data: ${sha:0:57}..."
assert "the digest's row: the detail holds it in full" test "$(detail in-sha-data)" = "$sha"
assert "Enter on a leaf changes nothing" cmp -s "$SCR/in-sha-data.txt" "$SCR/in-leaf-enter.txt"
assert "End: the last row" test "$(selected in-end)" = "  trailer: {}"
assert "End: scrolled to the end" grep -qF " rows $((n - 12))-$n of $n " "$SCR/in-end.txt"
assert "PgUp: a page up less one row (31 - 12)" test "$(path in-pgup)" = '.tlv_area.tlvs[0].len'
cat >want.none <<'EOF'
  filename: ed25519-basic.bin
+ header
+ tlv_area
  trailer: {}
EOF
assert "- closes all" cmp -s want.none <(tree in-none)
assert "- closes all: the selection goes up to its section" test "$(path in-none)" = .tlv_area
screen_is "all closed" in-none

"$M" dumpinfo "$IMG" | sed -e 's/ *$//' | head -n 16 >want.info
if cmp -s want.info <(pane in-text 6 21); then
	ok "t: the text view shows dumpinfo's text"
else
	not_ok "t: the text view shows dumpinfo's text" "$(diff want.info <(pane in-text 6 21) | head)"
fi
"$M" dumpinfo "$IMG" | sed -e 's/ *$//' | sed -n 16,31p >want.info2
assert "text view: PgDn scrolls a page (less one line)" cmp -s want.info2 <(pane in-text2 6 21)
assert "text view: its key line" test "$(tail -n 1 "$SCR/in-text.txt")" = \
	" Up/Down/PgUp/PgDn scroll  t tree  Esc back  F1 help"
assert "t again: the tree as it was" cmp -s "$SCR/in-none.txt" "$SCR/in-back-tree.txt"
screen_is "? shows the tree's keys" in-help
assert "Esc: the form, the path kept" grep -qF "  [$IMG " "$SCR/in-form-again.txt"

# ---- a bigger terminal, and back ------------------------------------------
wiz "$INSP
type $IMG
key Enter
save-screen in-80
resize 100 30
save-screen in-100
resize 80 24
save-screen in-80again
key t
key Esc
save-screen in-text-esc
key Esc
key q"
check "resize: exit 0" 0 ''
assert "100x30: the rules are 100 wide" test "$(sed -n 2p "$SCR/in-100.txt" | tr -d '\n' | wc -c)" = 100
assert "100x30: the key line on row 30" grep -q '^ arrows move' <(sed -n 30p "$SCR/in-100.txt")
assert "100x30: all 15 rows fit (no count on the rule)" \
	test "$(tree in-100 | grep -c .)" = 15 -a "$(grep -c ' rows ' "$SCR/in-100.txt")" = 0
assert "back to 80x24: the same screen" cmp -s "$SCR/in-80.txt" "$SCR/in-80again.txt"
assert "Esc in the text view: the form" grep -qF 'Image file (signed or not):' "$SCR/in-text-esc.txt"

# ---- other images: sections as the JSON has them ----------------------------
"$M" dumpinfo -f json "$V/images/ed25519-pad-confirm.bin" >pad.json
"$M" dumpinfo -f json "$V/images/ed25519-seccnt.bin" >seccnt.json
wiz "$INSP
type $V/images/ed25519-pad-confirm.bin
key Enter
key End
key Up
key Up
key Up
key Up
save-screen in-trailer
key Esc
key C-u
type $V/images/ed25519-seccnt.bin
key Enter
key *
key Home
$(for i in $(seq 14); do echo 'key Down'; done)
save-screen in-prot
key Esc
key Esc
key q"
check "other images: exit 0" 0 ''
assert "a trailer: its members = dumpinfo -f json's" \
	cmp -s <(json_obj pad.json trailer) <(leaves in-trailer | sed -n '/^- trailer$/,$p' | sed 1d)
assert "the boot magic in full in the detail" test "$(detail in-trailer)" = \
	"$(json_obj pad.json trailer | sed -n 's/^magic: //p')"
assert "a protected TLV: labelled from its fields" \
	test "$(selected in-prot)" = "    - [0] SEC_CNT (0x50), 4 bytes"
assert "a protected TLV: its path" test "$(path in-prot)" = '.tlv_area.tlvs_prot[0]'
assert "a protected TLV: its data" test "$(detail in-prot)" = \
	"type: 0x50  type_name: SEC_CNT  len: 0x4  data: $(json_tlv seccnt.json SEC_CNT data)"

# ---- the verify line: keys, passwords, a tampered image ---------------------
fp=$("$M" fingerprint -k "$V/keys/root-ed25519.pem" 2>/dev/null | cut -d' ' -f2)
wiz "$INSP
type $IMG
key Tab
type $V/keys/root-ed25519.pem
key Enter
save-screen in-key
key Esc
key C-u
type $V/keys/root-ec-p256.pem
key Enter
save-screen in-badkey
key Esc
key C-u
type enc-pw.pem
key Enter
save-screen in-pw
type wrong-one
key Enter
save-screen in-pw-wrong
key Enter
save-screen in-pw-again
type mcuprov-test
key Enter
save-screen in-pw-key
key Esc
key Esc
key q"
check "keys: exit 0" 0 ''
assert "with the key: signature OK (key <fp16>...)" \
	test "$(status in-key)" = "  signature OK (key ${fp:0:16}...)"
screen_is "with a key" in-key
run "$M" verify -k "$V/keys/root-ec-p256.pem" "$IMG"
case $(tail -n 1 "$T_TMP/err") in
"mcuprov: verify: '$IMG': no matching key:"*) ok "another key: verify says no matching key" ;;
*) not_ok "another key: verify says no matching key" "$(cat "$T_TMP/err")" ;;
esac
kh=$(json_tlv basic.json KEYHASH data)
assert "the image's KEYHASH is its key's fingerprint" test "$kh" = "$fp"
assert "another key: the KEYHASH the image names, as verify's no matching key" \
	test "$(status in-badkey)" = "  no matching key: the image names KEYHASH ${kh:0:16}..., not this key"
assert "another key: still the tree" test "$(leaves in-badkey | head -n 1)" = "filename: ed25519-basic.bin"
assert "an encrypted key: the password is asked" grep -qxF '  The key is encrypted. Password:' "$SCR/in-pw.txt"
run "$M" verify -k enc-pw.pem --passin pass:wrong-one "$IMG"
assert "a wrong password: the CLI's message" test "$(dialog_text in-pw-wrong)" = \
	"$(tail -n 1 "$T_TMP/err" | sed 's/^mcuprov: verify:/mcuprov: wizard:/')"
assert "after it: the password again" grep -qxF '  The key is encrypted. Password:' "$SCR/in-pw-again.txt"
assert "the right password: signature OK" \
	test "$(status in-pw-key)" = "  signature OK (key ${fp:0:16}...)"
assert "the passwords are on no screen" test "$(grep -lE 'wrong-one|mcuprov-test' "$SCR"/*.txt | wc -l)" = 0

cp "$IMG" tampered.bin
printf '\xa5' | dd of=tampered.bin bs=1 seek=700 conv=notrunc 2>/dev/null
assert "the tampered copy differs in one payload byte" \
	test "$(cmp -l "$IMG" tampered.bin | wc -l)" = 1
run "$M" verify tampered.bin
check "verify: the tampered image fails" 1 \
	"mcuprov: verify: 'tampered.bin': hash mismatch: the image was corrupted or tampered with"
wiz "$INSP
type tampered.bin
key Enter
save-screen in-tampered
key *
key Home
$DOWN16
save-screen in-tampered-sha
key Esc
key Esc
key q"
check "tampered: exit 0" 0 ''
assert "a tampered image: verify's hash mismatch on top" \
	test "$(status in-tampered)" = "  hash mismatch: the image was corrupted or tampered with"
assert "a tampered image: the stored digest is still shown" \
	test "$(detail in-tampered-sha | tail -n 1)" = "$sha"

# ---- refusals -----------------------------------------------------------------
wiz "$INSP
type nothing.bin
key Enter
save-screen in-missing
key Enter
save-screen in-missing-closed
key Esc
key q"
check "missing file: exit 0" 0 ''
run "$M" dumpinfo nothing.bin
assert "a missing file: the CLI's message" test "$(dialog_text in-missing)" = \
	"$(sed 's/^mcuprov: dumpinfo:/mcuprov: wizard:/' "$T_TMP/err")"
assert "after it: the form" grep -qF '  [nothing.bin' "$SCR/in-missing-closed.txt"
"$M" dumpinfo app.bin 2>"$T_TMP/err.app" >/dev/null
wiz "$INSP
type app.bin
key Enter
save-screen in-notimage
key Enter
key Esc
key q"
assert "not an image: the CLI's message" test "$(dialog_text in-notimage)" = \
	"$(sed 's/^mcuprov: dumpinfo:/mcuprov: wizard:/' "$T_TMP/err.app")"

# ---- the file browser: Ctrl-O, F2, Enter on an empty image field -------------
wiz "$INSP
key C-o
save-screen in-browse
key Esc
save-screen in-browse-esc
key F2
save-screen in-browse-f2
key Esc
key Enter
save-screen in-browse-enter
key Esc
key Tab
key C-o
save-screen in-browse-key
key Esc
key Esc
key q"
check "browse: exit 0" 0 ''
assert "Ctrl-O: the browser for the image" grep -qF 'Choose the image' "$SCR/in-browse.txt"
assert "Esc: back on the form, nothing chosen" cmp -s "$EXP/in-form.txt" "$SCR/in-browse-esc.txt"
assert "F2: the browser too" cmp -s "$SCR/in-browse.txt" "$SCR/in-browse-f2.txt"
assert "Enter on the empty image field: the browser" cmp -s "$SCR/in-browse.txt" "$SCR/in-browse-enter.txt"
assert "Ctrl-O on the key field: the browser for the key" grep -qF 'Choose the key' "$SCR/in-browse-key.txt"

# choosing the files in the browser: it starts in the directory the field
# names, lists only the suffixes this field expects, and fills the field
mkdir pick
cp "$IMG" pick/fw.bin
cp "$V/keys/root-ed25519.pem" pick/root.pem
echo notes >pick/notes.txt
wiz "$INSP
type pick/
key C-o
save-screen in-pick-image
key Down
key Enter
save-screen in-picked-image
key Tab
type pick/
key F2
save-screen in-pick-key
key Down
key Enter
save-screen in-picked-key
key Enter
save-screen in-picked-result
key Esc
key Esc
key q"
check "browse and choose: exit 0" 0 ''
assert "the image browser lists the image" grep -qF 'fw.bin' "$SCR/in-pick-image.txt"
assert "the image browser: not the key, not the text file" \
	test "$(grep -cE 'root.pem|notes.txt' "$SCR/in-pick-image.txt")" = 0
assert "chosen: the image field holds its path" grep -qF '  [pick/fw.bin ' "$SCR/in-picked-image.txt"
assert "chosen: back on the form" grep -qF 'Image file (signed or not):' "$SCR/in-picked-image.txt"
assert "the key browser lists the key only" \
	test "$(grep -cF 'root.pem' "$SCR/in-pick-key.txt")" = 1 -a "$(grep -cE 'fw.bin|notes.txt' "$SCR/in-pick-key.txt")" = 0
assert "chosen: the key field holds its path" grep -qF '  [pick/root.pem ' "$SCR/in-picked-key.txt"
assert "the chosen files inspected: signature OK" \
	test "$(status in-picked-result)" = "  signature OK (key ${fp:0:16}...)"
assert "the chosen image's name in the tree" \
	test "$(leaves in-picked-result | head -n 1)" = "filename: fw.bin"

# ---- a project: its signed image prefilled -------------------------------------
mkdir -p proj/build && cp "$IMG" proj/build/app.signed.bin
cat >proj/mcuprov.yaml <<'YAML'
version: 1
keys:
  - {path: keys/signing.pem, type: ed25519}
image: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}
targets:
  board:
    app: build/app.bin
    signed_app: build/app.signed.bin
YAML
cd proj || exit 1
wiz "$INSP
save-screen in-project
key Enter
save-screen in-project-run
key Esc
key Esc
key q"
cd "$T_TMP" || exit 1
check "a project: exit 0" 0 ''
assert "the project's signed image prefilled" grep -qF '  [build/app.signed.bin ' "$SCR/in-project.txt"
assert "Enter inspects it" test "$(leaves in-project-run | head -n 1)" = "filename: app.signed.bin"

# ---- imgtool's newer TLVs: an encrypted image, a boot record, UUIDs, -e big ---
# signed with the vector key (deterministic); only the ENC TLV's value is
# random, and no saved screen shows it
"$M" keygen -k x.pem -t x25519 >/dev/null 2>&1
"$M" getpub -k x.pem -e pem >x.pub.pem
"$M" sign -k "$V/keys/root-ed25519.pem" -v 1.2.3 -H 0x200 --pad-header -S 0x10000 \
	-E x.pub.pem app.bin enc.bin >/dev/null 2>&1
"$M" sign -k "$V/keys/root-ed25519.pem" -v 1.2.3 -H 0x200 --pad-header -S 0x10000 \
	--boot-record BL2 --vid acme.com --cid widget -e big app.bin boot.bin >/dev/null 2>&1
"$M" dumpinfo -f json enc.bin >enc.json
"$M" dumpinfo -f json boot.bin >boot.json
assert "the encrypted image has an ENCX25519 TLV (80 bytes)" test "$(json_tlv enc.json ENCX25519 len)" = 80
wiz "$INSP
type enc.bin
key Enter
key Down
key Down
key Down
key Down
key Down
key Down
key Down
save-screen in-enc-flags
key Home
key Down
key Left
key Down
key Down
key Down
key Down
key Down
key Right
save-screen in-enc-tlvs
key Down
key Down
key Down
key Down
key Right
key Right
key Down
key Down
key Down
save-screen in-enc-data
key Esc
key C-u
type boot.bin
key Enter
key *
save-screen in-brec-top
key Home
$DOWN16
key Down
key Down
key Down
key Down
save-screen in-brec
key Down
key Down
key Down
key Down
key Down
key Down
key Down
key Down
key Down
key Down
key Down
save-screen in-vid
key Down
key Down
key Down
key Down
key Down
key Down
save-screen in-cid
key Esc
key Esc
key q"
check "new TLVs: exit 0" 0 ''
assert "encrypted: the hash cannot be checked without the device's key, said so" \
	test "$(status in-enc-flags)" = \
	"  hash not checked: encrypted payload (ENCX25519); mcuprov verify --enc-key"
screen_is "encrypted: the header's flags by name" in-enc-flags
assert "the flags as dumpinfo names them" test "$(detail in-enc-flags)" = \
	"$("$M" dumpinfo enc.bin | sed -n 's/^flags: *//p')"
screen_is "encrypted: the TLVs, ENCX25519 last" in-enc-tlvs
assert "the ENC TLV's data row, clipped" test "$(selected in-enc-data)" = \
	"        data: $(json_tlv enc.json ENCX25519 data | cut -c1-57)..."
assert "the ENC TLV's path" test "$(path in-enc-data)" = ".tlv_area.tlvs[3].data"
assert "the ENC TLV's value in full (= dumpinfo -f json's)" test \
	"$(detail in-enc-data | tr -d '\n')" = "$(json_tlv enc.json ENCX25519 data)"
screen_is "-e big: endian big in the header" in-brec-top
assert "-e big: the header's endian row" grep -qxF '        endian: big' "$SCR/in-brec-top.txt"
screen_is "the boot record decoded" in-brec
assert "the boot record's path" test "$(path in-brec)" = ".tlv_area.tlvs_prot[0].boot_record"
assert "the boot record's fields: type, version, the key's hash, the measurement (zeros)" test \
	"$(detail in-brec | paste -sd' ')" = \
	"sw_type: BL2  sw_version: 1.2.3  signer_id: $(json_tlv boot.json KEYHASH data) measurement_type: SHA256  measurement_value: $(printf '0%.0s' $(seq 64))"
assert "UUID_VID: its path" test "$(path in-vid)" = ".tlv_area.tlvs_prot[1].uuid"
assert "UUID_VID as a UUID (= dumpinfo -f json's)" test "$(detail in-vid)" = \
	"$(json_tlv boot.json UUID_VID uuid)"
# python3 -c 'import uuid; print(uuid.uuid5(uuid.NAMESPACE_DNS, "acme.com"))'
assert "UUID_VID: the UUIDv5 of acme.com" test "$(detail in-vid)" = \
	"3e38d44d-322e-53af-97b6-6204849f6a5c"
assert "UUID_CID: its path" test "$(path in-cid)" = ".tlv_area.tlvs_prot[2].uuid"
assert "UUID_CID as a UUID (= dumpinfo -f json's)" test "$(detail in-cid)" = \
	"$(json_tlv boot.json UUID_CID uuid)"

# ---- a real terminal: UTF-8 marks, open a node --------------------------------
if command -v tmux >/dev/null 2>&1; then
	trap tmux_cleanup EXIT
	if tm -f /dev/null new-session -d -s wiz -x 80 -y 24 \
		"env -i PATH=\"$PATH\" HOME=\"$T_TMP\" TERM=xterm-256color LANG=C.UTF-8 '$M' wizard"; then
		wait_for "tmux: Home" 'Inspect image' &&
			tm send-keys -t wiz Down Down Down Down Down Enter &&
			wait_for "tmux: the form" 'Image file (signed or not):' &&
			tm send-keys -t wiz -l -- "$IMG" && tm send-keys -t wiz Enter &&
			wait_for "tmux: the tree, UTF-8 marks" '▸ tlv_hdr' &&
			assert "tmux: open sections marked ▾" grep -qxF '    ▾ header' "$T_TMP/pane" &&
			tm send-keys -t wiz $(printf 'Down %.0s' $(seq 13)) Right &&
			wait_for "tmux: Right opens tlvs" '▾ tlvs [3]' &&
			tm send-keys -t wiz Down Down Down &&
			wait_for "tmux: a TLV, closed" '>     ▸ [2] ED25519 (0x24), 64 bytes' &&
			tm send-keys -t wiz Right Down Down Down Down &&
			wait_for "tmux: the signature selected (its path on the rule)" '─ .tlv_area.tlvs[2].data ─' &&
			assert "tmux: the signature in full in the detail, wrapped" \
				test "$(sed -n '/─ .tlv_area.tlvs\[2\].data ─/,+2p' "$T_TMP/pane" | sed 1d | tr -d ' \n')" = "$sig"
		tm kill-server >/dev/null 2>&1
	else
		ok "# SKIP tmux cannot start a session here"
	fi
else
	ok "# SKIP tmux not installed"
fi

done_testing
