#!/bin/bash
# The wizard's Settings screen (src/tui/screen-settings.c): without a
# project, mcuprov.yaml created from a profile (the same bytes as `mcuprov
# init`); the summary; Replace from a profile (asks, No keeps the file);
# a broken mcuprov.yaml with project_load's message; the editor refused in
# scripted mode; the folder a profile needs written into the file (as
# `init --supply`); and in a real terminal (tmux) $EDITOR run on the file,
# then the summary again, or the error dialog with the CLI's message.
# Saved screens are compared with tests/tui/expected/set-*.txt, the test's
# temporary directory masked as <tmp>.
. "${MCUPROV_SRCDIR:-.}/tests/lib.sh"
. "${MCUPROV_SRCDIR:-.}/tests/tui-lib.sh"
unset MCUPROV_TEMPLATES VISUAL EDITOR

mkdir -p "$SCR" p
TMP_REAL=$(cd "$T_TMP" && pwd -P)

mask() {
	sed -E -e 's/[0-9a-f]{64}/<fingerprint>/g' -e "s|$TMP_REAL|<tmp>|g" "$1"
}

same() {
	if cmp -s "$2" "$3"; then ok "$1"; else not_ok "$1" "$(cmp "$2" "$3" 2>&1)"; fi
}

# the profiles' text as `mcuprov init -p NAME -o -` writes it
run "$M" init -p cmake -o -
check "init -p cmake -o -" 0 ''
cp "$T_TMP/out" want-cmake.yaml
run "$M" init -p make -o -
check "init -p make -o -" 0 ''
cp "$T_TMP/out" want-make.yaml
cd p || exit 1

# Home: End is Quit, Up is Settings
TO_SETTINGS='key End
key Up
key Enter'

# ---- no project: create one from a profile -------------------------------
# cmake needs your MCUboot port in bootloader/: the form says so and checks
wiz "$TO_SETTINGS
save-screen set-none
key Down
save-screen set-none-down
key Up
key Enter
save-screen set-create-form
key Enter
save-screen set-create-missing
key Enter
save-screen set-create-back
key Esc
key Esc
key q"
check "no project, the form, Go back: exit 0" 0 ''
screen_is "no project: the profiles with their descriptions" set-none
assert "Down moves to the next profile" grep -q '^  > demo-qemu ' "$SCR/set-none-down.txt"
screen_is "Enter: the form, with what the profile needs" set-create-form
assert "the needs line: the profile's" grep -qF \
	"It needs $(sed -n '2s/^# needs: //p' "${MCUPROV_SRCDIR:-.}/templates/targets/cmake.yaml" | cut -c1-40)" \
	"$SCR/set-create-form.txt"
assert "where it is: the needs line's first path" grep -qF '  [bootloader/_' "$SCR/set-create-form.txt"
assert "not there: asks, the needs named" test "$(dialog_text set-create-missing)" = \
	"'bootloader/' is not there. The profile needs $(sed -n '2s/^# needs: //p' \
	"${MCUPROV_SRCDIR:-.}/templates/targets/cmake.yaml"). Create mcuprov.yaml anyway (and put it there before you build)?"
assert "not there: Go back is the default" grep -qF '[ Create anyway ]   [ Go back ]' "$SCR/set-create-missing.txt"
assert "Go back: the form again, nothing written" sh -c \
	"grep -qF '[ Create ]' '$SCR/set-create-back.txt' && test ! -e mcuprov.yaml"

mkdir bootloader
wiz "$TO_SETTINGS
key Enter
key Enter
save-screen set-create-ask
key n
save-screen set-create-no
key Esc
key Esc
key q"
check "no project, Cancel: exit 0" 0 ''
assert "there: Enter asks first" test "$(dialog_text set-create-ask)" = \
	"Create mcuprov.yaml from the profile 'cmake'? Edit its keys, image layout and vars for your board afterwards."
assert "nothing is replaced: Create is the default" grep -qF '> [ Create ]   [ Cancel ]' \
	<(sed 's/^  //' "$SCR/set-create-ask.txt" | sed 's/^ *|  *\[/> [/')
assert "Cancel: nothing written" test ! -e mcuprov.yaml
assert "Cancel: says so on the form" grep -qxF \
	'  cancelled: nothing written, there is still no mcuprov.yaml' "$SCR/set-create-no.txt"

wiz "$TO_SETTINGS
key Enter
key Enter
key Enter
save-screen set-summary
key PgDn
save-screen set-summary-end
key Esc
save-screen set-home
key q"
check "create from cmake: exit 0" 0 ''
same "Enter, Enter: the file is \`mcuprov init -p cmake -o -\` byte for byte" mcuprov.yaml ../want-cmake.yaml
screen_is "then the summary, and what was done" set-summary
assert "the summary says it was created" grep -qxF \
	'  created mcuprov.yaml (cmake, ecdsa-p256); next: Generate key on Home' "$SCR/set-summary.txt"
screen_is "PgDn: the rest of the summary (image, targets, default marked)" set-summary-end
assert "Esc: Home, which reloads the project" grep -qF 'project: p (mcuprov.yaml)' "$SCR/set-home.txt"
assert "Home: the missing key offered" grep -qF 'not created yet: Generate key makes it (Enter)' "$SCR/set-home.txt"

# ---- replace from a profile: asks, No keeps the file ------------------------
echo '# my edits' >>mcuprov.yaml
cp mcuprov.yaml ../edited.yaml
wiz "$TO_SETTINGS
key r
save-screen set-replace
key Down
key Down
key Down
key Enter
key Enter
save-screen set-replace-ask
key n
save-screen set-replace-no
key Enter
key Enter
key Esc
key Esc
save-screen set-replace-esc
key Esc
key q"
check "replace, No: exit 0" 0 ''
screen_is "r: the profiles to replace it with" set-replace
assert "replace asks (Replace/Keep)" test "$(dialog_text set-replace-ask)" = \
	"Replace mcuprov.yaml with the profile 'make'? What the file holds now, your edits included, is lost."
assert "replace: Keep is the default" grep -qF '[ Replace ]   [ Keep ]' "$SCR/set-replace-ask.txt"
assert "No: says so" grep -qxF '  kept: mcuprov.yaml is as it was' "$SCR/set-replace-no.txt"
same "No (and Enter: Keep) leave the file as it was" mcuprov.yaml ../edited.yaml
assert "Esc from the form, then the profiles: the summary" grep -qF '> Edit mcuprov.yaml' "$SCR/set-replace-esc.txt"

wiz "$TO_SETTINGS
key Tab
key Enter
key Down
key Down
key Down
key Enter
key Enter
key y
save-screen set-replaced
key Esc
key q"
check "replace, Yes: exit 0" 0 ''
same "Yes replaces it: \`mcuprov init -p make -o -\`" mcuprov.yaml ../want-make.yaml
screen_is "the summary of the new file" set-replaced
no_leftovers "no temporary files left" .

# ---- the type and your key: as `mcuprov init -t TYPE -k KEY` ------------------
mkdir ../q && cd ../q || exit 1
"$M" keygen -k keys/mine.pem -t ecdsa-p256 >/dev/null 2>&1
run "$M" init -p demo-qemu -k keys/mine.pem -o -
cp "$T_TMP/out" ../want-mine.yaml
run "$M" init -p demo-qemu -t ed25519 -k keys/mine.pem
check "init: a key of another type than -t: refused" 1 '*'
cli_msg=$(sed 's/^mcuprov: init:/mcuprov: wizard:/' "$T_TMP/err")
# demo-qemu's form: Tab from Create to the type, Right: ed25519; Tab: the key
wiz "$TO_SETTINGS
key Down
key Enter
key Tab
save-screen set-type
key Right
save-screen set-type-ed
key Tab
type keys/mine.pem
save-screen set-key
key Enter
key Enter
save-screen set-type-refused
key Enter
key BTab
key Left
key Enter
key Enter
save-screen set-mine
key Esc
key q"
check "type and key: exit 0" 0 ''
assert "the type: the default first (the key file's, else the profile's)" grep -qF \
	'Key type:  < ed25519 >  (default: your key file' "$SCR/set-type.txt"
assert "Right: a type of its own" grep -qxF '  Key type:  < ed25519 >' "$SCR/set-type-ed.txt"
assert "the key field" grep -qF '  [keys/mine.pem' "$SCR/set-key.txt"
assert "a key of another type: the CLI's refusal" test "$(dialog_text set-type-refused)" = "$cli_msg"
same "the default type with the key: \`mcuprov init -p demo-qemu -k KEY -o -\`" mcuprov.yaml ../want-mine.yaml
assert "it says so" grep -qxF \
	'  created mcuprov.yaml (demo-qemu, ecdsa-p256): its key is keys/mine.pem' "$SCR/set-mine.txt"
assert "the keys.c rendered for the key" test -s build/demo-qemu/keys.c
cd ../p || exit 1

# ---- where the needs are, written into the project: as `init --supply DIR` ----
mkdir -p ../s ../fw/blinky && cd ../s || exit 1
SP=$(cd .. && pwd -P)
run "$M" init -p zephyr-sysbuild --supply ../fw/blinky -o -
check "init -p zephyr-sysbuild --supply DIR -o -" 0 ''
cp "$T_TMP/out" ../want-supply.yaml
needs_zs=$(sed -n '2s/^# needs: //p' "${MCUPROV_SRCDIR:-.}/templates/targets/zephyr-sysbuild.yaml")
# zephyr-sysbuild (End: the last profile): Tab to the folder, C-u, one that
# is not there (Go back), then one that is
wiz "$TO_SETTINGS
key End
key Enter
save-screen set-supply-form
key Tab
key C-u
type ../fw/nope
key Enter
save-screen set-supply-missing
key Enter
key C-u
type ../fw/blinky
key Enter
key Enter
save-screen set-supply-done
key Esc
key q"
check "create with your app's folder: exit 0" 0 ''
assert "the form: the profile's folder, and the var it goes to" sh -c \
	"grep -qF '  [app/_' '$SCR/set-supply-form.txt' && grep -qxF \"  Where is it? (mcuprov.yaml's app_dir; checked first; ^O browses)\" '$SCR/set-supply-form.txt'"
assert "another folder not there: the file would keep the profile's" test "$(dialog_text set-supply-missing)" = \
	"'../fw/nope' is not there. The profile needs $needs_zs. Create mcuprov.yaml anyway, with the profile's 'app' (put it there, or edit app_dir, before you build)?"
same "the folder is written: \`mcuprov init -p zephyr-sysbuild --supply DIR -o -\`" mcuprov.yaml ../want-supply.yaml
assert "app_dir: the folder, absolute (outside the project)" grep -q "^      app_dir: $SP/fw/blinky " mcuprov.yaml
assert "app_name: its name" grep -q '^      app_name: blinky ' mcuprov.yaml
assert "the summary: the fragment in your app" grep -qF "conf              $SP/fw/blinky/sysbuild/mcuboot.conf" "$SCR/set-supply-done.txt"
rm mcuprov.yaml
# not there, Create anyway: the profile's folder stays
wiz "$TO_SETTINGS
key End
key Enter
key Tab
key C-u
type ../fw/nope
key Enter
key y
key Enter
key Esc
key q"
check "create anyway: exit 0" 0 ''
same "create anyway: the profile as it is" mcuprov.yaml "${MCUPROV_SRCDIR:-.}/templates/targets/zephyr-sysbuild.yaml"
cd ../p || exit 1

# ---- a broken mcuprov.yaml: project_load's message ---------------------------
cp ../want-cmake.yaml mcuprov.yaml
echo 'imgae: 1' >>mcuprov.yaml
wiz "$TO_SETTINGS
save-screen set-broken
key e
save-screen set-editor-scripted
key Enter
key Esc
key q"
check "broken file: exit 0" 0 ''
screen_is "a broken file: does not load, the message, the actions" set-broken
run "$M" build --dry-run
check "the CLI refuses the same file" 1 '*'
cli_msg=$(sed 's/^mcuprov: build:/mcuprov: wizard:/' "$T_TMP/err")
shown=$(sed -n '6,10p' "$SCR/set-broken.txt" | sed -e 's/^  //' -e '/^$/d' | tr '\n' ' ' | sed 's/ $//')
if [ "$shown" = "$cli_msg" ]; then
	ok "a broken file: the CLI's message"
else
	not_ok "a broken file: the CLI's message" "shown: $shown" "cli:   $cli_msg"
fi
case $cli_msg in
"mcuprov: wizard: mcuprov.yaml:"[0-9]*:1:" unknown key 'imgae'"*) ok "the message has file:line:column" ;;
*) not_ok "the message has file:line:column" "$cli_msg" ;;
esac

# ---- scripted mode: no terminal for an editor ------------------------------
assert "scripted mode refuses the editor" test "$(dialog_text set-editor-scripted)" = \
	"mcuprov: wizard: the editor needs a terminal"

printf 'version: [1\n' >mcuprov.yaml
wiz "$TO_SETTINGS
save-screen set-broken-syntax
key Esc
key q"
run "$M" build --dry-run
shown=$(sed -n '6,10p' "$SCR/set-broken-syntax.txt" | sed -e 's/^  //' -e '/^$/d' | tr '\n' ' ' | sed 's/ $//')
assert "a YAML syntax error: the CLI's message" test "$shown" = \
	"$(sed 's/^mcuprov: build:/mcuprov: wizard:/' "$T_TMP/err")"

# ---- the editor, in a real terminal ------------------------------------------
command -v tmux >/dev/null 2>&1 || { ok "# SKIP editor: tmux not installed"; done_testing; }
cp ../want-cmake.yaml mcuprov.yaml
# an "editor" that asks for a word on the terminal and appends it as a
# comment to the file it is given (the last argument)
printf '#!/bin/sh\nfor f; do :; done\nprintf "word for %%s: " "$f"\nread -r w\nprintf "# edited: %%s\\n" "$w" >>"$f"\n' >../ed-append
# and one that breaks the schema
printf '#!/bin/sh\nfor f; do :; done\nprintf "imgae: 1\\n" >>"$f"\n' >../ed-break
chmod 755 ../ed-append ../ed-break

SESS=set
trap tmux_cleanup EXIT

# pane_dialog: the text of the dialog on the pane (inside its side lines),
# its lines joined by spaces
pane_dialog() {
	local line t out=''
	while IFS= read -r line; do
		case $line in
		*'│'*'│'*) t=${line#*│ }; t=${t%│*} ;;
		*'|'*'|'*) t=${line#*| }; t=${t%|*} ;;
		*) continue ;;
		esac
		t=${t%"${t##*[! ]}"}
		t=${t#"${t%%[! ]*}"}
		case $t in '' | '['*) continue ;; esac
		out="$out${out:+ }$t"
	done <"$T_TMP/pane"
	printf '%s' "$out"
}

tm -f /dev/null new-session -d -s "$SESS" -x 80 -y 24 \
	"env -i PATH=\"$PATH\" HOME=\"$T_TMP\" TERM=xterm-256color LANG=C.UTF-8 PS1='\$ ' bash --norc --noprofile" ||
	{ ok "# SKIP editor: tmux cannot start a session here"; done_testing; }
wait_for "shell prompt" '$' || done_testing
lit "cd '$T_TMP/p' && EDITOR='$T_TMP/ed-append' '$M' wizard"
keys Enter
wait_for "the wizard (Home)" 'Generate key' || done_testing
keys Up Up Enter
wait_for "Settings: the summary" 'keys/signing.pem' || done_testing
keys e
wait_for "e: the editor has the terminal" 'word for mcuprov.yaml:'
assert "the wizard is off the screen meanwhile" test "$(grep -c 'mcuprov wizard' "$T_TMP/pane")" = 0
lit "hello-from-tmux"
keys Enter
wait_for "then the summary again" 'Edit mcuprov.yaml'
assert "the summary is shown after the editor" grep -qF 'header_size' "$T_TMP/pane"
assert "the editor's line is in the file" test "$(tail -n 1 mcuprov.yaml)" = \
	'# edited: hello-from-tmux'
assert "the rest of the file as it was" cmp -s <(sed '$d' mcuprov.yaml) ../want-cmake.yaml
keys Escape
wait_for "back to Home" 'Inspect image'
keys q
wait_for "quit" '$'

lit "clear; EDITOR='$T_TMP/ed-break --ignored-word' '$M' wizard"
keys Enter
wait_for "the wizard again (Home)" 'Generate key' || done_testing
keys Up Up Enter
wait_for "Settings: the summary" 'keys/signing.pem' || done_testing
keys e
wait_for "an editor that breaks the file: the error dialog" 'Error'
run "$M" build --dry-run
cli_msg=$(sed 's/^mcuprov: build:/mcuprov: wizard:/' "$T_TMP/err")
got=$(pane_dialog)
if [ "$got" = "$cli_msg" ]; then
	ok "the dialog: the CLI's message, mcuprov.yaml:LINE:COL"
else
	not_ok "the dialog: the CLI's message, mcuprov.yaml:LINE:COL" "shown: $got" "cli:   $cli_msg"
fi
assert "the editor's words: split on blanks (the file came last)" \
	test "$(tail -n 1 mcuprov.yaml)" = 'imgae: 1'
keys Enter
wait_for "after the dialog: the file does not load" 'mcuprov.yaml does not load:'
keys Escape
wait_for "back to Home" 'Inspect image'
keys q
wait_for "quit" '$'

# an editor that is not there, one that fails: the reason, and the wizard goes on
lit "clear; VISUAL='$T_TMP/no-such-editor' EDITOR=vi '$M' wizard"
keys Enter
wait_for "VISUAL first: the wizard (Home)" 'Generate key' || done_testing
keys Up Up Enter
wait_for "Settings: the file does not load" 'mcuprov.yaml does not load:' || done_testing
keys e
wait_for "a missing editor: the error dialog" 'Error'
assert "a missing editor: cannot run, with the reason" test "$(pane_dialog)" = \
	"mcuprov: wizard: '$T_TMP/no-such-editor': cannot run: No such file or directory"
keys Enter
wait_for "the screen is back" 'mcuprov.yaml does not load:'
keys Escape
wait_for "back to Home" 'Inspect image'
keys q
wait_for "quit" '$'
cp ../want-cmake.yaml mcuprov.yaml
lit "clear; EDITOR=false '$M' wizard"
keys Enter
wait_for "EDITOR=false: the wizard (Home)" 'Generate key' || done_testing
keys Up Up Enter
wait_for "Settings: the summary" 'keys/signing.pem' || done_testing
keys e
wait_for "an editor that fails: the error dialog" 'Error'
assert "an editor that fails: its exit status" test "$(pane_dialog)" = \
	"mcuprov: wizard: 'false': exited with status 1"
keys Enter
wait_for "the summary again" 'header_size'
keys Escape
wait_for "back to Home" 'Inspect image'
keys q
wait_for "quit" '$'

done_testing
