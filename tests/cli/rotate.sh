#!/bin/bash
# rotate: a new signing key added to a project (mcuprov.yaml and the
# bootloader's Kconfig fragment or keys.c), then the old one retired; exact
# diffs and messages, backups, nothing written on a refusal or a dry run,
# and images signed with the new key verify with the keys of the project.
. "$MCUPROV_SRCDIR/tests/lib.sh"
. "$MCUPROV_SRCDIR/tests/keysc-lib.sh"

# same DESC FILE...: each FILE is byte for byte its FILE.orig and no
# FILE.bak appeared
same() {
	local desc=$1 f bad=
	shift
	for f in "$@"; do
		cmp -s "$f" "$f.orig" || bad="$bad $f changed;"
		[ ! -e "$f.bak" ] || bad="$bad $f.bak written;"
	done
	if [ -z "$bad" ]; then ok "$desc"; else not_ok "$desc" "$bad"; fi
}
# keep FILE...: remember FILE as FILE.orig
keep() { local f; for f in "$@"; do cp -p "$f" "$f.orig"; done; }
# out_is DESC: stdout equals the file "want"
out_is() { if cmp -s "$T_TMP/out" want; then ok "$1"; else not_ok "$1" "$(diff want "$T_TMP/out")"; fi; }

"$M" keygen -k old.pem -t ed25519 >/dev/null
"$M" keygen -k new.pem -t ed25519 >/dev/null
"$M" keygen -k p256.pem -t ecdsa-p256 >/dev/null
"$M" getpub -k new.pem -e pem >new-pub.pem
"$M" keygen -k enc.pem -t ed25519 --passout pass:s3cret >/dev/null
for k in old new enc; do "$M" getpub -k $k.pem -e raw --passin pass:s3cret >$k.der; done

# ---- a project whose bootloader is a Kconfig fragment
mkdir c c/keys c/boot && cd c || exit 1
cp ../old.pem ../new.pem keys/
cat >mcuprov.yaml <<'EOF'
# a project
version: 1
keys:                 # the first one signs
  # the key of 2025
  - path: keys/old.pem
    type: ed25519     # never leaves the HSM

# the bootloader
bootloader:
  conf: boot/mcuboot.conf
image:
  header_size: 0x200
  slot_size: 0x20000
  version: 1.2.3
  pad_header: true
targets:
  host:
    app: app.bin
    signed_app: app.signed.bin
EOF
printf 'CONFIG_BOOTLOADER_MCUBOOT=y\n' >boot/mcuboot.conf
"$M" build >/dev/null 2>&1 # the bootloader trusts keys/old.pem
fp=$("$M" fingerprint -k keys/old.pem | cut -d' ' -f2 | cut -c1-16)
P=$(pwd -P)
head -c 3000 /dev/urandom >app.bin
rm boot/mcuboot.conf.bak
keep mcuprov.yaml boot/mcuboot.conf

cat >want <<EOF
--- a/boot/mcuboot.conf
+++ b/boot/mcuboot.conf
@@ -1,4 +1,4 @@
 CONFIG_BOOTLOADER_MCUBOOT=y
 # MCUboot signing key set by mcuprov (ed25519 $fp)
 CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y
-CONFIG_BOOT_SIGNATURE_KEY_FILE="$P/keys/old.pub.pem"
+CONFIG_BOOT_SIGNATURE_KEY_FILE="$P/keys/new.pub.pem,$P/keys/old.pub.pem"
--- a/mcuprov.yaml
+++ b/mcuprov.yaml
@@ -1,8 +1,10 @@
 # a project
 version: 1
 keys:                 # the first one signs
+  - path: keys/new.pem
+    type: ed25519
   # the key of 2025
-  - path: keys/old.pem
+  - path: keys/old.pub.pem
     type: ed25519     # never leaves the HSM
 
 # the bootloader
dry run: 'boot/mcuboot.conf' left unchanged
dry run: 'mcuprov.yaml' left unchanged
EOF
run "$M" rotate add keys/new.pem --dry-run
check "add --dry-run: exit 0" 0 ''
out_is "add --dry-run: both diffs, exactly"
same "add --dry-run: nothing written" mcuprov.yaml boot/mcuboot.conf
assert "add --dry-run: no public key file written" test ! -e keys/new.pub.pem
run "$M" rotate add -n keys/new.pem
out_is "-n is --dry-run"

{ echo "wrote the public key '$P/keys/new.pub.pem'"; sed '/^dry run/d' want
  echo "'boot/mcuboot.conf' now trusts 2 keys (the old one is 'boot/mcuboot.conf.bak')"
  echo "'mcuprov.yaml' now lists 2 keys, 'keys/new.pem' signs (the old one is 'mcuprov.yaml.bak')"
  echo "next: rebuild and flash the bootloader first, then sign new images with 'keys/new.pem'"
} >want.add
cp want.add want
run "$M" rotate add keys/new.pem
check "add: exit 0" 0 ''
out_is "add: both diffs and what changed, exactly"
assert "add: mcuprov.yaml.bak is the old project file" cmp -s mcuprov.yaml.bak mcuprov.yaml.orig
assert "add: mcuprov.conf.bak is the old fragment" cmp -s boot/mcuboot.conf.bak boot/mcuboot.conf.orig
assert "add: the bootloader gets the new public key" cmp -s keys/new.pub.pem ../new-pub.pem
assert "add: the fragment names both keys, the new one first" grep -qx "CONFIG_BOOT_SIGNATURE_KEY_FILE=\"$P/keys/new.pub.pem,$P/keys/old.pub.pem\"" boot/mcuboot.conf
assert "add: every other line of mcuprov.yaml is kept byte for byte" \
	cmp -s <(sed '4,5d; 7s|keys/old.pub.pem|keys/old.pem|' mcuprov.yaml) mcuprov.yaml.orig
assert "add: the old key, which no longer signs, is listed as its public half" \
	grep -qx '  - path: keys/old.pub.pem' mcuprov.yaml
assert "add: that public half is the old key's" \
	cmp -s keys/old.pub.pem <("$M" getpub -k keys/old.pem -e pem)
assert "add: the project file's mode is kept" test "$(stat -c %a mcuprov.yaml)" = "$(stat -c %a mcuprov.yaml.orig)"
no_leftovers "add: no temporary files left" .
run "$M" build --dry-run
assert "add: the project reloads, the bootloader already trusts its keys in order" \
	grep -qx "      boot/mcuboot.conf: already trusts the keys" "$T_TMP/out"

# images: signed with the new key, accepted with both keys trusted
run "$M" run
check "add: run signs and verifies with the project's keys" 0 ''
assert "add: verified with keys[0], the new key" grep -qx "      ok .* s  hash and signature valid (key 0)" "$T_TMP/out"
run "$M" verify -k keys/new.pem app.signed.bin
check "add: the image verifies with the new key" 0 ''
run "$M" verify -k keys/old.pem -k keys/new.pem app.signed.bin
check "add: and with both keys the bootloader trusts" 0 ''
run "$M" verify -k keys/old.pem app.signed.bin
assert "add: not with the old key alone" test "$RC" = 1
"$M" sign -k keys/old.pem -v 1.0.0 -H 0x200 --pad-header -S 0x20000 app.bin old.signed.bin >/dev/null 2>&1
run "$M" verify -k keys/new.pem -k keys/old.pem old.signed.bin
check "add: images of the old key still verify with both keys" 0 ''

# again: refused, nothing written
keep mcuprov.yaml boot/mcuboot.conf
mv mcuprov.yaml.bak y.bak && mv boot/mcuboot.conf.bak c.bak
run "$M" rotate add keys/new.pem
check "add again: refused" 2 "mcuprov: rotate: 'keys/new.pem': is already keys[0] of 'mcuprov.yaml'"
same "add again: nothing written" mcuprov.yaml boot/mcuboot.conf
run "$M" rotate add ./keys/../keys/old.pem
check "add a key already in the list as its public half: refused" 2 "mcuprov: rotate: './keys/../keys/old.pem': is already keys[1] of 'mcuprov.yaml', as its public half 'keys/old.pub.pem'"
cp keys/old.pem keys/copy.pem
run "$M" rotate add keys/copy.pem
check "add the same key from another file: refused" 2 "mcuprov: rotate: the same key twice ('keys/copy.pem' and 'keys/old.pub.pem')"
same "add the same key from another file: nothing written" mcuprov.yaml boot/mcuboot.conf

# the refusals of the new key (exit 1), nothing written
run "$M" rotate add ../p256.pem
check "add a key of another type: refused" 1 "mcuprov: rotate: '../p256.pem': is ecdsa-p256 but the project's keys are ed25519: one bootloader verifies one signature type"
run "$M" rotate add ../new-pub.pem
check "add a public key: refused" 1 "mcuprov: rotate: '../new-pub.pem': is a public key: the new signing key must be the private key"
run "$M" rotate add keys/missing.pem
check "add a missing file: refused" 1 "mcuprov: rotate: 'keys/missing.pem': cannot open: No such file or directory"
run "$M" rotate add ../enc.pem --batch
check "add an encrypted key with --batch and no --passin: refused" 1 "mcuprov: rotate: '../enc.pem': key is encrypted and --batch never prompts: give --passin"
if [ -d "$V/keys" ]; then
	cp "$V/keys/root-ed25519.pem" dev.pem && chmod 600 dev.pem
	warn="mcuprov: warning: 'dev.pem' is MCUboot's published development key root-ed25519.pem: its private half is public, anyone can sign images it accepts; never ship it"
	run "$M" rotate add dev.pem
	check "add a development key: refused" 1 "$warn
mcuprov: rotate: 'dev.pem': is MCUboot's published development key root-ed25519.pem: a bootloader trusting it boots anybody's images (use --allow-dev-key for a development build)"
	run "$M" --production rotate add dev.pem --allow-dev-key
	check "--production: refused even with --allow-dev-key" 1 "mcuprov: rotate: 'dev.pem': refusing MCUboot's published development key root-ed25519.pem in production mode"
	run "$M" rotate add dev.pem --allow-dev-key --dry-run
	check "--allow-dev-key: accepted with the warning" 0 "$warn"
fi
same "refusals: nothing written" mcuprov.yaml boot/mcuboot.conf

# retire: the signing key, an unknown key, a usage error
run "$M" rotate retire keys/new.pem
check "retire the signing key: refused" 2 "mcuprov: rotate: 'keys/new.pem': is the signing key: add its successor first (mcuprov rotate add)"
run "$M" rotate retire keys/nope.pem
check "retire an unknown key: refused" 2 "mcuprov: rotate: 'keys/nope.pem': is not a key of 'mcuprov.yaml' (keys: keys/new.pem, keys/old.pub.pem)"
same "retire refusals: nothing written" mcuprov.yaml boot/mcuboot.conf

# retire the old key: back to one key
cat >want <<EOF
--- a/boot/mcuboot.conf
+++ b/boot/mcuboot.conf
@@ -1,4 +1,4 @@
 CONFIG_BOOTLOADER_MCUBOOT=y
 # MCUboot signing key set by mcuprov (ed25519 $fp)
 CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y
-CONFIG_BOOT_SIGNATURE_KEY_FILE="$P/keys/new.pub.pem,$P/keys/old.pub.pem"
+CONFIG_BOOT_SIGNATURE_KEY_FILE="$P/keys/new.pub.pem"
--- a/mcuprov.yaml
+++ b/mcuprov.yaml
@@ -3,9 +3,6 @@ version: 1
 keys:                 # the first one signs
   - path: keys/new.pem
     type: ed25519
-  # the key of 2025
-  - path: keys/old.pub.pem
-    type: ed25519     # never leaves the HSM
 
 # the bootloader
 bootloader:
'boot/mcuboot.conf' now trusts 1 key (the old one is 'boot/mcuboot.conf.bak')
'mcuprov.yaml' now lists 1 key, 'keys/new.pem' signs (the old one is 'mcuprov.yaml.bak')
next: rebuild and flash the bootloader; images signed with 'keys/old.pub.pem' no longer boot on it
EOF
run "$M" rotate retire "$P/keys/old.pem"
check "retire the old key (by its private key file's absolute path): exit 0" 0 ''
out_is "retire: both diffs and what changed, exactly"
assert "retire: the backups are the files before" sh -c 'cmp -s mcuprov.yaml.bak mcuprov.yaml.orig && cmp -s boot/mcuboot.conf.bak boot/mcuboot.conf.orig'
assert "retire: the project file is the original with the new key" \
	cmp -s mcuprov.yaml <(sed 's|keys/old.pem|keys/new.pem|; /the key of 2025/d; s|     # never leaves the HSM||' y.bak)
run "$M" rotate retire keys/new.pem
check "retire the last key: refused" 2 "mcuprov: rotate: 'keys/new.pem': is the project's only key: add its successor first (mcuprov rotate add)"
run "$M" rotate retire keys/old.pem
check "retire again: refused" 2 "mcuprov: rotate: 'keys/old.pem': is not a key of 'mcuprov.yaml' (keys: keys/new.pem)"

# an encrypted key with its password; -f from another directory
cd .. || exit 1
D=$(pwd -P)
keep c/mcuprov.yaml
run "$M" rotate add c/../enc.pem -f c/mcuprov.yaml --batch --passin pass:s3cret
check "add an encrypted key with --passin, -f from elsewhere: exit 0" 0 ''
assert "the key outside the project is named by its absolute path" grep -qx "  - path: $D/enc.pem" c/mcuprov.yaml
assert "-f: the backup is beside the project file, never over an earlier one" \
	sh -c 'cmp -s c/mcuprov.yaml.bak.1 c/mcuprov.yaml.orig && ! cmp -s c/mcuprov.yaml.bak c/mcuprov.yaml.orig'
run "$M" rotate retire c/keys/new.pem -f c/mcuprov.yaml --batch
check "retire with an encrypted key left and --batch: refused as build does" 1 "mcuprov: rotate: '$D/enc.pem': key is encrypted and --batch never prompts: give --passin"

# ---- a project without a bootloader file: CRLF, flow style
mkdir f && cd f || exit 1
cp ../old.pem ../new.pem .
printf 'version: 1\r\nkeys:\r\n  - path: old.pem\r\n    type: ed25519\r\n# end\r\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}\r\n' >crlf.yaml
run "$M" rotate add new.pem -f crlf.yaml
check "CRLF project: exit 0" 0 ''
printf 'version: 1\r\nkeys:\r\n  - path: new.pem\r\n    type: ed25519\r\n  - path: old.pub.pem\r\n    type: ed25519\r\n# end\r\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}\r\n' >crlf.want
assert "CRLF project: CRLF kept, also on the new lines" cmp -s crlf.yaml crlf.want
assert "no bootloader file: says so" grep -qx "'crlf.yaml' names no bootloader file: make yours trust the keys with 'mcuprov patch'" "$T_TMP/out"
run "$M" rotate retire old.pem -f crlf.yaml
assert "CRLF project: retire" cmp -s crlf.yaml <(printf 'version: 1\r\nkeys:\r\n  - path: new.pem\r\n    type: ed25519\r\n# end\r\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}\r\n')

cat >flow.yaml <<'EOF'
version: 1
keys: [{path: old.pem, type: ed25519}]   # flow style
image: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}
EOF
run "$M" rotate add new.pem -f flow.yaml
check "flow-style keys: exit 0" 0 ''
assert "flow-style keys: the new entry in flow style, the old one as its public half" grep -qx "keys: \[{path: new.pem, type: ed25519}, {path: old.pub.pem, type: ed25519}\]   # flow style" flow.yaml
run "$M" rotate retire old.pem -f flow.yaml
assert "flow-style keys: retire" grep -qx "keys: \[{path: new.pem, type: ed25519}\]   # flow style" flow.yaml
cd .. || exit 1

# ---- a project whose bootloader is an inline-array keys.c
mkdir k k/boot && cd k || exit 1
K=$(pwd -P)
cp ../old.pem ../new.pem .
"$M" keygen -k next.pem -t ed25519 >/dev/null
project() { printf 'version: 1\nkeys:\n- {path: %s, type: ed25519}\nbootloader: {keys_c: boot/keys.c}\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}\ntargets: {host: {app: app.bin, signed_app: app.signed.bin}}\n' "$1" >mcuprov.yaml; }
project old.pem
keysc ../old.der >boot/keys.c
cp boot/keys.c first.c
keep mcuprov.yaml boot/keys.c
trusts "keys.c: before, the bootloader trusts the old key" root_pub_der=../old.der

# add: array 0 gets the new key, root_pub_der_1 (new) the old one; the diff
# keeps the old key's lines (but the first, which both keys share) as context;
# the old key, which no longer signs, is listed as its public half
{
	echo "wrote the public key '$K/old.pub.pem'"
	cat <<EOF
--- a/boot/keys.c
+++ b/boot/keys.c
@@ -3,13 +3,23 @@
 #if defined(MCUBOOT_SIGN_ED25519)
 const unsigned char root_pub_der[] = {
EOF
	c_bytes ../old.der | head -n 1 | sed 's/^/ /'
	c_bytes ../new.der | tail -n +2 | sed 's/^/+/'
	printf '%s\n' '+};' '+const unsigned int root_pub_der_len = 44;' '+' '+const unsigned char root_pub_der_1[] = {'
	c_bytes ../old.der | head -n 1 | sed 's/^/+/'
	c_bytes ../old.der | tail -n +2 | sed 's/^/ /'
	cat <<EOF
 };
-const unsigned int root_pub_der_len = 44;
+const unsigned int root_pub_der_1_len = 44;
 #else
 #error "No public key available for given signing algorithm."
 #endif
@@ -19,5 +29,9 @@ const struct bootutil_key bootutil_keys[] = {
         .key = root_pub_der,
         .len = &root_pub_der_len,
     },
+    {
+        .key = root_pub_der_1,
+        .len = &root_pub_der_1_len,
+    },
 };
-const int bootutil_key_cnt = 1;
+const int bootutil_key_cnt = 2;
--- a/mcuprov.yaml
+++ b/mcuprov.yaml
@@ -1,6 +1,7 @@
 version: 1
 keys:
-- {path: old.pem, type: ed25519}
+- {path: new.pem, type: ed25519}
+- {path: old.pub.pem, type: ed25519}
 bootloader: {keys_c: boot/keys.c}
 image: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}
 targets: {host: {app: app.bin, signed_app: app.signed.bin}}
'boot/keys.c' now trusts 2 keys (the old one is 'boot/keys.c.bak')
'mcuprov.yaml' now lists 2 keys, 'new.pem' signs (the old one is 'mcuprov.yaml.bak')
next: rebuild and flash the bootloader first, then sign new images with 'new.pem'
EOF
} >want
run "$M" rotate add new.pem
check "keys.c with one array, add: exit 0" 0 ''
out_is "keys.c, add: both diffs (keys.c first) and what changed, exactly"
assert "keys.c, add: the file trusting the new key, then the old one, in the file's style" \
	cmp -s boot/keys.c <(keysc ../new.der ../old.der)
assert "keys.c, add: the backups are the originals" \
	sh -c 'cmp -s boot/keys.c.bak boot/keys.c.orig && cmp -s mcuprov.yaml.bak mcuprov.yaml.orig'
trusts "keys.c, add: compiled, the bootloader trusts the new key, then the old one" \
	root_pub_der=../new.der root_pub_der_1=../old.der
run "$M" build --dry-run
assert "keys.c, add: the project reloads, its keys.c already trusts its keys" \
	grep -qx "      boot/keys.c: already trusts the keys" "$T_TMP/out"

# retire the old key: its array and entry go, the count is 1 again
keep mcuprov.yaml boot/keys.c
rm -f mcuprov.yaml.bak boot/keys.c.bak
{
	cat <<EOF
--- a/boot/keys.c
+++ b/boot/keys.c
@@ -10,16 +10,6 @@ const unsigned char root_pub_der[] = {
EOF
	c_bytes ../new.der | tail -n 1 | sed 's/^/ /'
	printf '%s\n' ' };' ' const unsigned int root_pub_der_len = 44;' '-' '-const unsigned char root_pub_der_1[] = {'
	c_bytes ../old.der | sed 's/^/-/'
	cat <<EOF
-};
-const unsigned int root_pub_der_1_len = 44;
 #else
 #error "No public key available for given signing algorithm."
 #endif
@@ -29,9 +19,5 @@ const struct bootutil_key bootutil_keys[] = {
         .key = root_pub_der,
         .len = &root_pub_der_len,
     },
-    {
-        .key = root_pub_der_1,
-        .len = &root_pub_der_1_len,
-    },
 };
-const int bootutil_key_cnt = 2;
+const int bootutil_key_cnt = 1;
--- a/mcuprov.yaml
+++ b/mcuprov.yaml
@@ -1,7 +1,6 @@
 version: 1
 keys:
 - {path: new.pem, type: ed25519}
-- {path: old.pub.pem, type: ed25519}
 bootloader: {keys_c: boot/keys.c}
 image: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}
 targets: {host: {app: app.bin, signed_app: app.signed.bin}}
'boot/keys.c' now trusts 1 key (the old one is 'boot/keys.c.bak')
'mcuprov.yaml' now lists 1 key, 'new.pem' signs (the old one is 'mcuprov.yaml.bak')
next: rebuild and flash the bootloader; images signed with 'old.pub.pem' no longer boot on it
EOF
} >want
run "$M" rotate retire old.pem
check "keys.c, retire the old key: exit 0" 0 ''
out_is "keys.c, retire: both diffs and what changed, exactly"
assert "keys.c, retire: the original file but for the key bytes (the new key's)" \
	cmp -s boot/keys.c <(keysc ../new.der)
assert "keys.c, retire: every line but the key bytes is the original's" \
	cmp -s <(grep -v '^    0x' boot/keys.c) <(grep -v '^    0x' first.c)
assert "keys.c, retire: the backups are the files before" \
	sh -c 'cmp -s boot/keys.c.bak boot/keys.c.orig && cmp -s mcuprov.yaml.bak mcuprov.yaml.orig'
trusts "keys.c, retire: compiled, the bootloader trusts the new key only" root_pub_der=../new.der
run "$M" build --dry-run
assert "keys.c, retire: its keys.c already trusts the project's keys" \
	grep -qx "      boot/keys.c: already trusts the keys" "$T_TMP/out"

# a keys.c with a spare (zero) second array: the same result as with one
head -c 44 /dev/zero >zero.der
keysc ../old.der zero.der >boot/keys.c
project old.pem
rm -f mcuprov.yaml.bak boot/keys.c.bak
run "$M" rotate add new.pem
check "keys.c with a spare array, add: exit 0" 0 ''
assert "keys.c with a spare array, add: the same file as from one array" \
	cmp -s boot/keys.c <(keysc ../new.der ../old.der)

# a bare-metal keys.c: no bootutil_keys[] to add to
keysc ../new.der | sed '/^const struct bootutil_key/,$d' >boot/keys.c
project new.pem
rm -f mcuprov.yaml.bak boot/keys.c.bak
keep mcuprov.yaml boot/keys.c
run "$M" rotate add next.pem
check "keys.c without bootutil_keys[]: refused by provisioning" 1 "mcuprov: rotate: 'boot/keys.c': its MCUBOOT_SIGN_ED25519 block holds 1 key array (root_pub_der) but 2 keys were given: no bootutil_keys[] list names its arrays (use 'mcuprov render --template inline-multi' for a keys.c with one)"
same "keys.c refused: neither file written" mcuprov.yaml boot/keys.c
cd .. || exit 1

# ---- the command line
U="usage: mcuprov rotate add NEWKEY [-f FILE] [--dry-run] [--passin [KEYFILE=]SRC]... [--batch]
                  [--allow-dev-key] [--json] [-D NAME[=VALUE]]... [-U NAME]...
       mcuprov rotate retire KEY [-f FILE] [--dry-run] [--passin [KEYFILE=]SRC]...
                  [--batch] [--json] [-D NAME[=VALUE]]... [-U NAME]..."
run "$M" rotate
check "no action: usage" 2 "mcuprov: rotate: missing add or retire
$U"
run "$M" rotate rename k.pem
check "unknown action: usage" 2 "mcuprov: rotate: unknown action 'rename' (add or retire)
$U"
run "$M" rotate add
check "no key: usage" 2 "mcuprov: rotate: missing NEWKEY
$U"
run "$M" rotate retire a.pem b.pem
check "two keys: usage" 2 "mcuprov: rotate: unexpected argument 'b.pem'
$U"
run "$M" rotate retire a.pem --allow-dev-key
check "--allow-dev-key with retire: usage" 2 "mcuprov: rotate: --allow-dev-key goes with add
$U"
run "$M" rotate add new.pem -f nope.yaml
check "no project file" 1 "mcuprov: rotate: 'nope.yaml': cannot open: No such file or directory"

done_testing
