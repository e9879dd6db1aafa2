#!/bin/bash
# concurrency: 8 mcuprov processes at once on one project, 20 rounds each
# of `rotate add` and of `patch`.  Every change holds the project's lock from
# reading to writing (flock on the files' directories), and rotate writes
# keys.c and mcuprov.yaml as one change: after each round every rotate that
# reported success has its key in both files, the two files agree (keys.c
# trusts exactly mcuprov.yaml's keys, in its order), and a patch round
# leaves keys.c trusting exactly one of the keys given.  A failure must be
# a clean lock timeout, with its message.
. "$MCUPROV_SRCDIR/tests/lib.sh"

N=${CONCURRENCY_N:-8}
ROUNDS=${CONCURRENCY_ROUNDS:-20}
KC=build/demo-qemu/keys.c

"$M" init -p demo-qemu -t ed25519 >/dev/null 2>&1
"$M" keygen -k keys/demo-signing.pem -t ed25519 >/dev/null 2>&1
"$M" patch --keys-c $KC -k keys/demo-signing.pem >/dev/null 2>&1
assert "setup: a project whose keys.c trusts its key" \
	grep -qx "'$KC' already trusts these keys: nothing to change" \
	<("$M" patch --keys-c $KC -k keys/demo-signing.pem --dry-run 2>&1)
mkdir pristine newkeys
cp mcuprov.yaml $KC pristine/
for ((i = 1; i <= N; i++)); do
	"$M" keygen -k "newkeys/k$i.pem" -t ed25519 >/dev/null 2>&1
done

# the key paths mcuprov.yaml lists, in order
yaml_keys() { sed -n 's/^  - path: \([^ ]*\).*/\1/p' mcuprov.yaml; }

bad_rounds=0 lost=0 disagree=0 timeouts=0 other=0 ok_runs=0
for ((r = 1; r <= ROUNDS; r++)); do
	cp pristine/mcuprov.yaml mcuprov.yaml
	cp pristine/keys.c $KC
	rm -f mcuprov.yaml.bak* $KC.bak*
	for ((i = 1; i <= N; i++)); do
		"$M" rotate add "newkeys/k$i.pem" >"out.$i" 2>"err.$i" &
		pids[i]=$!
	done
	for ((i = 1; i <= N; i++)); do
		wait "${pids[i]}"
		rcs[i]=$?
	done
	# the files parse, agree, and hold every key whose rotate succeeded
	mapfile -t listed < <(yaml_keys)
	args=()
	for k in "${listed[@]}"; do args+=(-k "$k"); done
	agree=$("$M" patch --keys-c $KC "${args[@]}" --dry-run 2>&1 | tail -n 1)
	if [ "$agree" != "'$KC' already trusts these keys: nothing to change" ]; then
		disagree=$((disagree + 1))
		echo "# round $r: keys.c and mcuprov.yaml disagree: $agree" >&2
	fi
	for ((i = 1; i <= N; i++)); do
		if [ "${rcs[i]}" = 0 ]; then
			ok_runs=$((ok_runs + 1))
			printf '%s\n' "${listed[@]}" | grep -Eqx "newkeys/k$i(\.pub)?\.pem" || {
				lost=$((lost + 1))
				echo "# round $r: rotate add k$i reported success, its key is not in mcuprov.yaml" >&2
			}
		elif grep -q "^mcuprov: rotate: 'mcuprov.yaml': another mcuprov (pid [0-9]*) is changing files in '.*': gave up after 5.0 s (--lock-timeout SECONDS)$" "err.$i"; then
			timeouts=$((timeouts + 1))
		else
			other=$((other + 1))
			echo "# round $r: rotate add k$i: exit ${rcs[i]}: $(cat "err.$i")" >&2
		fi
	done
	[ ${#listed[@]} = $((1 + N)) ] || bad_rounds=$((bad_rounds + 1))
	ls ./*.tmp-* build/demo-qemu/*.tmp-* .mcuprov-journal >/dev/null 2>&1 &&
		{ echo "# round $r: temporary files left" >&2; bad_rounds=$((bad_rounds + 1)); }
done
echo "# rotate add: $ROUNDS rounds x $N processes: $ok_runs succeeded, $timeouts lock timeouts, $other other failures; $lost keys lost, $disagree rounds with the files disagreeing" >&2
assert "rotate add x $N x $ROUNDS: no key of a successful run lost" test "$lost" = 0
assert "rotate add x $N x $ROUNDS: keys.c and mcuprov.yaml always agree" test "$disagree" = 0
assert "rotate add x $N x $ROUNDS: every failure is a clean lock timeout" test "$other" = 0
assert "rotate add x $N x $ROUNDS: every key in, no temporary file left" test "$bad_rounds" = 0
assert "rotate add x $N x $ROUNDS: the changes ran one after another (all succeeded)" \
	test "$ok_runs" = $((N * ROUNDS))

# patch: each process makes keys.c trust its key only; the last one wins,
# whole
bad=0
for ((r = 1; r <= ROUNDS; r++)); do
	cp pristine/keys.c $KC
	rm -f $KC.bak*
	for ((i = 1; i <= N; i++)); do
		"$M" patch --keys-c $KC -k "newkeys/k$i.pem" >"out.$i" 2>"err.$i" &
		pids[i]=$!
	done
	fail=0
	for ((i = 1; i <= N; i++)); do
		wait "${pids[i]}" || fail=1
	done
	n_trusted=0
	for ((i = 1; i <= N; i++)); do
		"$M" patch --keys-c $KC -k "newkeys/k$i.pem" --dry-run 2>&1 | tail -n 1 |
			grep -qx "'$KC' already trusts these keys: nothing to change" &&
			n_trusted=$((n_trusted + 1))
	done
	baks=$(ls $KC.bak* | wc -l)
	if [ $fail != 0 ] || [ $n_trusted != 1 ] || [ "$baks" != "$N" ]; then
		bad=$((bad + 1))
		echo "# patch round $r: failed=$fail, keys.c trusts $n_trusted of the keys, $baks backups" >&2
	fi
done
assert "patch x $N x $ROUNDS: every run succeeded, keys.c trusts exactly one key, one backup each" \
	test "$bad" = 0

# the lock is the directory's: util-linux flock(1) holds it like mcuprov
cp pristine/mcuprov.yaml mcuprov.yaml
cp pristine/keys.c $KC
cp -p mcuprov.yaml before.yaml
flock . sleep 3 &
holder=$!
sleep 0.3
run "$M" rotate add newkeys/k1.pem --lock-timeout 0.4
check "rotate add while another process holds the lock: exit 1, waited, gave up" 1 \
	"mcuprov: rotate: waiting for the lock on 'mcuprov.yaml' held by pid $holder
mcuprov: rotate: 'mcuprov.yaml': another mcuprov (pid $holder) is changing files in '$(pwd -P)': gave up after 0.4 s (--lock-timeout SECONDS)"
assert "rotate add that gave up: mcuprov.yaml unchanged" cmp -s mcuprov.yaml before.yaml
run "$M" rotate add newkeys/k1.pem --lock-timeout 10
check "rotate add with a longer wait: exit 0 once the holder is done" 0 \
	"mcuprov: rotate: waiting for the lock on 'mcuprov.yaml' held by pid $holder"
wait $holder
run "$M" rotate add newkeys/k2.pem --lock-timeout abc
check "--lock-timeout abc: usage error" 2 "mcuprov: rotate: invalid --lock-timeout 'abc' (seconds, 0 to 3600)
$("$M" rotate --help | sed -n '1,/^$/p' | sed '$d')"
MCUPROV_LOCK_TIMEOUT=-1 run "$M" rotate add newkeys/k2.pem
check "MCUPROV_LOCK_TIMEOUT=-1: refused" 2 "mcuprov: MCUPROV_LOCK_TIMEOUT='-1': not a number of seconds (0 to 3600)"

done_testing
