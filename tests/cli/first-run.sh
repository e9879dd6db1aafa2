#!/bin/bash
# The first run, as README.md's tour gives it: in an empty directory outside
# mcuprov's source tree, `init -p demo-qemu -t ecdsa-p256`, `keygen` of a
# password-protected key, `run` - and QEMU's loader prints that key's
# fingerprint.  The files on disk (modes, mcuprov.yaml, keys.c) are checked
# at each step.  Then the same project from another directory (-f), and
# with mcuprov's examples read-only where MCUPROV_EXAMPLES points (as an
# installed share/mcuprov/examples is).
. "$MCUPROV_SRCDIR/tests/lib.sh"
. "$MCUPROV_SRCDIR/tests/keysc-lib.sh"
for t in make arm-none-eabi-gcc qemu-system-arm; do
	command -v $t >/dev/null || skip_all "$t not installed (scripts/install-deps installs it)"
done
command -v python3 >/dev/null || skip_all "python3 not installed"
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES MCUPROV_EXAMPLES MCUPROV_TEMPLATES

TPL=$MCUPROV_SRCDIR/templates/targets

# ---- the three commands are README.md's, word for word (-p: a password
# source here, there is no terminal)
python3 - "$MCUPROV_SRCDIR/README.md" >readme-cmds <<'PY'
import re, sys
text = open(sys.argv[1]).read()
tour = text[text.index("\n## A tour\n"):]
block = re.search(r"```sh\n(.*?)```", tour, re.S).group(1)
for line in block.splitlines():
    print(re.sub(r"\s+#.*", "", line))
PY
printf '%s\n' 'mcuprov init -p demo-qemu -t ecdsa-p256' \
	'mcuprov keygen -k keys/demo-signing.pem -t ecdsa-p256 -p' 'mcuprov run' >want-cmds
if cmp -s readme-cmds want-cmds; then ok "README.md's first run: init, keygen, run"
else not_ok "README.md's first run: init, keygen, run" "$(diff readme-cmds want-cmds)"; fi

mkdir first && cd first || exit 1
case $PWD/ in
"$MCUPROV_SRCDIR"/* | "$(dirname "$M")"/*) skip_all "the work directory '$PWD' is inside mcuprov's tree" ;;
esac
assert "the journey starts in an empty directory" test -z "$(ls -A)"

# ---- 1. init
run "$M" init -p demo-qemu -t ecdsa-p256
check "init -p demo-qemu -t ecdsa-p256: exit 0, silent" 0 ''
assert "init: nothing on stdout" test ! -s "$T_TMP/out"
sed -e 's|^    type: ed25519 |    type: ecdsa-p256 |' \
    -e 's|sign_define: MCUBOOT_SIGN_ED25519$|sign_define: MCUBOOT_SIGN_EC256|' "$TPL/demo-qemu.yaml" >../want.yaml
if cmp -s mcuprov.yaml ../want.yaml; then ok "init: mcuprov.yaml is the profile for ecdsa-p256"
else not_ok "init: mcuprov.yaml is the profile for ecdsa-p256" "$(diff ../want.yaml mcuprov.yaml)"; fi
assert "init: the files" test "$(find . | LC_ALL=C sort | tr '\n' ' ')" = \
	". ./build ./build/demo-qemu ./build/demo-qemu/keys.c ./keys ./mcuprov.yaml "
assert "init: keys/ is 0700 and empty" test "$(stat -c %a keys)" = 700 -a -z "$(ls -A keys)"
assert "init: keys.c for ecdsa-p256, trusting nobody's key yet" \
	test "$(sed -n '4,5p' build/demo-qemu/keys.c)" = "#if defined(MCUBOOT_SIGN_EC256)
/* ecdsa-p256 key: the project's keys[0], provisioned by mcuprov */"

# ---- 2. keygen, with a password
KP=first-run-pw run "$M" keygen -k keys/demo-signing.pem -t ecdsa-p256 --passout env:KP
check "keygen: exit 0, silent on stderr" 0 ''
fp=$(KP=first-run-pw "$M" fingerprint -k keys/demo-signing.pem --passin env:KP | cut -d' ' -f2)
assert "keygen: the usual line" test "$(cat "$T_TMP/out")" = \
	"created ecdsa-p256 key 'keys/demo-signing.pem' (password-protected), fingerprint $fp"
assert "keygen: the key is 0600, encrypted" test "$(stat -c %a keys/demo-signing.pem) $(head -n 1 keys/demo-signing.pem)" = \
	"600 -----BEGIN ENCRYPTED PRIVATE KEY-----"

# ---- 3. run: provision, build, sign, verify, boot
KP=first-run-pw run "$M" run --passin env:KP
check "run: exit 0, nothing on stderr" 0 ''
assert "run: six steps" test "$(grep -o '^\[[0-9]/6\] [a-z ]*' "$T_TMP/out" | tr '\n' '|')" = \
	"[1/6] provision|[2/6] bootloader build|[3/6] app build|[4/6] sign|[5/6] verify|[6/6] run|"
assert "run: the loader shows the new key's fingerprint" grep -qx "      | key SHA-256 $fp" "$T_TMP/out"
assert "run: the app booted" grep -qx "      | mcuprov demo app: hello from the signed image" "$T_TMP/out"
assert "run: a success line" grep -q '^run: OK (6 steps, ' "$T_TMP/out"
assert "run: built from mcuprov's examples, not from this directory" \
	grep -q "^\[2/6\] bootloader build: make -C $(realpath "$MCUPROV_SRCDIR")/examples/demo-qemu O=$PWD/build/demo-qemu " "$T_TMP/out"
KP=first-run-pw "$M" getpub -k keys/demo-signing.pem --passin env:KP -e raw >../pub.der
if keysc_compile "$KEYSC_CC_ARM" -DMCUBOOT_SIGN_EC256 -- build/demo-qemu/keys.c ../keys.o &&
   keysc_check_key ../keys.o root_pub_der ../pub.der; then
	ok "run: the provisioned keys.c holds exactly the new key"
else not_ok "run: the provisioned keys.c holds exactly the new key" "$KEYSC_ERR"; fi
KP=first-run-pw run "$M" verify -k keys/demo-signing.pem --passin env:KP build/demo-qemu/app.signed.bin
check "run: the signed app verifies with the key" 0 ''
assert "run: keys/ still 0700, the key 0600" test "$(stat -c %a keys) $(stat -c %a keys/demo-signing.pem)" = "700 600"

# ---- relative paths are the project's, wherever mcuprov starts
cd "$T_TMP" && mkdir elsewhere && cd elsewhere || exit 1
P=$T_TMP/first
KP=first-run-pw run "$M" run --dry-run -f ../first/mcuprov.yaml --passin env:KP
check "run --dry-run -f from another directory: exit 0" 0 ''
grep '^\[' "$T_TMP/out" | sed 's/ make -C [^ ]* / make -C EX /' >../steps
printf '%s\n' "[1/6] provision" \
	"[2/6] bootloader build: make -C EX O=$P/build/demo-qemu KEYS_C=$P/build/demo-qemu/keys.c SIGN_DEFINE=MCUBOOT_SIGN_EC256 $P/build/demo-qemu/loader.elf" \
	"[3/6] app build: make -C EX O=$P/build/demo-qemu KEYS_C=$P/build/demo-qemu/keys.c SIGN_DEFINE=MCUBOOT_SIGN_EC256 $P/build/demo-qemu/app.bin" \
	"[4/6] sign" "[5/6] verify" \
	"[6/6] run: qemu-system-arm -M lm3s6965evb -nographic -semihosting-config enable=on,target=native -kernel $P/build/demo-qemu/loader.elf -device loader,file=$P/build/demo-qemu/app.signed.bin,addr=0x00010000" >../want
if cmp -s ../steps ../want; then ok "-f: every path is the project's"
else not_ok "-f: every path is the project's" "$(diff ../steps ../want)"; fi
assert "-f: provisioning finds the project's keys.c, already trusting the key" \
	grep -qx "      $P/build/demo-qemu/keys.c: already trusts the keys" "$T_TMP/out"
assert "-f --dry-run: nothing made here" test -z "$(ls -A)"

# ---- an installed layout: the examples read-only, where MCUPROV_EXAMPLES says
mkdir -p "$T_TMP/share" && cp -r "$MCUPROV_SRCDIR/examples" "$T_TMP/share/" && chmod -R a-w "$T_TMP/share"
listing() { find "$T_TMP/share" -printf '%p %s %T@\n' | LC_ALL=C sort; }
listing >../share.before
MCUPROV_EXAMPLES=$T_TMP/share/examples KP=first-run-pw run "$M" run -f ../first/mcuprov.yaml --passin env:KP
check "run with read-only examples elsewhere: exit 0" 0 ''
assert "read-only examples: built from them" \
	grep -q "^\[2/6\] bootloader build: make -C $T_TMP/share/examples/demo-qemu O=$P/build/demo-qemu " "$T_TMP/out"
assert "read-only examples: the loader shows the key" grep -qx "      | key SHA-256 $fp" "$T_TMP/out"
assert "read-only examples: nothing written into them" cmp -s ../share.before <(listing)
MCUPROV_EXAMPLES=$T_TMP/nowhere KP=first-run-pw run "$M" run --dry-run -f ../first/mcuprov.yaml --batch --passin env:KP
check "MCUPROV_EXAMPLES without the demo: exit 0" 0 ''
assert "MCUPROV_EXAMPLES without the demo: the next place, mcuprov's own" \
	grep -q "^\[2/6\] bootloader build: make -C $(realpath "$MCUPROV_SRCDIR")/examples/demo-qemu " "$T_TMP/out"
chmod -R u+w "$T_TMP/share"

done_testing
