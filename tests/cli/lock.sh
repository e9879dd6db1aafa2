#!/bin/bash
# lock: commands that change a project's files lock the directories of
# those files (flock(2) on the directory): another holder makes them wait
# with a notice, then give up after --lock-timeout SECONDS
# (MCUPROV_LOCK_TIMEOUT) with nothing changed; a lock released in time
# lets them go on; concurrent rotations all land.
. "$MCUPROV_SRCDIR/tests/lib.sh"
command -v flock >/dev/null && command -v ps >/dev/null || skip_all "flock(1) (util-linux) or ps (procps) not found"

KC=build/demo-qemu/keys.c
mkdir r0 && cd r0 || exit 1
"$M" init -p demo-qemu -t ed25519 >/dev/null &&
	"$M" keygen -k keys/demo-signing.pem -t ed25519 >/dev/null &&
	"$M" patch --keys-c $KC -k keys/demo-signing.pem >/dev/null 2>&1 && rm $KC.bak || exit 1
cd .. || exit 1
D=$(pwd -P)
for k in k1 k2 k3 k4 k5; do "$M" keygen -k $k.pem -t ed25519 >/dev/null; done

# yaml_keys: mcuprov.yaml's key paths, in order
yaml_keys() { sed -n '/^keys:/,/^$/s/^  - path: //p' mcuprov.yaml; }
# agree: keys.c trusts exactly mcuprov.yaml's keys, in order
agree() {
	local args=() k
	for k in $(yaml_keys); do args+=(-k "$k"); done
	[ "$("$M" patch --keys-c $KC "${args[@]}" --dry-run 2>/dev/null | tail -n 1)" = \
	  "'$KC' already trusts these keys: nothing to change" ]
}
# hold DIR SECONDS: flock(1) holds DIR's lock for SECONDS, in the
# background; HOLDER its pid (the lock's owner in /proc/locks)
hold() {
	flock "$1" sleep "$2" &
	HOLDER=$!
	# until it has it (flock -n would take it for a moment when free:
	# the holder then waits for that moment)
	local i
	for ((i = 0; i < 500; i++)); do
		flock -n -E 99 "$1" true
		[ $? = 99 ] && return 0
		sleep 0.01
	done
	echo "# the holder never got the lock on $1"
}
# unhold: end the holder (its sleep, which shares the lock, first)
unhold() {
	local c
	c=$(ps -o pid= --ppid "$HOLDER")
	[ -z "$c" ] || kill $c
	wait "$HOLDER" 2>/dev/null
}
# unchanged DESC: mcuprov.yaml and keys.c as they were, no backup, no
# public key written, no temporary file
unchanged() {
	local bad=
	cmp -s mcuprov.yaml ../r0/mcuprov.yaml || bad="$bad mcuprov.yaml changed;"
	cmp -s $KC ../r0/$KC || bad="$bad keys.c changed;"
	[ -z "$(find . -name '*.bak*' -o -name '*.tmp-*' -o -name '*.pub.pem')" ] ||
		bad="$bad written: $(find . -name '*.bak*' -o -name '*.tmp-*' -o -name '*.pub.pem');"
	if [ -z "$bad" ]; then ok "$1"; else not_ok "$1" "$bad"; fi
}

cp -a r0 r && cd r || exit 1
P=$(pwd -P)

# ---- the project's directory held by another process
hold . 5
run "$M" rotate add ../k1.pem --lock-timeout 0.5
check "rotate add, project locked, --lock-timeout 0.5: the notice, then it gives up, exit 1" 1 \
"mcuprov: rotate: waiting for the lock on 'mcuprov.yaml' held by pid $HOLDER
mcuprov: rotate: 'mcuprov.yaml': another mcuprov (pid $HOLDER) is changing files in '$P': gave up after 0.5 s (--lock-timeout SECONDS)"
assert "rotate add, project locked: nothing on stdout" test ! -s "$T_TMP/out"
unchanged "rotate add, project locked: nothing changed"
start=$(date +%s%N)
run "$M" rotate add ../k1.pem --lock-timeout 0
took=$((($(date +%s%N) - start) / 1000000))
check "rotate add, project locked, --lock-timeout 0: gives up at once, no notice, exit 1" 1 \
	"mcuprov: rotate: 'mcuprov.yaml': another mcuprov (pid $HOLDER) is changing files in '$P': gave up after 0.0 s (--lock-timeout SECONDS)"
if [ $took -lt 2000 ]; then ok "... well before the default 5 s"; else not_ok "... well before the default 5 s" "took $took ms"; fi
MCUPROV_LOCK_TIMEOUT=0.2 run "$M" rotate add ../k1.pem
check "MCUPROV_LOCK_TIMEOUT=0.2: the wait without --lock-timeout" 1 \
"mcuprov: rotate: waiting for the lock on 'mcuprov.yaml' held by pid $HOLDER
mcuprov: rotate: 'mcuprov.yaml': another mcuprov (pid $HOLDER) is changing files in '$P': gave up after 0.2 s (--lock-timeout SECONDS)"
MCUPROV_LOCK_TIMEOUT=60 run "$M" rotate add ../k1.pem --lock-timeout 0.1
check "--lock-timeout wins over MCUPROV_LOCK_TIMEOUT" 1 \
"mcuprov: rotate: waiting for the lock on 'mcuprov.yaml' held by pid $HOLDER
mcuprov: rotate: 'mcuprov.yaml': another mcuprov (pid $HOLDER) is changing files in '$P': gave up after 0.1 s (--lock-timeout SECONDS)"
run "$M" rotate add ../k1.pem --dry-run --lock-timeout 0
check "rotate add --dry-run takes no lock: exit 0" 0 ''
unchanged "all of the above: nothing changed"
unhold

# ---- the bootloader's directory held (locked once mcuprov.yaml is read)
hold build/demo-qemu 5
run "$M" rotate add ../k1.pem --lock-timeout 0.3
check "rotate add, keys.c's directory locked: waits for it, gives up, exit 1" 1 \
"mcuprov: rotate: waiting for the lock on '$KC' held by pid $HOLDER
mcuprov: rotate: '$KC': another mcuprov (pid $HOLDER) is changing files in '$P/build/demo-qemu': gave up after 0.3 s (--lock-timeout SECONDS)"
unchanged "rotate add, keys.c's directory locked: nothing changed"
run "$M" patch --keys-c $KC -k ../k1.pem --lock-timeout 0.3
check "patch --keys-c, its directory locked: waits, gives up, exit 1" 1 \
"mcuprov: patch: waiting for the lock on '$KC' held by pid $HOLDER
mcuprov: patch: '$KC': another mcuprov (pid $HOLDER) is changing files in '$P/build/demo-qemu': gave up after 0.3 s (--lock-timeout SECONDS)"
unchanged "patch --keys-c, its directory locked: nothing changed"
run "$M" patch --keys-c $KC -k ../k1.pem --dry-run --lock-timeout 0
check "patch --dry-run takes no lock: exit 0" 0 '*'
unhold

# ---- bad timeouts
for v in abc -1 3601 '' 1e9 0x; do
	run "$M" rotate add ../k1.pem --lock-timeout "$v"
	check "--lock-timeout '$v': usage error, exit 2" 2 \
"mcuprov: rotate: invalid --lock-timeout '$v' (seconds, 0 to 3600)
usage: mcuprov rotate add NEWKEY [-f FILE] [--dry-run] [--passin [KEYFILE=]SRC]... [--batch]
                  [--allow-dev-key] [--json] [-D NAME[=VALUE]]... [-U NAME]...
       mcuprov rotate retire KEY [-f FILE] [--dry-run] [--passin [KEYFILE=]SRC]...
                  [--batch] [--json] [-D NAME[=VALUE]]... [-U NAME]..."
done
for v in bad -1 3601 1s; do
	MCUPROV_LOCK_TIMEOUT=$v run "$M" rotate add ../k1.pem
	check "MCUPROV_LOCK_TIMEOUT='$v': exit 2" 2 \
		"mcuprov: MCUPROV_LOCK_TIMEOUT='$v': not a number of seconds (0 to 3600)"
done
unchanged "bad timeouts: nothing changed"
MCUPROV_LOCK_TIMEOUT= run "$M" rotate add ../k1.pem --dry-run
check "MCUPROV_LOCK_TIMEOUT empty: the default" 0 ''

# ---- released within the timeout: the command goes on
hold . 0.4
run "$M" rotate add ../k1.pem --lock-timeout 10
check "rotate add, the lock released after 0.4 s, --lock-timeout 10: the notice, exit 0" 0 \
	"mcuprov: rotate: waiting for the lock on 'mcuprov.yaml' held by pid $HOLDER"
wait "$HOLDER"
assert "... k1.pem signs" test "$(yaml_keys | head -n 1)" = "$D/k1.pem"
assert "... mcuprov.yaml and keys.c agree" agree
no_leftovers "... no temporary file left" .
cd .. || exit 1

# ---- concurrent rotations: each waits for the other, every key lands
rm -rf r && cp -a r0 r && cd r || exit 1
pids=()
for k in k2 k3 k4 k5; do
	"$M" rotate add ../$k.pem --lock-timeout 30 >/dev/null 2>"$T_TMP/err.$k" </dev/null &
	pids+=($!)
done
bad=
for i in 0 1 2 3; do
	wait "${pids[i]}" || bad="$bad k$((i + 2)): exit $?: $(cat "$T_TMP/err.k$((i + 2))");"
done
if [ -z "$bad" ]; then ok "4 concurrent rotate add: all exit 0"; else not_ok "4 concurrent rotate add: all exit 0" "$bad"; fi
assert "... mcuprov.yaml lists all 5 keys" test "$(yaml_keys | wc -l)" = 5
for k in k2 k3 k4 k5; do
	yaml_keys | grep -qx "$D/$k.p[eu][mb]\(.pem\)\?" || bad="$bad $k missing;"
done
if [ -z "$bad" ]; then ok "... each new key is there"; else not_ok "... each new key is there" "$bad" "$(yaml_keys)"; fi
assert "... mcuprov.yaml and keys.c agree" agree
no_leftovers "... no temporary file left" .
no_leftovers "... nor beside keys.c" build/demo-qemu
cd .. || exit 1

done_testing
