#!/bin/bash
# Keys in a PKCS#11 token (SoftHSM2) wherever projects and provisioning take
# a key file: patch and render from the public half (no PIN), mcuprov.yaml
# entries that are URIs (never made paths, never a PIN in the file, the PIN
# from keys[].passin), init -k URI, the flow signing in the token, rotation
# to and away from a token key, and the demo signing with one.
. "$MCUPROV_SRCDIR/tests/lib.sh"
. "$MCUPROV_SRCDIR/tests/keysc-lib.sh"
. "$MCUPROV_SRCDIR/tests/pkcs11-lib.sh"
need_softhsm
unset MAKEFLAGS MFLAGS MAKELEVEL MCUBOOT_DIR

mktoken prod
p11tool --token-label prod --login --pin 123456 --keypairgen --key-type EC:edwards25519 \
	--label signing-2026 --id 01 >/dev/null 2>&1
p11tool --token-label prod --login --pin 123456 --keypairgen --key-type EC:edwards25519 \
	--label signing-2027 --id 02 >/dev/null 2>&1
U='pkcs11:token=prod;object=signing-2026'
U2='pkcs11:token=prod;object=signing-2027'
"$M" getpub -e pem -k "$U;type=public" -o tok.pub.pem
"$M" getpub -e raw -k "$U;type=public" -o tok.der
"$M" getpub -e pem -k "$U2;type=public" -o tok2.pub.pem
"$M" getpub -e raw -k "$U2;type=public" -o tok2.der
printf '123456\n' >pin
chmod 600 pin
have_tools=1
for t in make arm-none-eabi-gcc qemu-system-arm; do
	command -v $t >/dev/null || have_tools=
done
if command -v gcc >/dev/null && command -v readelf >/dev/null && command -v objcopy >/dev/null; then
	have_cc=1
else
	have_cc=
fi

# ---- patch and render: the public half, no PIN, the same bytes as its PEM
cp "$MCUPROV_SRCDIR/examples/demo-qemu/loader/keys.c" tok.c
cp tok.c pem.c
run "$M" patch --keys-c tok.c -k "$U"
check "patch -k URI: exit 0 without a PIN, nothing on stderr" 0 ''
sed 's/tok\.c/X/g' "$T_TMP/out" >tok.out
"$M" patch --keys-c pem.c -k tok.pub.pem | sed 's/pem\.c/X/g' >pem.out
assert "patch -k URI: keys.c byte for byte as from the exported public PEM" cmp -s tok.c pem.c
assert "patch -k URI: the same report as with the PEM" cmp -s tok.out pem.out
run "$M" render -t inline-single -k "$U" -o tok-r.c
check "render -k URI: exit 0 without a PIN, nothing on stderr" 0 ''
"$M" render -t inline-single -k tok.pub.pem -o pem-r.c
assert "render -k URI: byte for byte as from the exported public PEM" cmp -s tok-r.c pem-r.c
assert "patch and render: no .pub.pem beside anything" test -z "$(find . -name '*.pub.pem' ! -name tok.pub.pem ! -name tok2.pub.pem)"
# a Kconfig fragment names a key file: the token key's public half is
# written beside it, named after the object (what MCUboot's build runs
# `imgtool getpub` on), and the fragment names it
mkdir kc
run "$M" patch --conf kc/mcuboot.conf -k "$U"
check "patch --conf -k URI: exit 0 without a PIN, nothing on stderr" 0 ''
assert "patch --conf -k URI: the public half beside the fragment, named after the object" \
	cmp -s kc/signing-2026.pub.pem tok.pub.pem
assert "patch --conf -k URI: the fragment names it, absolute" grep -qx \
	"CONFIG_BOOT_SIGNATURE_KEY_FILE=\"$(pwd -P)/kc/signing-2026.pub.pem\"" kc/mcuboot.conf
assert "patch --conf -k URI: the signature type" grep -qx CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y kc/mcuboot.conf
assert "patch --conf -k URI: 'wrote the public key' said" grep -qx "wrote the public key 'kc/signing-2026.pub.pem'" "$T_TMP/out"
run "$M" patch --conf kc/mcuboot.conf -k "$U"
check "patch --conf -k URI again: exit 0" 0 ''
assert "patch --conf -k URI again: nothing to change" grep -qx "'kc/mcuboot.conf' already trusts these keys: nothing to change" "$T_TMP/out"
# another key's public half in the way: refused, the fragment unchanged
mkdir kd
cp tok2.pub.pem kd/signing-2026.pub.pem
run "$M" patch --conf kd/mcuboot.conf -k "$U"
check "patch --conf -k URI, another key's file in the way: refused" 1 \
	"mcuprov: patch: 'kd/signing-2026.pub.pem': exists and is not the public half of '$U'"
assert "patch --conf -k URI, refused: no fragment written" test ! -e kd/mcuboot.conf

# ---- mcuprov.yaml: URIs are not paths, and never hold a PIN
mkdir y && cd y || exit 1
# shellcheck disable=SC2016 # ${key} is for mcuprov, not the shell
yaml() { printf 'version: 1\nkeys:\n- {path: "%s", type: ed25519%s}\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0, pad_header: true}\ntargets: {host: {app: app.bin, signed_app: app.signed.bin, run: [[echo, "${key}"]]}}\n' "$1" "${2:-}" >mcuprov.yaml; }
yaml "$U;pin-value=123456"
run "$M" build --batch
check "a pin-value in mcuprov.yaml: refused at load, the PIN never shown" 1 \
	"mcuprov: build: mcuprov.yaml:3:10: keys[0].path: a PIN in the project file is refused: drop pin-value from the URI and give the PIN with pin-source=FILE in it or with keys[0].passin"
yaml "$U" ", passin: file:../pin"
head -c 3000 /dev/urandom >app.bin
run "$M" run --batch
check "run, the PIN from keys[].passin (file: against the project directory): exit 0" 0 ''
assert "run: \${key} is the URI as written" grep -qx "      | $U" "$T_TMP/out"
run "$M" verify -k "$U;type=public" app.signed.bin
check "run: the image verifies with the token's public key" 0 ''
assert "a URI in mcuprov.yaml: no file or directory made after it" test -z "$(find . -name '*pkcs11*')"
printf 'encryption_key: "pkcs11:token=prod;object=enc"\n' >>mcuprov.yaml
run "$M" build --batch
check "encryption_key a URI: refused at load" 1 \
	"mcuprov: build: mcuprov.yaml:6:17: encryption_key: the bootloader embeds the encryption key's private half, so it cannot live in a token: name a key file"
cd .. || exit 1

# ---- init -k URI and the flow: the demo-qemu profile, signing in the token
mkdir pj && cd pj || exit 1
cp -r "$MCUPROV_SRCDIR/examples" .
export MCUPROV_EXAMPLES=$PWD/examples
B=$PWD/build/demo-qemu
run "$M" init -p demo-qemu -k "$U;pin-value=123456"
check "init -k URI with a PIN: refused, nothing written" 2 \
	"mcuprov: init: '$U': a PIN in the project file is refused: drop pin-value from the URI and give the PIN with pin-source=FILE in it or with keys[].passin"
assert "init -k URI with a PIN: no project file" test ! -e mcuprov.yaml
run "$M" init -p demo-qemu -k 'pkcs11:token=nope;object=signing-2026'
check "init -k URI of a missing token: refused" 1 \
	"mcuprov: init: 'pkcs11:token=nope;object=signing-2026': no PKCS#11 token matches (tokens present: 'prod')"
run "$M" init -p demo-qemu -k "$U" -t ecdsa-p256
check "init -k URI -t another type: refused, the token's key has its type" 1 \
	"mcuprov: init: '$U': is an ed25519 key, not ecdsa-p256"
run "$M" init -p demo-qemu -k "$U"
check "init -k URI: exit 0, no PIN asked" 0 ''
assert "init -k URI: keys[0] is the URI as given" grep -qx "  - path: \"$U\"" mcuprov.yaml
assert "init -k URI: no key directory, no file named after the URI" \
	test -z "$(find . -name 'pkcs11*' -o -name keys)"
if [ -n "$have_cc" ] && keysc_compile "$KEYSC_CC_HOST" -DMCUBOOT_SIGN_ED25519 -- "$B/keys.c" init.o &&
   keysc_check_key init.o root_pub_der ../tok.der; then
	ok "init -k URI: its keys.c trusts the token's key"
elif [ -z "$have_cc" ]; then ok "# SKIP init -k URI: its keys.c trusts the token's key (no gcc)"
else not_ok "init -k URI: its keys.c trusts the token's key" "$KEYSC_ERR"; fi
cp mcuprov.yaml init.yaml

run "$M" build --batch --dry-run
check "build --dry-run with a token key: no PIN needed" 0 ''
assert "build --dry-run: keys.c already trusts the token key" \
	grep -qx "      build/demo-qemu/keys.c: already trusts the keys" "$T_TMP/out"
run "$M" run --batch --dry-run
check "run --dry-run --batch without a PIN: the signing key needs it" 1 \
	"mcuprov: run: '$U': the token needs its PIN and --batch never prompts: give --passin"
if [ -n "$have_tools" ]; then
	run "$M" run --batch --passin pass:123456
	check "run --passin PIN: exit 0, signed in the token" 0 ''
	fp=$("$M" fingerprint -k "$U;type=public" | cut -d' ' -f2)
	assert "run: the loader shows the token's key" grep -qx "      | key SHA-256 $fp" "$T_TMP/out"
	assert "run: the app booted" grep -qx "      | mcuprov demo app: hello from the signed image" "$T_TMP/out"
	run "$M" verify -k "$U;type=public" "$B/app.signed.bin"
	check "run: the signed app verifies with the token's public key" 0 ''
	# keys[].passin: the PIN from a file mcuprov.yaml names
	sed -i "s|^  - path: \"$U\"|  - path: \"$U\"\n    passin: file:../pin|" mcuprov.yaml
	rm -f "$B/app.signed.bin"
	run "$M" run --batch
	check "run, the PIN from keys[].passin: exit 0" 0 ''
	run "$M" verify -k "$U;type=public" "$B/app.signed.bin"
	check "run, keys[].passin: the signed app verifies" 0 ''
	cp init.yaml mcuprov.yaml
	# pin-source in the URI
	sed -i "s|^  - path: \"$U\"|  - path: \"$U?pin-source=../pin\"|" mcuprov.yaml
	rm -f "$B/app.signed.bin"
	run "$M" run --batch
	check "run, the PIN from the URI's pin-source: exit 0" 0 ''
	run "$M" verify -k "$U;type=public" "$B/app.signed.bin"
	check "run, pin-source: the signed app verifies" 0 ''
	cp init.yaml mcuprov.yaml
else
	for i in 1 2 3 4 5 6 7 8 9; do ok "# SKIP run with a token key: make, arm-none-eabi-gcc or qemu-system-arm missing"; done
fi
run "$M" run --batch --passin pass:654321
check "run with a wrong PIN: stops, the key named as mcuprov.yaml writes it" 1 \
	"mcuprov: run: '$U': token 'prod': wrong PIN (few attempts left before the token locks it)"
# a token that is not there
sed -i "s|token=prod;object=signing-2026|token=gone;object=signing-2026|" mcuprov.yaml
run "$M" build --batch
check "a missing token: the flow stops naming the key as mcuprov.yaml does" 1 \
	"mcuprov: build: 'pkcs11:token=gone;object=signing-2026': no PKCS#11 token matches (tokens present: 'prod')"
cd .. || exit 1

# ---- rotate: a file key, then a token key added, the file key retired
mkdir rot rot/boot && cd rot || exit 1
"$M" keygen -k old.pem -t ed25519 >/dev/null
"$M" getpub -k old.pem -e raw -o old.der
head -c 3000 /dev/urandom >app.bin
printf 'version: 1\nkeys:\n- {path: old.pem, type: ed25519}\nbootloader: {keys_c: boot/keys.c}\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0, pad_header: true}\ntargets: {host: {app: app.bin, signed_app: app.signed.bin}}\n' >mcuprov.yaml
keysc old.der >boot/keys.c
run "$M" rotate add --batch "$U;pin-value=123456"
check "rotate add URI with a PIN: refused, the PIN never shown" 2 \
	"mcuprov: rotate: '$U': a PIN in the project file is refused: drop pin-value from the URI and give the PIN with pin-source=FILE in it or with keys[].passin"
run "$M" rotate add --batch --json "$U;pin-value=123456"
assert "rotate add --json URI with a PIN: the key without it, the PIN in no output" \
	sh -c "python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d[\"key\"] == sys.argv[2] and d[\"error\"][\"subject\"] == sys.argv[2]' '$T_TMP/out' '$U' && ! grep -q 123456 '$T_TMP/out' '$T_TMP/err'"
run "$M" rotate add --batch "$U;type=public"
check "rotate add of a token's public key: refused" 1 \
	"mcuprov: rotate: '$U;type=public': is a public key: the new signing key must be the private key"
run "$M" rotate add --batch "$U" --passin pass:123456
check "rotate add URI: exit 0" 0 ''
cat >want <<EOF
version: 1
keys:
- {path: "$U", type: ed25519}
- {path: old.pub.pem, type: ed25519}
bootloader: {keys_c: boot/keys.c}
image: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0, pad_header: true}
targets: {host: {app: app.bin, signed_app: app.signed.bin}}
EOF
assert "rotate add URI: mcuprov.yaml lists the URI first, the old key as its public half" \
	cmp -s mcuprov.yaml want
assert "rotate add URI: the old key's public half written beside it" cmp -s old.pub.pem <("$M" getpub -k old.pem -e pem)
assert "rotate add URI: keys.c holds the token's key, then the old one" \
	cmp -s boot/keys.c <(keysc ../tok.der old.der)
trusts "rotate add URI: compiled, the bootloader trusts the token's key, then the old one" \
	root_pub_der=../tok.der root_pub_der_1=old.der
run "$M" build --batch --dry-run
check "rotate add URI: the project builds without a PIN" 0 ''
assert "rotate add URI: its keys.c already trusts its keys" \
	grep -qx "      boot/keys.c: already trusts the keys" "$T_TMP/out"
run "$M" run --batch --passin pass:123456
check "rotate add URI: run signs with the token" 0 ''
assert "run: the image verified with key 0 (the token's)" \
	grep -qx "      ok [0-9.]* s  hash and signature valid (key 0)" "$T_TMP/out"
run "$M" verify -k "$U;type=public" app.signed.bin
check "run: the image verifies with the token's public key" 0 ''
run "$M" rotate retire --batch old.pem
check "rotate retire the file key: exit 0, no PIN" 0 ''
printf 'version: 1\nkeys:\n- {path: "%s", type: ed25519}\nbootloader: {keys_c: boot/keys.c}\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0, pad_header: true}\ntargets: {host: {app: app.bin, signed_app: app.signed.bin}}\n' "$U" >want
assert "rotate retire: mcuprov.yaml lists the token key only" cmp -s mcuprov.yaml want
trusts "rotate retire: the bootloader trusts the token's key only" root_pub_der=../tok.der

# the token key demoted: its entry becomes its public URI, no file written
run "$M" rotate add --batch "$U2" --passin pass:123456
check "rotate add a second token key: exit 0" 0 ''
printf 'version: 1\nkeys:\n- {path: "%s", type: ed25519}\n- {path: "%s", type: ed25519}\nbootloader: {keys_c: boot/keys.c}\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0, pad_header: true}\ntargets: {host: {app: app.bin, signed_app: app.signed.bin}}\n' "$U2" "$U;type=public" >want
assert "rotate add: the demoted token key is its URI with ;type=public" cmp -s mcuprov.yaml want
assert "rotate add: no .pub.pem for a token key" test -z "$(find . -name '*.pub.pem' ! -name old.pub.pem)"
trusts "rotate add: the bootloader trusts both token keys" root_pub_der=../tok2.der root_pub_der_1=../tok.der
run "$M" run --batch --passin pass:123456
check "run with the new token key (the demoted one needs no PIN)" 0 ''
run "$M" verify -k "$U2;type=public" app.signed.bin
check "run: signed by the new token key" 0 ''
run "$M" rotate retire --batch "$U"
check "rotate retire of a demoted token key, named by its URI" 0 ''
printf 'version: 1\nkeys:\n- {path: "%s", type: ed25519}\nbootloader: {keys_c: boot/keys.c}\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0, pad_header: true}\ntargets: {host: {app: app.bin, signed_app: app.signed.bin}}\n' "$U2" >want
assert "rotate retire: the new token key alone" cmp -s mcuprov.yaml want
trusts "rotate retire: the bootloader trusts the new token key only" root_pub_der=../tok2.der

# a URI with type=private and a query: demoted to type=public, the query kept
printf 'version: 1\nkeys:\n- {path: "%s", type: ed25519}\nbootloader: {keys_c: boot/keys.c}\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0, pad_header: true}\ntargets: {host: {app: app.bin, signed_app: app.signed.bin}}\n' "$U2;type=private?pin-source=../pin" >mcuprov.yaml
run "$M" run --batch
check "a type=private URI with pin-source: run signs with it" 0 ''
run "$M" rotate add --batch "$U" --passin pass:123456
check "rotate add over a type=private URI: exit 0" 0 ''
printf 'version: 1\nkeys:\n- {path: "%s", type: ed25519}\n- {path: "%s", type: ed25519}\nbootloader: {keys_c: boot/keys.c}\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0, pad_header: true}\ntargets: {host: {app: app.bin, signed_app: app.signed.bin}}\n' "$U" "$U2;type=public?pin-source=../pin" >want
assert "rotate add: type=private became type=public, the query kept" cmp -s mcuprov.yaml want
run "$M" rotate add --batch "$U2" --passin pass:123456
check "rotate add of a key the project keeps as its public URI: refused" 2 \
	"mcuprov: rotate: '$U2': is already keys[1] of 'mcuprov.yaml', as its public half '$U2;type=public?pin-source=../pin'"
cd .. || exit 1

# a Kconfig fragment names files: a token key's public half is written
# beside it, the fragment names it
mkdir rotc rotc/boot && cd rotc || exit 1
"$M" keygen -k old.pem -t ed25519 >/dev/null
printf 'version: 1\nkeys:\n- {path: old.pem, type: ed25519}\nbootloader: {conf: boot/mcuboot.conf}\nimage: {header_size: 0x200, slot_size: 0x20000, version: 1.0.0}\n' >mcuprov.yaml
printf 'CONFIG_BOOTLOADER_MCUBOOT=y\n' >boot/mcuboot.conf
run "$M" rotate add --batch "$U" --passin pass:123456
check "rotate add URI, a Kconfig fragment: exit 0" 0 ''
assert "rotate add URI, a Kconfig fragment: the token key's public half beside the fragment" \
	cmp -s boot/signing-2026.pub.pem ../tok.pub.pem
assert "rotate add URI, a Kconfig fragment: the fragment names it first, the old key's public half next" grep -qx \
	"CONFIG_BOOT_SIGNATURE_KEY_FILE=\"$(pwd -P)/boot/signing-2026.pub.pem,$(pwd -P)/old.pub.pem\"" boot/mcuboot.conf
assert "rotate add URI, a Kconfig fragment: the URI is keys[0] of mcuprov.yaml" \
	grep -qxF -- "- {path: \"$U\", type: ed25519}" mcuprov.yaml
cd .. || exit 1

# ---- demo -k URI: the built-in loader trusts the token's key, boots what it signed
if [ -n "$have_tools" ]; then
	run "$M" demo --dir d -k "$U" --passin pass:123456 --batch
	check "demo -k URI --passin PIN: exit 0" 0 ''
	fp=$("$M" fingerprint -k "$U;type=public" | cut -d' ' -f2)
	assert "demo -k URI: the loader shows the token's key" grep -qx "      | key SHA-256 $fp" "$T_TMP/out"
	assert "demo -k URI: the app ran" grep -qx "      | mcuprov demo app: hello from the signed image" "$T_TMP/out"
	assert "demo -k URI: no key file made" test -z "$(find d -name '*.pem')"
	run "$M" verify -k "$U;type=public" d/build/app.signed.bin
	check "demo -k URI: the image verifies with the token's public key" 0 ''
	run "$M" demo --dir d2 -k "$U;pin-value=123456" --batch
	check "demo -k URI;pin-value: exit 0" 0 ''
	assert "demo -k URI;pin-value: the PIN is never printed" sh -c "! grep -q 123456 '$T_TMP/out'"
else
	for i in 1 2 3 4 5 6 7; do ok "# SKIP demo -k URI: make, arm-none-eabi-gcc or qemu-system-arm missing"; done
fi
run "$M" demo --dir d3 -k "$U" --batch
check "demo -k URI without a PIN under --batch: refused before anything runs" 1 \
	"mcuprov: demo: '$U': the token needs its PIN and --batch never prompts: give --passin"

done_testing
