#!/bin/bash
# mcuprov demo: the whole flow, headless, for ed25519 and ecdsa-p256, and
# with the user's own encrypted key (-k); the loader in QEMU must print the
# key mcuprov generated, or the user's.
. "$MCUPROV_SRCDIR/tests/lib.sh"
. "$MCUPROV_SRCDIR/tests/keysc-lib.sh"
for t in make arm-none-eabi-gcc qemu-system-arm; do
	command -v $t >/dev/null || skip_all "$t not installed (scripts/install-deps installs it)"
done
unset MAKEFLAGS MFLAGS MAKELEVEL
# the built-in loader (demo-mcuboot.sh drives MCUboot)
unset MCUBOOT_DIR

for type in ed25519 ecdsa-p256; do
	run "$M" demo --dir "d-$type" --type $type
	check "demo --type $type: exit 0, nothing on stderr" 0 ''
	fp=$("$M" fingerprint -k "d-$type/demo-$type.pem" | cut -d' ' -f2)
	assert "demo $type: the loader line, and how to get MCUboot" test "$(sed -n 2p "$T_TMP/out")" = \
		"loader: the built-in demo loader (hash and key, not the signature); for MCUboot itself: --mcuboot DIR or MCUBOOT_DIR=DIR"
	assert "demo $type: steps 1 to 6 in order" test "$(grep -o '^\[[0-9]/6\] .*' "$T_TMP/out" | tr '\n' '|')" = \
		"[1/6] generate key|[2/6] provision keys.c|[3/6] build loader and app|[4/6] sign app|[5/6] verify signed app|[6/6] boot in QEMU|"
	assert "demo $type: the loader shows the generated key" grep -qx "      | key SHA-256 $fp" "$T_TMP/out"
	assert "demo $type: the app ran" grep -qx "      | mcuprov demo app: hello from the signed image" "$T_TMP/out"
	assert "demo $type: one success line" grep -q "^demo: OK - the bootloader trusted only the new $type key (${fp:0:16}...) and booted the signed app (" "$T_TMP/out"
	assert "demo $type: the key file is 0600" test "$(stat -c %a "d-$type/demo-$type.pem")" = 600
	run "$M" verify -k "d-$type/demo-$type.pem" "d-$type/build/app.signed.bin"
	check "demo $type: mcuprov verify accepts its image" 0 ''
	# the key's block of the provisioned keys.c, compiled, is the new key
	"$M" getpub -k "d-$type/demo-$type.pem" -e raw >"d-$type/pub.der"
	def=$([ $type = ed25519 ] && echo MCUBOOT_SIGN_ED25519 || echo MCUBOOT_SIGN_EC256)
	if keysc_compile "$KEYSC_CC_ARM" -D$def -- "d-$type/keys.c" "d-$type/keys.o" &&
	   keysc_check_key "d-$type/keys.o" root_pub_der "d-$type/pub.der"; then
		ok "demo $type: the compiled keys.c holds exactly the new key"
	else not_ok "demo $type: the compiled keys.c holds exactly the new key" "$KEYSC_ERR"; fi
done

# again in the same directory: a new key, and still booting
old=$(cut -d' ' -f2 <("$M" fingerprint -k d-ed25519/demo-ed25519.pem))
run "$M" demo --dir d-ed25519
check "demo again in the same directory" 0 ''
new=$(cut -d' ' -f2 <("$M" fingerprint -k d-ed25519/demo-ed25519.pem))
assert "a second run makes a new key" test "$old" != "$new"

# --json
run "$M" demo --dir d-json --json --batch
check "demo --json: exit 0" 0 ''
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["type"] == "ed25519" and len(d["fingerprint"]) == 64
assert [s["step"] for s in d["steps"]] == ["generate key", "provision keys.c", "build loader and app", "sign app", "verify signed app", "boot in QEMU"]
assert all(s["ok"] for s in d["steps"]) and d["error"] is None
assert d["boot_line"] == "mcuprov demo app: hello from the signed image"
assert d["loader"] == "built-in" and "mcuboot" not in d
' "$T_TMP/out"; then ok "demo --json: the result"; else not_ok "demo --json: the result" "$(cat "$T_TMP/out")"; fi

# a missing tool: one clear line, the failing step named
mkdir nobin && for f in /usr/bin/* /bin/*; do
	case ${f##*/} in qemu-system-arm) ;; *) ln -sf "$f" nobin/ 2>/dev/null ;; esac
done
PATH=$T_TMP/nobin run "$M" demo --dir d-noqemu
check "demo without qemu-system-arm: exit 1 and the reason" 1 "mcuprov: demo: qemu-system-arm not found in PATH (install: apt-get install qemu-system-arm)"
assert "demo without QEMU: the failing step is named" grep -q "^      FAILED .*qemu-system-arm not found in PATH" "$T_TMP/out"
assert "demo without QEMU: a failure line" grep -q "^demo: FAILED: qemu-system-arm not found in PATH" "$T_TMP/out"

# --image FILE with the built-in loader: an image signed by another key is
# refused by the loader itself (its KEYHASH check)
"$M" keygen -k other.pem -t ed25519 >/dev/null
"$M" sign -k other.pem -v 1.2.3 -H 0x200 --pad-header -S 0x20000 d-ed25519/build/app.bin other.bin >/dev/null
run "$M" demo --dir d-img --image other.bin
check "demo --image, another key: exit 1, the loader's refusal" 1 \
	"mcuprov: demo: the loader refused the image: no trusted key matches the image's KEYHASH"
assert "demo --image: the sign step is skipped" test "$(grep -o '^\[[0-9]/6\] .*' "$T_TMP/out" | tr '\n' '|')" = \
	"[1/6] generate key|[2/6] provision keys.c|[3/6] build loader and app|[4/6] sign app: skipped (--image)|[5/6] verify the image|[6/6] boot in QEMU|"
assert "demo --image: mcuprov verify's note" grep -q "^      note: mcuprov verify: " "$T_TMP/out"
assert "demo --image: the loader's line" grep -qx "      | loader: no trusted key matches the image's KEYHASH" "$T_TMP/out"
run "$M" demo --dir d-img2 --image nothing.bin
check "demo --image, a missing file: exit 1" 1 "mcuprov: demo: 'nothing.bin': cannot open: No such file or directory"
assert "demo --image, a missing file: nothing written" test ! -e d-img2

USAGE='usage: mcuprov demo [--dir DIR] [--mcuboot DIR [--mbedtls DIR]] [--type TYPE | -k KEY [--passin SRC]] [--image FILE] [--upgrade [--test | --confirm]] [--batch] [--json]'
run "$M" demo --type ecdsa-p384
check "demo --type ecdsa-p384: usage error" 2 "mcuprov: demo: invalid --type 'ecdsa-p384' (ed25519, ecdsa-p256, rsa-2048 or rsa-3072)
$USAGE"

# -k KEY: the user's own key, encrypted, provisioned and booted; the file
# is only read
"$M" keygen -k mine/k.pem -t ecdsa-p256 --passout pass:s3cret >/dev/null
cp mine/k.pem k.before
fp=$("$M" fingerprint -k mine/k.pem --passin pass:s3cret | cut -d' ' -f2)
run "$M" demo --dir d-key -k mine/k.pem --passin pass:s3cret
check "demo -k: exit 0, nothing on stderr" 0 ''
assert "demo -k: the first line names the key" \
	test "$(head -n 1 "$T_TMP/out")" = "mcuprov demo: your ecdsa-p256 key 'mine/k.pem', work directory 'd-key'"
assert "demo -k: step 1 loads the key" test "$(grep -o '^\[[0-9]/6\] .*' "$T_TMP/out" | tr '\n' '|')" = \
	"[1/6] load key|[2/6] provision keys.c|[3/6] build loader and app|[4/6] sign app|[5/6] verify signed app|[6/6] boot in QEMU|"
assert "demo -k: the loader shows the user's key" grep -qx "      | key SHA-256 $fp" "$T_TMP/out"
assert "demo -k: the app ran" grep -qx "      | mcuprov demo app: hello from the signed image" "$T_TMP/out"
assert "demo -k: one success line naming the key" grep -q "^demo: OK - the bootloader trusted only your ecdsa-p256 key 'mine/k.pem' (${fp:0:16}...) and booted the signed app (" "$T_TMP/out"
assert "demo -k: the key file is unchanged" cmp -s mine/k.pem k.before
assert "demo -k: no key of its own in the work directory" test -z "$(ls d-key | grep '\.pem$')"
run "$M" verify -k mine/k.pem --passin pass:s3cret d-key/build/app.signed.bin
check "demo -k: the image verifies with the user's key" 0 ''
"$M" getpub -k mine/k.pem --passin pass:s3cret -e raw >mine/pub.der
if keysc_compile "$KEYSC_CC_ARM" -DMCUBOOT_SIGN_EC256 -- d-key/keys.c d-key/keys.o &&
   keysc_check_key d-key/keys.o root_pub_der mine/pub.der; then
	ok "demo -k: the compiled keys.c holds exactly the user's key"
else not_ok "demo -k: the compiled keys.c holds exactly the user's key" "$KEYSC_ERR"; fi

KP=s3cret run "$M" demo --dir d-key-json -k mine/k.pem --passin env:KP --json --batch
check "demo -k --json --batch --passin env: exit 0" 0 ''
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["type"] == "ecdsa-p256" and d["fingerprint"] == sys.argv[2]
assert d["key"] == "mine/k.pem" and d["steps"][0]["step"] == "load key"
assert d["boot_line"] == "mcuprov demo app: hello from the signed image"
' "$T_TMP/out" "$fp"; then ok "demo -k --json: the result"; else not_ok "demo -k --json: the result" "$(cat "$T_TMP/out")"; fi

run "$M" demo --dir d-batch -k mine/k.pem --batch
check "demo -k --batch, an encrypted key without --passin: exit 1" 1 "mcuprov: demo: 'mine/k.pem': key is encrypted and --batch never prompts: give --passin"
assert "demo -k --batch: nothing done" test ! -e d-batch
run "$M" demo --dir d-bad -k mine/k.pem --passin pass:nope
check "demo -k, a wrong password: exit 1" 1 "mcuprov: demo: 'mine/k.pem': wrong password (or damaged key)"
assert "demo -k, a wrong password: nothing done" test ! -e d-bad
"$M" keygen -k p384.pem -t ecdsa-p384 >/dev/null
run "$M" demo --dir d-p384 -k p384.pem
check "demo -k with an ecdsa-p384 key: exit 1" 1 "mcuprov: demo: 'p384.pem': is ecdsa-p384: the demo loader takes ed25519, ecdsa-p256, rsa-2048 or rsa-3072 keys"
"$M" getpub -k mine/k.pem --passin pass:s3cret -e pem >pub.pem
run "$M" demo --dir d-pub -k pub.pem
check "demo -k with a public key: exit 1" 1 "mcuprov: demo: 'pub.pem': is a public key: the demo signs its app with the private key"
run "$M" demo -k mine/k.pem --type ed25519
check "demo -k with --type: usage error" 2 "mcuprov: demo: give either --type or -k/--key, not both
$USAGE"
run "$M" demo --passin pass:x
check "demo --passin without -k: usage error" 2 "mcuprov: demo: --passin without -k/--key (a generated key has none)
$USAGE"

done_testing
