#!/bin/bash
# mcuprov init: every profile of templates/targets written byte for byte and
# loadable again, with the one line of what it needs from the user (all but
# the self-contained demo-qemu, which gets its keys.c and key directory),
# --list with each profile's description, the default profile and output,
# no overwrite without --force, -o -, a profile given as a path,
# $MCUPROV_TEMPLATES first, -t TYPE and -k KEY, --supply DIR (what the
# profile needs, written into the project, and what `run --dry-run` then
# runs), and the errors with their exact messages and exit codes.  (The expansion of every profile's steps
# into exact argvs is in tests/unit/test-project.)
. "$MCUPROV_SRCDIR/tests/lib.sh"
unset MCUPROV_TEMPLATES

TPL=$MCUPROV_SRCDIR/templates/targets
PROFILES='cmake demo-qemu esp32 make mcuboot-qemu ncs zephyr zephyr-sysbuild'
USAGE='usage: mcuprov init [-p NAME|PATH] [-t TYPE] [-k KEY] [--supply DIR] [-o OUT] [--force] | init --list'

check_file() {
	if cmp -s "$2" "$3"; then ok "$1"; else not_ok "$1" "$(cmp "$2" "$3" 2>&1)"; fi
}

# needs OUT PROFILE: what init prints for PROFILE written to OUT: its
# "# needs:" line (line 2), or nothing for a self-contained profile; line 3
# is its "# supply:" line
needs() {
	sed -n '2s/^# needs: \(.*\)/'"${1//\//\\/}"': supply \1/p' "$TPL/$2.yaml"
}

# ---- the profiles shipped are the ones this test knows
have=$(cd "$TPL" && ls -- *.yaml | sed 's/\.yaml$//' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
if [ "$have" = "$PROFILES" ]; then ok "templates/targets holds the known profiles"
else not_ok "templates/targets holds the known profiles" "have: $have" "want: $PROFILES"; fi

# ---- --list: NAME (padded) and the first comment line, sorted
run "$M" init --list
check "--list: exit 0, silent" 0 ''
for p in $PROFILES; do
	printf '%-15s  %s\n' "$p" "$(head -n 1 "$TPL/$p.yaml" | sed 's/^# //')"
done >want-list
check_out "--list: every profile with its description" want-list
run "$M" init -l
check_out "-l is --list" want-list
for p in $PROFILES; do
	d=$(head -n 1 "$TPL/$p.yaml")
	case $d in
	'# '?????????????????*) ok "$p: the first line is a description" ;;
	*) not_ok "$p: the first line is a description" "$d" ;;
	esac
done

# ---- each profile, written and loaded again
for p in $PROFILES; do
	mkdir "d-$p" && cd "d-$p" || exit 1
	run "$M" init --profile "$p" -o "$p.yaml"
	check "$p: exit 0, nothing on stderr" 0 ''
	needs "$p.yaml" "$p" >want-needs
	check_out "$p: stdout: what the user supplies (nothing for demo-qemu)" want-needs
	check_file "$p: a byte-for-byte copy of the profile" "$p.yaml" "$TPL/$p.yaml"
	# init checks a profile given as a path by loading it as a project
	run "$M" init -p "./$p.yaml" -o "$p-again.yaml"
	check "$p: the written file loads as a project file" 0 ''
	check_file "$p: and copies as it is" "$p-again.yaml" "$TPL/$p.yaml"
	# the key directory, mode 0700; the demo's keys.c; nothing else
	if [ "$p" = demo-qemu ]; then
		want_files='./build ./build/demo-qemu ./build/demo-qemu/keys.c ./demo-qemu-again.yaml ./demo-qemu.yaml ./keys ./want-needs'
	elif [ "$p" = mcuboot-qemu ]; then
		want_files='./build ./build/mcuboot-qemu ./build/mcuboot-qemu/keys.c ./keys ./mcuboot-qemu-again.yaml ./mcuboot-qemu.yaml ./want-needs'
		assert "$p: its keys.c: a copy of the port's" cmp -s build/mcuboot-qemu/keys.c "$MCUPROV_SRCDIR/examples/mcuboot-qemu/keys.c"
	else
		want_files=$(printf '%s\n' "./$p-again.yaml" "./$p.yaml" ./keys ./want-needs | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
	fi
	assert "$p: the files made" test "$(find . -mindepth 1 | LC_ALL=C sort | tr '\n' ' ')" = "$want_files "
	assert "$p: the key directory is 0700" test "$(stat -c %a keys)" = 700
	cd "$T_TMP" || exit 1
	run "$M" init -p "$p.yaml" -o - # a NAME with .yaml
	check "$p: -p NAME.yaml, -o -: exit 0" 0 ''
	check_out "$p: -o - writes the profile to stdout" "$TPL/$p.yaml"
done

# ---- the default: zephyr-sysbuild into ./mcuprov.yaml
run "$M" init
check "no options: exit 0, silent" 0 ''
check_file "no options: mcuprov.yaml from zephyr-sysbuild" mcuprov.yaml "$TPL/zephyr-sysbuild.yaml"
mode=$(stat -c %a mcuprov.yaml)
umask_mode=$(printf '%o' $((0666 & ~$(umask))))
if [ "$mode" = "$umask_mode" ]; then ok "written with 0666 less the umask"
else not_ok "written with 0666 less the umask" "mode $mode, want $umask_mode"; fi

# ---- never overwrite without --force
echo '# my edits' >>mcuprov.yaml
cp mcuprov.yaml edited.yaml
run "$M" init -p ncs
check "an existing file: exit 1" 1 "mcuprov: init: 'mcuprov.yaml': already exists (use --force to replace it)"
check_file "an existing file is left as it was" mcuprov.yaml edited.yaml
run "$M" init -p ncs --force
check "--force: exit 0, silent" 0 ''
check_file "--force replaces the file" mcuprov.yaml "$TPL/ncs.yaml"
ln -s target.yaml link.yaml
run "$M" init -o link.yaml --force
check "a symbolic link is refused, even with --force" 1 "mcuprov: init: 'link.yaml': is a symbolic link; refusing to write through it"
assert "nothing written through the link" test ! -e target.yaml
mkdir -p sub
run "$M" init -p make -o sub/mcuprov.yaml
check "-o into a directory: exit 0" 0 ''
check_file "-o into a directory: the profile" sub/mcuprov.yaml "$TPL/make.yaml"
no_leftovers "no temporary files left" .
no_leftovers "no temporary files left in sub" sub

# ---- $MCUPROV_TEMPLATES/targets first
mkdir -p mine/targets
cp "$TPL/make.yaml" mine/targets/ncs.yaml
printf '# Our team profile\n' >mine/targets/team.yaml
sed 1d "$TPL/cmake.yaml" >>mine/targets/team.yaml
MCUPROV_TEMPLATES=$PWD/mine run "$M" init -p ncs -o from-env.yaml
check "MCUPROV_TEMPLATES: exit 0" 0 ''
check_file "MCUPROV_TEMPLATES/targets is searched first" from-env.yaml mine/targets/ncs.yaml
MCUPROV_TEMPLATES=$PWD/mine run "$M" init --list
{ grep -v '^ncs ' want-list; printf '%-15s  %s\n' ncs "$(head -n 1 "$TPL/make.yaml" | sed 's/^# //')"
  printf '%-15s  %s\n' team 'Our team profile'; } | LC_ALL=C sort >want-env-list
check_out "MCUPROV_TEMPLATES: --list adds and overrides profiles" want-env-list

# ---- "# keys_c from: FILE": the keys.c init copies, relative to the profile
mkdir -p kc/prof kc/w
printf '/* our port keys.c */\n' >kc/prof/port-keys.c
{ printf '# Our port\n# needs: our port in ../port\n# keys_c from: port-keys.c\n'
  sed 1d "$TPL/mcuboot-qemu.yaml" | sed '/^# needs: /d; /^# supply: /d; /^# keys_c from: /d'; } >kc/prof/ours.yaml
run "$M" init -p kc/prof/ours.yaml -o kc/w/mcuprov.yaml
check "keys_c from: a file beside the profile: exit 0" 0 ''
assert "keys_c from: the needs line printed" test "$(cat "$T_TMP/out")" = 'kc/w/mcuprov.yaml: supply our port in ../port'
check_file "keys_c from: copied to bootloader.keys_c" kc/w/build/mcuboot-qemu/keys.c kc/prof/port-keys.c
echo '/* edited */' >>kc/w/build/mcuboot-qemu/keys.c
cp kc/w/build/mcuboot-qemu/keys.c kc/edited.c
run "$M" init -p kc/prof/ours.yaml -o kc/w/mcuprov.yaml --force
check "keys_c from, --force: exit 0" 0 '*'
check_file "keys_c from, --force: copied again" kc/w/build/mcuboot-qemu/keys.c kc/prof/port-keys.c
echo '/* edited */' >>kc/w/build/mcuboot-qemu/keys.c
rm kc/w/mcuprov.yaml
run "$M" init -p kc/prof/ours.yaml -o kc/w/mcuprov.yaml
check "keys_c from, an existing keys.c: exit 0" 0 '*'
check_file "keys_c from: an existing keys.c is kept without --force" kc/w/build/mcuboot-qemu/keys.c kc/edited.c
sed 's/^# keys_c from: port-keys.c$/# keys_c from: gone.c/' kc/prof/ours.yaml >kc/prof/gone.yaml
run "$M" init -p kc/prof/gone.yaml -o kc/w/gone.yaml
check "keys_c from: a file that is not there: exit 1" 1 "mcuprov: init: 'kc/prof/gone.c': cannot open: No such file or directory"
assert "keys_c from, refused: no project file written" test ! -e kc/w/gone.yaml
sed '/^bootloader:$/,/^$/d' kc/prof/ours.yaml >kc/prof/noboot.yaml
run "$M" init -p kc/prof/noboot.yaml -o kc/w/noboot.yaml
check "keys_c from without bootloader.keys_c: exit 1" 1 "mcuprov: init: 'kc/prof/noboot.yaml': a '# keys_c from:' line, but no bootloader.keys_c to copy it to"

# ---- errors
run "$M" init -p nope
check "an unknown profile: exit 2, the available ones" 2 "mcuprov: init: profile 'nope': not found (available: cmake, demo-qemu, esp32, make, mcuboot-qemu, ncs, zephyr, zephyr-sysbuild)"
assert "an unknown profile writes nothing" test ! -e nope.yaml
run "$M" init -p ./missing.yaml -o x.yaml
check "a missing profile path: exit 1" 1 "mcuprov: init: './missing.yaml': cannot open: No such file or directory"
printf 'version: 1\nkeys:\n  - path: k.pem\n    type: ed25519\nimage:\n  header_size: 0x200\n  slot_size: 0x20000\n  version: 1.0.0\ntargets:\n  t:\n    app: a\n    signed_app: b\n    flash: ["west flash"]\n' >broken.yaml
run "$M" init -p ./broken.yaml -o x.yaml
check "a profile that does not load: exit 1 with file:line:column" 1 "mcuprov: init: ./broken.yaml:13:13: targets.t.flash[0]: expected a list of words (an argv), got a string; write [west, flash] not \"west flash\""
assert "a profile that does not load writes nothing" test ! -e x.yaml
run "$M" init --list -p ncs
check "--list with another option: exit 2" 2 "mcuprov: init: --list takes no other option
$USAGE"
run "$M" init --list -t ed25519
check "--list with -t: exit 2" 2 "mcuprov: init: --list takes no other option
$USAGE"
run "$M" init -t x25519 -o x.yaml
check "-t x25519: exit 2" 2 "mcuprov: init: invalid --type 'x25519' (rsa-2048, rsa-3072, ecdsa-p256, ecdsa-p384 or ed25519)
$USAGE"
run "$M" init -t rsa-1024 -o x.yaml
check "-t rsa-1024: exit 2" 2 "mcuprov: init: invalid --type 'rsa-1024' (rsa-2048, rsa-3072, ecdsa-p256, ecdsa-p384 or ed25519)
$USAGE"
run "$M" init -p zephyr-sysbuild -t ecdsa-p384 -o x.yaml
line=$(grep -n 'sign_type:' "$TPL/zephyr-sysbuild.yaml" | cut -d: -f1)
check "-t ecdsa-p384 where a var needs Kconfig's name: exit 2" 2 "mcuprov: init: '$TPL/zephyr-sysbuild.yaml': ecdsa-p384: Zephyr's Kconfig has no signature type for it (vars sign_type, line $line)"
assert "-t errors write nothing" test ! -e x.yaml
run "$M" init ncs
check "an argument: exit 2" 2 "mcuprov: init: unexpected argument 'ncs'
$USAGE"
run "$M" init -p
check "-p without its value: exit 2" 2 "mcuprov: init: option '-p' needs a value
$USAGE"
run "$M" init -o /nonexistent/dir/x.yaml
check "an output directory that does not exist: exit 1" 1 "mcuprov: init: '/nonexistent/dir/x.yaml': cannot create temporary file in '/nonexistent/dir': No such file or directory"
# ---- -t TYPE, -k KEY: the project for the user's key
mkdir tk && cd tk || exit 1
run "$M" init -p demo-qemu -t ecdsa-p256 -k "my keys/signing.pem"
check "-t -k: exit 0, silent" 0 ''
sed -e 's|^    type: ed25519 |    type: ecdsa-p256 |' \
    -e 's|^  - path: keys/demo-signing.pem$|  - path: "my keys/signing.pem"|' \
    -e 's|sign_define: MCUBOOT_SIGN_ED25519$|sign_define: MCUBOOT_SIGN_EC256|' "$TPL/demo-qemu.yaml" >want.yaml
check_file "-t -k: the profile with keys[0], its type and sign_define changed in place" mcuprov.yaml want.yaml
assert "-t -k: exactly three lines differ" test "$(diff "$TPL/demo-qemu.yaml" mcuprov.yaml | grep -c '^>')" = 3
assert "-t -k: the key's directory, 0700" test "$(stat -c %a "my keys")" = 700
assert "-t -k: the profile's key directory is not made" test ! -e keys
assert "-t -k: keys.c for ecdsa-p256, trusting no key of the user yet" \
	grep -qx '/\* ecdsa-p256 key: the project.s keys\[0\], provisioned by mcuprov \*/' build/demo-qemu/keys.c
assert "-t -k: keys.c compiles the EC256 block" grep -qx '#if defined(MCUBOOT_SIGN_EC256)' build/demo-qemu/keys.c
run "$M" init -p demo-qemu -t ecdsa-p256 -k "my keys/signing.pem" -o -
check "-t -k -o -: exit 0" 0 ''
check_out "-t -k -o -: the same text on stdout" want.yaml
cd "$T_TMP" || exit 1

# an existing key decides the type; -t must agree
mkdir ek && cd ek || exit 1
"$M" keygen -k k/p256.pem -t ecdsa-p256 >/dev/null
fp=$("$M" fingerprint -k k/p256.pem | cut -d' ' -f2)
run "$M" init -p demo-qemu -k k/p256.pem -t ed25519
check "-k of another type than -t: exit 1" 1 "mcuprov: init: 'k/p256.pem': is an ecdsa-p256 key, not ed25519"
assert "-k of another type: nothing written" test ! -e mcuprov.yaml
run "$M" init -p demo-qemu -k k/p256.pem
check "-k without -t: exit 0" 0 ''
assert "-k without -t: the key's type" grep -qx '    type: ecdsa-p256 .*' mcuprov.yaml
assert "-k without -t: the key's path, relative to the project" grep -qx '  - path: k/p256.pem' mcuprov.yaml
assert "-k readable: keys.c trusts it already" grep -qx "/\* ecdsa-p256 key, SHA-256 $fp \*/" build/demo-qemu/keys.c
mkdir sub
run "$M" init -p make -k k/p256.pem -o sub/mcuprov.yaml
check "-k outside the project directory: exit 0" 0 ''
assert "-k outside the project directory: written absolute" grep -qx "  - path: $PWD/k/p256.pem" sub/mcuprov.yaml
assert "-k outside: the needs line names the file written" test "$(cat "$T_TMP/out")" = "$(needs sub/mcuprov.yaml make)"
"$M" keygen -k enc.pem -t ed25519 --passout pass:pw >/dev/null
run "$M" init -p zephyr-sysbuild -k enc.pem -t rsa-2048 -o z.yaml
check "-k encrypted, -t: exit 0" 0 ''
assert "-t rsa-2048: sign_type follows" grep -q '^      sign_type: RSA ' z.yaml
assert "-t rsa-2048: keys[0]" test "$(grep -A1 '^  - path: enc.pem$' z.yaml | tail -n 1)" = '    type: rsa-2048'
cd "$T_TMP" || exit 1

# ---- --supply DIR: what the profile needs, written into the project
mkdir -p sp/fw/app sp/fw/blinky sp/w/src/boot "sp/w/my \${x}" && cd sp/w || exit 1
SP=$(cd .. && pwd -P)
for p in $PROFILES; do
	case $p in
	demo-qemu) want='' ;;
	zephyr-sysbuild) want='app_dir=app, app_name=basename(app_dir)' ;;
	zephyr | ncs) want='app_dir=app' ;;
	cmake | make) want='bootloader_dir=bootloader' ;;
	esp32 | mcuboot-qemu) want='mcuboot_dir=../mcuboot' ;;
	esac
	assert "$p: line 3 names what --supply sets" test \
		"$(sed -n '3s/^# supply: //p' "$TPL/$p.yaml")" = "$want"
done
# outside the project directory: absolute; the app's name follows its folder
run "$M" init -p zephyr-sysbuild --supply ../fw/blinky/
check "--supply outside the project: exit 0" 0 ''
printf '%s\n' "mcuprov.yaml: supplied app_dir: $SP/fw/blinky (the profile needs: $(sed -n '2s/^# needs: //p' "$TPL/zephyr-sysbuild.yaml"))" >want-out
check_out "--supply: says what it set, and what the profile needs" want-out
sed -e "s|^  conf: app/sysbuild/mcuboot.conf |  conf: $SP/fw/blinky/sysbuild/mcuboot.conf |" \
    -e "s|^      app_dir: app  |      app_dir: $SP/fw/blinky  |" \
    -e 's|^      app_name: app  |      app_name: blinky  |' "$TPL/zephyr-sysbuild.yaml" >want.yaml
check_file "--supply: conf, app_dir and app_name rewritten in place" mcuprov.yaml want.yaml
assert "--supply: exactly three lines differ" test "$(diff "$TPL/zephyr-sysbuild.yaml" mcuprov.yaml | grep -c '^>')" = 3
# below the project directory: relative to it, as -o's directory sees it
run "$M" init -p ncs --supply ../fw/app -o ../fw/mcuprov.yaml
check "--supply below -o's directory: exit 0" 0 ''
check_file "--supply: the profile's own folder gives the profile back" ../fw/mcuprov.yaml "$TPL/ncs.yaml"
assert "--supply below: written relative" grep -q '^../fw/mcuprov.yaml: supplied app_dir: app (the profile needs: ' "$T_TMP/out"
run "$M" init -p make --supply src/boot -o make.yaml
check "make --supply: exit 0" 0 ''
sed -e 's|^  keys_c: bootloader/src/keys.c$|  keys_c: src/boot/src/keys.c|' \
    -e 's|^      bootloader_dir: bootloader\( *\)|      bootloader_dir: src/boot\1|' "$TPL/make.yaml" >want.yaml
check_file "make --supply: keys_c below the folder, bootloader_dir in both targets" make.yaml want.yaml
run "$M" init -p cmake --supply . -o cmake.yaml
check "cmake --supply .: exit 0" 0 ''
sed -e 's|^  tree: bootloader$|  tree: "."|' \
    -e 's|^      bootloader_dir: bootloader\( *\)|      bootloader_dir: "."\1|' "$TPL/cmake.yaml" >want.yaml
check_file "cmake --supply .: the project directory itself (quoted)" cmake.yaml want.yaml
run "$M" init -p esp32 --supply src/boot -o esp32.yaml
check "esp32 --supply below: exit 0" 0 ''
sed -e 's|^      mcuboot_dir: "${project_dir}/../mcuboot"$|      mcuboot_dir: "${project_dir}/src/boot"|' "$TPL/esp32.yaml" >want.yaml
check_file "esp32 --supply: relative after \${project_dir}/, as the profile has it" esp32.yaml want.yaml
# the app the first init wrote, built (the key made now: the profiles above
# keep their own types)
"$M" keygen -k keys/signing.pem -t ed25519 >/dev/null
run "$M" run --dry-run
check "--supply, run --dry-run: exit 0" 0 ''
assert "run --dry-run: west builds the supplied app" grep -qxF \
	"[2/7] bootloader build: west build --sysbuild -b nrf52840dk/nrf52840 -d build $SP/fw/blinky -- -DSB_CONFIG_BOOTLOADER_MCUBOOT=y -DSB_CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y '-DSB_CONFIG_BOOT_SIGNATURE_KEY_FILE=\"$SP/w/keys/signing.pem\"'" "$T_TMP/out"
assert "run --dry-run: the app's sysbuild domain" grep -qxF \
	"[7/7] flash: west flash -d build --domain blinky --runner jlink --dt-flash=y --bin-file build/blinky/zephyr/zephyr.mcuprov.bin" "$T_TMP/out"
assert "run --dry-run: provisions the fragment in the supplied app" grep -qxF \
	"      $SP/fw/blinky/sysbuild/mcuboot.conf: would change (dry run)" "$T_TMP/out"
assert "run --dry-run: nothing written in the app" test ! -e ../fw/blinky/sysbuild
run "$M" init -p zephyr --supply "my \${x}" -o zephyr.yaml
check "--supply with \${ in its name: exit 0" 0 ''
assert "--supply: \${ escaped in a var, quoted" grep -qxF '      app_dir: "my $${x}"' zephyr.yaml
run "$M" run --dry-run -f zephyr.yaml
assert "--supply with \${: the word west gets" grep -qF " -d build/app 'my \${x}' -- " "$T_TMP/out"
# the refusals
run "$M" init -p zephyr-sysbuild --supply x/app -o x.yaml
check "--supply that is not there: exit 1" 1 "mcuprov: init: 'x/app': no such directory (the profile needs: $(sed -n '2s/^# needs: //p' "$TPL/zephyr-sysbuild.yaml"))"
run "$M" init -p cmake --supply keys/signing.pem -o x.yaml
check "--supply that is a file: exit 1" 1 "mcuprov: init: 'keys/signing.pem': not a directory (the profile needs: $(sed -n '2s/^# needs: //p' "$TPL/cmake.yaml"))"
run "$M" init -p demo-qemu --supply . -o x.yaml
check "--supply for a self-contained profile: exit 2" 2 "mcuprov: init: profile 'demo-qemu' is self-contained: it needs nothing supplied"
sed 3d "$TPL/ncs.yaml" >nosupply.yaml
run "$M" init -p ./nosupply.yaml --supply . -o x.yaml
check "--supply for a profile without a supply line: exit 2" 2 "mcuprov: init: profile './nosupply.yaml' names no directory to supply (no '# supply:' line)"
sed '3s/.*/# supply: app_dir app/' "$TPL/ncs.yaml" >badsupply.yaml
run "$M" init -p ./badsupply.yaml -o x.yaml
check "a supply line that does not parse: exit 1, even without --supply" 1 "mcuprov: init: './badsupply.yaml': '# supply: app_dir app': expected VAR=DEFAULT, then NAME=basename(VAR) for each var that holds its basename"
sed '3s/.*/# supply: src_dir=app/' "$TPL/ncs.yaml" >novar.yaml
run "$M" init -p ./novar.yaml -o x.yaml
check "a supply line for a var no target sets: exit 1" 1 "mcuprov: init: './novar.yaml': '# supply:' names the var 'src_dir', which no target sets"
assert "the refusals write nothing" test ! -e x.yaml
run "$M" init --list --supply .
check "--list with --supply: exit 2" 2 "mcuprov: init: --list takes no other option
$USAGE"
cd "$T_TMP" || exit 1

run "$M" init --help
if [ "$RC" = 0 ] && [ "$(head -n 1 "$T_TMP/out")" = "$USAGE" ]; then ok "--help"
else not_ok "--help" "rc=$RC $(head -n 1 "$T_TMP/out")"; fi

done_testing
