#!/bin/bash
# The command line itself: help for every command, usage errors, exit codes,
# and a failed write to stdout.
. "$MCUPROV_SRCDIR/tests/lib.sh"

cmds="keygen getpub getpubhash getpriv keyinfo fingerprint sign create verify decrypt dumpinfo patch rotate render init demo build flash run wizard help version"
for c in $cmds; do
	run "$M" "$c" --help
	if [ "$RC" = 0 ] && [ "$(head -n 1 "$T_TMP/out" | cut -d' ' -f1-3)" = "usage: mcuprov $c" ] && [ ! -s "$T_TMP/err" ]; then
		ok "$c --help"; else not_ok "$c --help" "rc=$RC $(head -n 2 "$T_TMP/out")"; fi
	run "$M" help "$c"
	if [ "$RC" = 0 ] && [ "$(head -n 1 "$T_TMP/out" | cut -d' ' -f1-3)" = "usage: mcuprov $c" ]; then
		ok "help $c"; else not_ok "help $c"; fi
done
run "$M" help
if [ "$RC" = 0 ] && [ "$(grep -c '^  [a-z]' "$T_TMP/out")" = "$(echo $cmds | wc -w)" ]; then
	ok "help lists every command"; else not_ok "help lists every command" "$(cat "$T_TMP/out")"; fi
run "$M" --help
check "--help exits 0" 0 ''
run "$M"
assert "no command: exit 2 with the command list on stderr" sh -c "[ $RC = 2 ] && grep -q '^usage: mcuprov' '$T_TMP/err'"
run "$M" frobnicate
check "unknown command: exit 2" 2 "mcuprov: 'frobnicate' is not a command; see 'mcuprov help'"
run "$M" --frob getpub
assert "unknown global option: exit 2" sh -c "[ $RC = 2 ] && head -n 1 '$T_TMP/err' | grep -qx \"mcuprov: unknown option '--frob'\""
run "$M" --version
check_out "--version" <(echo "mcuprov $(sed -n 's/^AC_INIT(\[mcuprov\], \[\([^]]*\)\].*/\1/p' "$MCUPROV_SRCDIR/configure.ac")")
run "$M" version
check "version exits 0" 0 ''
run "$M" getpub --bogus
check "unknown long option: exit 2" 2 "mcuprov: getpub: unknown option '--bogus'
usage: mcuprov getpub -k KEY [-e lang-c|lang-rust|pem|raw] [--name-suffix S] [-o OUT] [--passin SRC]"
run "$M" fingerprint -x
check "unknown short option: exit 2" 2 "mcuprov: fingerprint: unknown option '-x'
usage: mcuprov fingerprint -k KEY [--passin SRC]"
run "$M" fingerprint -k
check "option without its value: exit 2" 2 "mcuprov: fingerprint: option '-k' needs a value
usage: mcuprov fingerprint -k KEY [--passin SRC]"
run "$M" keyinfo --passin
check "long option without its value: exit 2" 2 "mcuprov: keyinfo: option '--passin' needs a value
usage: mcuprov keyinfo -k KEY [--require private|public] [--passin SRC]"
run "$M" getpub -k a.pem extra
check "stray argument: exit 2" 2 "mcuprov: getpub: unexpected argument 'extra'
usage: mcuprov getpub -k KEY [-e lang-c|lang-rust|pem|raw] [--name-suffix S] [-o OUT] [--passin SRC]"
run "$M" getpub -k a.pem -e raw -l c
check "-e with -l: exit 2" 2 "mcuprov: getpub: give either -e/--encoding or -l/--lang, not both
usage: mcuprov getpub -k KEY [-e lang-c|lang-rust|pem|raw] [--name-suffix S] [-o OUT] [--passin SRC]"

if [ -w /dev/full ]; then
	"$M" keygen -k k.pem -t ed25519 >/dev/null
	"$M" getpub -k k.pem >/dev/full 2>"$T_TMP/err"
	RC=$?
	check "write error on stdout: exit 1" 1 "mcuprov: getpub: write error on standard output: No space left on device"
fi

done_testing
