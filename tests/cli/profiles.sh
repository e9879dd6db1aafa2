#!/bin/bash
# Every target profile (templates/targets): `mcuprov run --dry-run` shows
# exactly the argv lists the project-file unit test pins for it
# (tests/unit/test-project --dump), and nothing runs.
. "$MCUPROV_SRCDIR/tests/lib.sh"
DUMP=${MCUPROV_BUILDDIR:-$(dirname "$M")}/tests/unit/test-project
[ -x "$DUMP" ] || skip_all "tests/unit/test-project not built (configure without --disable-tests)"
command -v python3 >/dev/null || skip_all "python3 not installed"
F=$MCUPROV_SRCDIR/tests/fixtures/keysc

for yaml in "$MCUPROV_SRCDIR"/templates/targets/*.yaml; do
	prof=$(basename "$yaml" .yaml)
	d=$T_TMP/p-$prof
	mkdir -p "$d" && cd "$d" || exit 1
	"$M" init -p "$prof" >/dev/null
	# the key files the profile names, of the type it names
	python3 - mcuprov.yaml >keys.list <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for m in re.finditer(r"- path: (\S+)\s*\n\s*type: (\S+)", text):
    print(m.group(1), m.group(2))
PY
	while read -r path type; do
		mkdir -p "$(dirname "$path")" && "$M" keygen -k "$path" -t "$type" >/dev/null
	done <keys.list
	# an inline keys.c where the profile provisions one
	kc=$(sed -n 's/^ *keys_c: *\([^ #]*\).*/\1/p' mcuprov.yaml)
	tree=$(sed -n 's/^ *tree: *\([^ #]*\).*/\1/p' mcuprov.yaml)
	[ -n "$kc" ] && [ -n "$tree" ] && kc=$tree/$kc
	if [ -n "$kc" ]; then
		mkdir -p "$(dirname "$kc")"
		cp "$F/inline-rsa-ec-ed25519.c" "$kc"
	fi
	cp -r "$MCUPROV_SRCDIR/examples" . 2>/dev/null
	"$DUMP" --dump "$prof" | sed -n 's/^target //p' >targets
	while read -r target; do
		run "$M" run --dry-run --json -t "$target"
		if [ "$RC" != 0 ]; then
			not_ok "$prof/$target: run --dry-run" "rc=$RC $(cat "$T_TMP/err")"
			continue
		fi
		# the dump's lines for this target, with its /proj made ours
		"$DUMP" --dump "$prof" | awk -v t="$target" '
			/^target / { on = ($2 == t); next }
			on && /^(bootloader_build|app_build|flash|run)\[/' |
			sed "s|/proj|$d|g" >want
		python3 - "$T_TMP/out" >got <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] and d["dry_run"]
kinds = {"bootloader build": "bootloader_build", "app build": "app_build", "flash": "flash", "run": "run"}
n = {}
for s in d["steps"]:
    k = kinds.get(s["step"])
    if k is None:
        continue
    i = n.get(k, 0)
    n[k] = i + 1
    print("%s[%d]: %s" % (k, i, " ".join("<%s>" % w for w in s["argv"])))
PY
		if cmp -s got want; then ok "$prof/$target: --dry-run shows the exact commands"; else
			not_ok "$prof/$target: --dry-run shows the exact commands" "$(diff got want | head -n 6)"; fi
	done <targets
	assert "$prof: --dry-run ran nothing (no log written)" test ! -e mcuprov.log
done

done_testing
