#!/bin/bash
# kill: mcuprov killed (SIGKILL, SIGTERM, SIGHUP) at random points of sign
# (a 64 MiB image), patch, rotate add and keygen.  Afterwards every file is
# its old version or its new one, complete; a caught signal leaves no
# temporary file; one a SIGKILL left is removed by the next run writing
# that file; a rotation killed half-way is finished by the next run that
# takes the project's lock (mcuprov.yaml and keys.c agree), from a journal
# that is refused when it names anything but temporary files of its own.
. "$MCUPROV_SRCDIR/tests/lib.sh"

ROUNDS=${MCUPROV_KILL_ROUNDS:-8}

# rsleep MAX: sleep a random 0 .. MAX-1 ms (MAX at most 1000)
rsleep() { sleep "$(printf '0.%03d' $((RANDOM % $1)))"; }

# killed SIG MAXMS CMD...: CMD in the background, sent SIG after a random
# 0 .. MAXMS-1 ms; KRC its exit status (128 + SIG when the signal ended it)
killed() {
	local sig=$1 max=$2 pid
	shift 2
	"$@" >"$T_TMP/kout" 2>"$T_TMP/kerr" </dev/null &
	pid=$!
	rsleep "$max"
	kill -s "$sig" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	KRC=$?
}

# signum SIG: its number
signum() { kill -l "$1"; }

# tmps DIR...: the temporary files (*.tmp-*) in DIRs, one per line
tmps() { find "$@" -maxdepth 1 -name '*.tmp-*' | sort; }

# tally DESC BAD...: one TAP line for a series of rounds; BAD lists what
# went wrong (empty: ok)
tally() {
	local desc=$1
	shift
	if [ -z "$*" ]; then ok "$desc"; else not_ok "$desc" "$@"; fi
}

# wait_for GLOB: until a file matching GLOB exists (at most ~5 s)
wait_for() {
	local i
	for ((i = 0; i < 5000; i++)); do
		compgen -G "$1" >/dev/null && return 0
		sleep 0.001
	done
	return 1
}

# a pid no process has
dead_pid() {
	local p=999999
	while [ -e /proc/$p ]; do p=$((p + 1)); done
	echo $p
}

"$M" keygen -k sig.pem -t ed25519 >/dev/null
for k in a b c; do "$M" keygen -k $k.pem -t ed25519 >/dev/null; done

# ---- sign: a 64 MiB image, OUT absent or old before
mkdir s && cd s || exit 1
head -c 64M /dev/zero | tr '\0' '\252' >app.bin
# (an array, not a function: "CMD &" must start mcuprov itself, whose pid
# is $!, not a subshell)
SIGN=("$M" sign -k ../sig.pem -H 0x200 --pad-header -S 0x5000000 app.bin)
"${SIGN[@]}" -v 1.0.0 old.bin >/dev/null && "${SIGN[@]}" -v 2.0.0 new.bin >/dev/null || exit 1
run "$M" verify -k ../sig.pem new.bin
check "sign: the reference image verifies" 0 ''

# deterministic: a signal while OUT's temporary file is being written
for sig in TERM HUP; do
	rm -f out.bin
	"${SIGN[@]}" -v 2.0.0 out.bin >/dev/null 2>"$T_TMP/kerr" &
	pid=$!
	wait_for 'out.bin.tmp-*'
	kill -s $sig $pid
	wait $pid 2>/dev/null
	KRC=$?
	if [ $KRC = $((128 + $(signum $sig))) ] && [ ! -e out.bin ]; then
		ok "sign: SIG$sig while writing: ended by the signal, no output"
	else
		not_ok "sign: SIG$sig while writing: ended by the signal, no output" "exit $KRC" "$(ls)"
	fi
	assert "sign: SIG$sig while writing: its temporary file is removed" test -z "$(tmps .)"
done
rm -f out.bin
"${SIGN[@]}" -v 2.0.0 out.bin >/dev/null &
pid=$!
wait_for 'out.bin.tmp-*'
kill -KILL $pid
wait $pid 2>/dev/null
KRC=$?
left=$(tmps .)
if [ $KRC = 137 ] && [ ! -e out.bin ] && [ "$(echo "$left" | wc -l)" = 1 ] &&
   [[ $left == "./out.bin.tmp-"[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f].$pid ]]; then
	ok "sign: SIGKILL while writing leaves its temporary file, named OUT.tmp-<12 hex>.<pid>"
else
	not_ok "sign: SIGKILL while writing leaves its temporary file, named OUT.tmp-<12 hex>.<pid>" \
		"exit $KRC, left: $left"
fi
# another process's temporary file for the same OUT, alive: never removed
sleep 30 &
alive=$!
: >"out.bin.tmp-0123456789ab.$alive"
: >"other.bin.tmp-0123456789ab.$(dead_pid)"
run "${SIGN[@]}" -v 2.0.0 out.bin
check "sign: the next run after a SIGKILL: exit 0" 0 ''
assert "sign: ... the image is complete" cmp -s out.bin new.bin
assert "sign: ... the dead run's temporary file is removed, a live one's and another file's kept" \
	test "$(tmps .)" = "$(printf './other.bin.tmp-0123456789ab.%s\n./out.bin.tmp-0123456789ab.%s' "$(dead_pid)" $alive | sort)"
kill $alive
wait $alive 2>/dev/null
rm -f ./*.tmp-*

# random points: OUT absent or old before; after, absent, old or complete
for sig in KILL TERM; do
	bad=() done_n=0 cut_n=0
	for ((i = 0; i < ROUNDS; i++)); do
		if ((i % 2)); then cp old.bin out.bin; else rm -f out.bin; fi
		killed $sig 200 "${SIGN[@]}" -v 2.0.0 out.bin
		case $KRC in 0) done_n=$((done_n + 1)) ;; $((128 + $(signum $sig)))) cut_n=$((cut_n + 1)) ;;
		*) bad+=("round $i: exit $KRC: $(cat "$T_TMP/kerr")") ;; esac
		if [ -e out.bin ] && ! cmp -s out.bin new.bin && ! { ((i % 2)) && cmp -s out.bin old.bin; }; then
			bad+=("round $i (exit $KRC): out.bin is neither the old nor the new image")
		fi
		if [ $sig = TERM ] && [ -n "$(tmps .)" ]; then
			bad+=("round $i (exit $KRC): left $(tmps .)")
		fi
		if [ -e out.bin ] && ! "$M" verify -k ../sig.pem out.bin >/dev/null 2>&1; then
			bad+=("round $i (exit $KRC): out.bin does not verify")
		fi
		# the next run writing OUT leaves no temporary file
		"${SIGN[@]}" -v 2.0.0 out.bin >/dev/null 2>&1 || bad+=("round $i: the next sign failed")
		[ -z "$(tmps .)" ] || bad+=("round $i: the next sign left $(tmps .)")
	done
	echo "# sign, SIG$sig: $cut_n of $ROUNDS killed, $done_n finished"
	tally "sign, SIG$sig at random points: OUT absent, old or complete; no temporary file left" "${bad[@]}"
done
rm -f app.bin old.bin new.bin out.bin
cd .. || exit 1

# ---- patch --keys-c: keys.c trusts the old keys or the new ones, exactly
mkdir p && cd p || exit 1
"$M" init -p demo-qemu -t ed25519 >/dev/null || exit 1
cp build/demo-qemu/keys.c . && rm -rf build mcuprov.yaml keys
"$M" patch --keys-c keys.c -k ../a.pem >/dev/null 2>&1 || exit 1
# trusts KEY...: keys.c trusts exactly KEYs, in this order
trusts() {
	local args=() k
	for k in "$@"; do args+=(-k "$k"); done
	[ "$("$M" patch --keys-c keys.c "${args[@]}" --dry-run 2>/dev/null | tail -n 1)" = \
	  "'keys.c' already trusts these keys: nothing to change" ]
}
assert "patch: the check tells one key set from another" trusts ../a.pem
assert "patch: ... (it is exact)" test "$(trusts ../a.pem ../b.pem; echo $?)" = 1
sets=("../a.pem" "../b.pem ../c.pem" "../c.pem ../a.pem ../b.pem")
cur=0
for sig in KILL TERM; do
	bad=() done_n=0 cut_n=0
	for ((i = 0; i < ROUNDS; i++)); do
		next=$(((cur + 1 + i % 2) % 3))
		# shellcheck disable=SC2086
		killed $sig 60 "$M" patch --keys-c keys.c $(printf -- '-k %s ' ${sets[next]})
		case $KRC in 0) done_n=$((done_n + 1)) ;; $((128 + $(signum $sig)))) cut_n=$((cut_n + 1)) ;;
		*) bad+=("round $i: exit $KRC: $(cat "$T_TMP/kerr")") ;; esac
		# shellcheck disable=SC2086
		if trusts ${sets[next]}; then
			cur=$next
		elif ! trusts ${sets[cur]}; then
			bad+=("round $i (exit $KRC): keys.c trusts neither '${sets[cur]}' nor '${sets[next]}'")
			break
		fi
		if [ $sig = TERM ] && [ -n "$(tmps .)" ]; then
			bad+=("round $i (exit $KRC): left $(tmps .)")
		fi
	done
	echo "# patch, SIG$sig: $cut_n of $ROUNDS killed, $done_n finished"
	tally "patch, SIG$sig at random points: keys.c trusts the old keys or the new ones" "${bad[@]}"
	next=$(((cur + 1) % 3))
	# shellcheck disable=SC2086
	run "$M" patch --keys-c keys.c $(printf -- '-k %s ' ${sets[next]})
	check "patch, after the SIG$sig rounds: the next patch: exit 0" 0 '*'
	# shellcheck disable=SC2086
	assert "patch, after the SIG$sig rounds: ... it trusts the new keys" trusts ${sets[next]}
	cur=$next
	no_leftovers "patch, after the SIG$sig rounds: ... no temporary file left" .
done
cd .. || exit 1

# ---- rotate add: mcuprov.yaml and keys.c agree once the next run is done
mkdir r0 && cd r0 || exit 1
KC=build/demo-qemu/keys.c
"$M" init -p demo-qemu -t ed25519 >/dev/null &&
	"$M" keygen -k keys/demo-signing.pem -t ed25519 >/dev/null &&
	"$M" patch --keys-c $KC -k keys/demo-signing.pem >/dev/null 2>&1 && rm $KC.bak || exit 1
cd .. || exit 1
D=$(pwd -P) # keys outside the project are listed by their absolute paths
# yaml_keys: mcuprov.yaml's key paths, in order
yaml_keys() { sed -n '/^keys:/,/^$/s/^  - path: //p' mcuprov.yaml; }
# agree: keys.c trusts exactly mcuprov.yaml's keys, in order
agree() {
	local args=() k
	for k in $(yaml_keys); do args+=(-k "$k"); done
	[ "$("$M" patch --keys-c $KC "${args[@]}" --dry-run 2>/dev/null | tail -n 1)" = \
	  "'$KC' already trusts these keys: nothing to change" ]
}
(cd r0 && agree) && ok "rotate: the check sees agreement" || not_ok "rotate: the check sees agreement"
cp -a r0 rx && (cd rx && "$M" patch --keys-c $KC -k ../a.pem >/dev/null 2>&1 && ! agree) &&
	ok "rotate: ... and disagreement" || not_ok "rotate: ... and disagreement"
n=0
for sig in KILL TERM; do
	bad=() done_n=0 cut_n=0 recovered=0
	for ((i = 0; i < ROUNDS; i++)); do
		n=$((n + 1))
		rm -rf r && cp -a r0 r && cd r || exit 1
		"$M" keygen -k ../new$n.pem -t ed25519 >/dev/null
		"$M" keygen -k ../next$n.pem -t ed25519 >/dev/null
		killed $sig 90 "$M" rotate add ../new$n.pem
		case $KRC in 0) done_n=$((done_n + 1)) ;; $((128 + $(signum $sig)))) cut_n=$((cut_n + 1)) ;;
		*) bad+=("round $i: exit $KRC: $(cat "$T_TMP/kerr")") ;; esac
		if [ $sig = TERM ] && [ -n "$(tmps . build/demo-qemu keys)" ]; then
			bad+=("round $i (exit $KRC): left $(tmps . build/demo-qemu keys)")
		fi
		[ -e .mcuprov-journal ] && recovered=$((recovered + 1))
		# the next run that takes the lock
		run "$M" rotate add ../next$n.pem
		if [ $RC != 0 ]; then
			bad+=("round $i (exit $KRC): the next rotate add: exit $RC: $(cat "$T_TMP/err")")
		else
			agree || bad+=("round $i (exit $KRC): mcuprov.yaml and keys.c disagree: $(yaml_keys | tr '\n' ' ')")
			[ "$(yaml_keys | head -n 1)" = "$D/next$n.pem" ] ||
				bad+=("round $i (exit $KRC): next$n.pem does not sign: $(yaml_keys | tr '\n' ' ')")
			[ -z "$(tmps . build/demo-qemu keys)" ] ||
				bad+=("round $i (exit $KRC): after the next run: left $(tmps . build/demo-qemu keys)")
			[ ! -e .mcuprov-journal ] || bad+=("round $i (exit $KRC): the journal stays")
		fi
		cd .. || exit 1
	done
	echo "# rotate add, SIG$sig: $cut_n of $ROUNDS killed, $done_n finished, $recovered left a journal"
	tally "rotate add, SIG$sig at random points: the next run leaves mcuprov.yaml and keys.c agreeing, no temporary file" "${bad[@]}"
done

# ---- a rotation killed after its journal was written, by hand: the
# journal names a complete new keys.c and mcuprov.yaml (of a rotation done
# in a copy), as temporary files of a process that is gone
rm -rf r scratch && cp -a r0 r && cp -a r0 scratch || exit 1
"$M" keygen -k half.pem -t ed25519 >/dev/null && "$M" keygen -k newkey.pem -t ed25519 >/dev/null
(cd scratch && "$M" rotate add ../half.pem >/dev/null) || exit 1
cd r || exit 1
P=$(pwd -P) dp=$(dead_pid)
TK=$KC.tmp-0123456789ab.$dp TY=mcuprov.yaml.tmp-abcdef012345.$dp
cp ../scratch/$KC "$TK" && cp ../scratch/mcuprov.yaml "$TY" || exit 1
cp -p ../scratch/keys/demo-signing.pub.pem keys/ # written before the change began
cp -p mcuprov.yaml mcuprov.yaml.orig && cp -p $KC $KC.orig
# journal NAME...: .mcuprov-journal naming NAMEs (each ends with a NUL)
journal() { { printf 'mcuprov-journal 1\n'; printf '%s\0' "$@"; } >.mcuprov-journal; }
# unchanged DESC: nothing moved, nothing written, the journal kept
unchanged() {
	local bad=
	cmp -s mcuprov.yaml mcuprov.yaml.orig || bad="$bad mcuprov.yaml changed;"
	cmp -s $KC $KC.orig || bad="$bad keys.c changed;"
	cmp -s "$TK" ../scratch/$KC && cmp -s "$TY" ../scratch/mcuprov.yaml || bad="$bad a temporary file moved;"
	[ -z "$(find . -name '*.bak*')" ] || bad="$bad backups written: $(find . -name '*.bak*');"
	[ -e .mcuprov-journal ] || bad="$bad the journal is gone;"
	if [ -z "$bad" ]; then ok "$1"; else not_ok "$1" "$bad"; fi
}
journal /etc/passwd "$P/x" "$P/$TK" "$P/$KC" "$P/$TY" "$P/mcuprov.yaml"
run "$M" rotate add ../newkey.pem
check "journal naming /etc/passwd: refused, exit 1" 1 \
	"mcuprov: rotate: '$P/.mcuprov-journal': names '/etc/passwd', which is not a temporary file beside '$P/x': remove the journal to go on"
unchanged "journal naming /etc/passwd: nothing changed"
assert "journal naming /etc/passwd: no file 'x' made" test ! -e x
journal "$P/$TK" "$P/$KC" "$P/$TY" "$P/build/mcuprov.yaml"
run "$M" rotate add ../newkey.pem
check "journal moving a temporary file to another directory: refused, exit 1" 1 \
	"mcuprov: rotate: '$P/.mcuprov-journal': names '$P/$TY', which is not a temporary file beside '$P/build/mcuprov.yaml': remove the journal to go on"
unchanged "journal moving a temporary file to another directory: nothing changed"
journal "$P/$TK" "$P/$KC" "$P/$TY" "$P/mcuprov.yaml"
head -c -3 .mcuprov-journal >j && mv j .mcuprov-journal
run "$M" rotate add ../newkey.pem
check "truncated journal: refused, exit 1" 1 \
	"mcuprov: rotate: '$P/.mcuprov-journal': not a journal of an interrupted change; remove it to go on"
unchanged "truncated journal: nothing changed"
printf 'mcuprov-journal 2\n%s\0%s\0' "$P/$TK" "$P/$KC" >.mcuprov-journal
run "$M" rotate add ../newkey.pem
check "journal of another version: refused, exit 1" 1 \
	"mcuprov: rotate: '$P/.mcuprov-journal': not a journal of an interrupted change; remove it to go on"
unchanged "journal of another version: nothing changed"
run "$M" rotate add ../newkey.pem --dry-run
check "a dry run takes no lock and recovers nothing: exit 0" 0 ''
unchanged "a dry run: nothing changed"

journal "$P/$TK" "$P/$KC" "$P/$TY" "$P/mcuprov.yaml"
run "$M" rotate add ../newkey.pem
check "journal of a change killed before its renames: the next rotate finishes it first, exit 0" 0 \
	"mcuprov: rotate: finished a change an earlier run left half-done: '$P/$KC', '$P/mcuprov.yaml'"
assert "... the finished change is what the new rotation started from" \
	cmp -s mcuprov.yaml.bak ../scratch/mcuprov.yaml
assert "... and keys.c's" cmp -s $KC.bak ../scratch/$KC
assert "... mcuprov.yaml lists the new key, then the finished change's and the first one as public halves" \
	test "$(yaml_keys | tr '\n' ' ')" = "$D/newkey.pem $D/half.pub.pem keys/demo-signing.pub.pem "
assert "... keys.c trusts exactly those keys" agree
assert "... the journal is gone" test ! -e .mcuprov-journal
assert "... no temporary file left" test -z "$(tmps . build/demo-qemu keys)"
cd .. || exit 1

# killed between the renames: keys.c moved, mcuprov.yaml's pending
rm -rf r && cp -a r0 r && cd r || exit 1
cp ../scratch/$KC $KC && cp ../scratch/mcuprov.yaml "$TY" && cp -p ../scratch/keys/demo-signing.pub.pem keys/
journal "$P/$TK" "$P/$KC" "$P/$TY" "$P/mcuprov.yaml"
run "$M" rotate add ../newkey.pem
check "journal of a change killed between its renames: the next rotate finishes it, exit 0" 0 \
	"mcuprov: rotate: finished a change an earlier run left half-done: '$P/mcuprov.yaml'"
assert "... mcuprov.yaml lists the new key, then the finished change's and the first one as public halves" \
	test "$(yaml_keys | tr '\n' ' ')" = "$D/newkey.pem $D/half.pub.pem keys/demo-signing.pub.pem "
assert "... keys.c trusts exactly those keys" agree
assert "... the journal is gone, no temporary file left" \
	test ! -e .mcuprov-journal -a -z "$(tmps . build/demo-qemu keys)"
cd .. || exit 1

# ---- keygen: the key file absent or complete
mkdir k && cd k || exit 1
for sig in KILL TERM; do
	bad=() done_n=0 cut_n=0
	for ((i = 0; i < ROUNDS; i++)); do
		rm -f key.pem
		killed $sig 350 "$M" keygen -k key.pem -t ed25519 --passout pass:pw
		case $KRC in 0) done_n=$((done_n + 1)) ;; $((128 + $(signum $sig)))) cut_n=$((cut_n + 1)) ;;
		*) bad+=("round $i: exit $KRC: $(cat "$T_TMP/kerr")") ;; esac
		if [ -e key.pem ] && ! "$M" getpub -k key.pem --passin pass:pw >/dev/null 2>&1; then
			bad+=("round $i (exit $KRC): key.pem is there but does not load")
		fi
		if [ $sig = TERM ] && [ -n "$(tmps .)" ]; then
			bad+=("round $i (exit $KRC): left $(tmps .)")
		fi
		"$M" keygen -k key.pem -t ed25519 --force >/dev/null 2>&1 ||
			bad+=("round $i: the next keygen failed")
		[ -z "$(tmps .)" ] || bad+=("round $i: the next keygen left $(tmps .)")
	done
	echo "# keygen, SIG$sig: $cut_n of $ROUNDS killed, $done_n finished"
	tally "keygen, SIG$sig at random points: the key file absent or complete; no temporary file left" "${bad[@]}"
done
cd .. || exit 1

done_testing
