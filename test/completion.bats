#!/usr/bin/env bats
# Shell completion: "lade completion bash|zsh|fish" and the __complete
# command the scripts call.

load helpers

setup_file() {
	# A layout with tags v1, v2 and multi (an index of an amd64 and an
	# arm64/v8 image) and an OCI archive of it.
	export FIXTURE="$BATS_FILE_TMPDIR/fixture"
	mkdir -p "$FIXTURE"
	local l="$FIXTURE/img"
	"$LADE" init --layout "$l"
	"$LADE" new --image "$l:v1"
	"$LADE" config --image "$l:v1" --platform.arch amd64 --no-history
	"$LADE" new --image "$l:arm"
	"$LADE" config --image "$l:arm" --platform.arch arm64 --platform.variant v8 --no-history
	"$LADE" tag --image "$l:v1" v2
	"$LADE" index create --image "$l:multi" v1 arm
	"$LADE" rm --image "$l:arm"
	tar -C "$l" -cf "$FIXTURE/img.tar" .
	mkdir "$FIXTURE/bundle"
	touch "$FIXTURE/notes.txt"
}

# bash_complete LINE WORD...: run the bash completion function as bash does
# for the command line LINE (up to the cursor), which bash split into the
# COMP_WORDS "$LADE" WORD... (the last one is completed); the result is in
# COMPREPLY. COMP_WORDBREAKS is bash's default unless the caller changed it.
bash_complete() {
	COMP_LINE="$LADE $1"
	COMP_POINT=${#COMP_LINE}
	shift
	COMP_WORDS=("$LADE" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_lade_complete
}

# replies: COMPREPLY sorted, space-separated.
replies() {
	printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' ' -
}

@test "bash: commands, subcommands, flags and fixed flag values" {
	source <("$LADE" completion bash)
	[[ "$COMP_WORDBREAKS" == *:* && "$COMP_WORDBREAKS" == *=* ]]
	bash_complete "unp" unp
	[[ "$(replies)" == "unpack" ]]
	bash_complete "r" r
	[[ "$(replies)" == "raw remove repack" ]]
	bash_complete "raw un" raw un
	[[ "$(replies)" == "unpack" ]]
	bash_complete "unpack --im" unpack --im
	[[ "$(replies)" == "--image" ]]
	bash_complete "--log " --log ""
	[[ "$(replies)" == "debug error fatal info warn" ]]
	# --log=d: bash splits at '=' and replaces only what follows it.
	bash_complete "--log=d" --log = d
	[[ "$(replies)" == "debug" ]]
	bash_complete "insert --compress " insert --compress ""
	[[ "$(replies)" == "auto gzip none zstd" ]]
	bash_complete "export --compress " export --compress ""
	[[ "$(replies)" == "gzip none zstd" ]]
	bash_complete "config --clear config.e" config --clear config.e
	[[ "$(replies)" == "config.entrypoint config.env config.exposedports" ]]
	bash_complete "completion " completion ""
	[[ "$(replies)" == "bash fish zsh" ]]
}

@test "bash: the tags of a layout and of an archive, with and without ':' in COMP_WORDBREAKS" {
	source <("$LADE" completion bash)
	local l="$FIXTURE/img"
	# "--image DIR:" is split into DIR and ":"; readline replaces what
	# follows the ':'.
	bash_complete "unpack --image $l:" unpack --image "$l" :
	[[ "$(replies)" == "multi v1 v2" ]]
	bash_complete "unpack --image $l:v" unpack --image "$l" : v
	[[ "$(replies)" == "v1 v2" ]]
	bash_complete "stat --image=$l:m" stat --image = "$l" : m
	[[ "$(replies)" == "multi" ]]
	bash_complete "stat --image $FIXTURE/img.tar:" stat --image "$FIXTURE/img.tar" :
	[[ "$(replies)" == "multi v1 v2" ]]
	# A relative layout path, and no COMP_LINE (words glued at ':').
	cd "$FIXTURE"
	COMP_LINE=
	COMP_WORDS=("$LADE" unpack --image img : v)
	COMP_CWORD=5
	_lade_complete
	[[ "$(replies)" == "v1 v2" ]]
	# Without ':' in COMP_WORDBREAKS the whole word is replaced.
	COMP_WORDBREAKS="${COMP_WORDBREAKS//:/}"
	bash_complete "unpack --image img:v" unpack --image img:v
	[[ "$(replies)" == "img:v1 img:v2" ]]
	# The source tags of index create, the platforms of a multi-platform tag.
	bash_complete "index create --image img:new v" index create --image img:new v
	[[ "$(replies)" == "v1 v2" ]]
	bash_complete "unpack --image img:multi --platform " unpack --image img:multi --platform ""
	[[ "$(replies)" == "linux/amd64 linux/arm64/v8" ]]
}

@test "bash: directories and archives for --layout and bundles, files for files" {
	source <("$LADE" completion bash)
	cd "$FIXTURE"
	bash_complete "ls --layout " ls --layout ""
	[[ "$(replies)" == "bundle img img.tar" ]]
	bash_complete "ls --layout=i" ls --layout = i
	[[ "$(replies)" == "img img.tar" ]]
	bash_complete "unpack --image i" unpack --image i
	[[ "$(replies)" == "img img.tar" ]]
	bash_complete "unpack --image img:v1 " unpack --image img : v1 ""
	[[ "$(replies)" == "bundle img" ]]
	bash_complete "raw add-layer --image img:v1 n" raw add-layer --image img : v1 n
	[[ "$(replies)" == "notes.txt" ]]
}

@test "completion of a missing or corrupt layout offers nothing and prints nothing" {
	source <("$LADE" completion bash)
	mkdir -p "$TESTDIR/bad/blobs"
	echo '{' >"$TESTDIR/bad/index.json"
	mkfifo "$TESTDIR/fifo"
	local layout
	for layout in "$TESTDIR/missing" "$TESTDIR/bad" "$TESTDIR/fifo" /dev/null; do
		run bash_complete "unpack --image $layout:" unpack --image "$layout" :
		[[ "$status" -eq 0 && -z "$output" ]] || fail "$layout: $output"
		bash_complete "unpack --image $layout:" unpack --image "$layout" : 2>"$TESTDIR/stderr"
		[[ "${#COMPREPLY[@]}" -eq 0 && ! -s "$TESTDIR/stderr" ]] || fail "$layout: $(replies) $(cat "$TESTDIR/stderr")"
		run "$LADE" __complete unpack --image "$layout:multi" --platform ""
		[[ "$status" -eq 0 && "$output" == ":none"* && "${#lines[@]}" -eq 1 ]] || fail "$layout: $output"
	done
}

@test "completion neither writes to a layout nor waits for its lock" {
	requires flock timeout
	cp -a "$FIXTURE/img" "$TESTDIR/img"
	local l="$TESTDIR/img" before
	before="$(find "$l" -printf '%p %s %m %T@\n' | sort)"
	# gc holds blobs/ exclusively; flock(1) does the same.
	flock -x "$l/blobs" sleep 60 &
	local holder=$!
	sleep 0.2
	run timeout 10 "$LADE" __complete unpack --image "$l:"
	kill "$holder"
	wait "$holder" || true
	[[ "$status" -eq 0 ]] || fail "completion under an exclusive lock: status $status"
	[[ "${lines[*]:1}" == "$l:v1 $l:v2 $l:multi" ]] || fail "$output"
	[[ "$(find "$l" -printf '%p %s %m %T@\n' | sort)" == "$before" ]]
}

@test "zsh and fish scripts are valid, for lade and umoci" {
	requires zsh fish
	local name
	ln -s "$LADE" "$TESTDIR/umoci"
	for exe in "$LADE" "$TESTDIR/umoci"; do
		name="$(basename "$exe")"
		"$exe" completion zsh >"$TESTDIR/_$name"
		zsh -n "$TESTDIR/_$name"
		head -n 1 "$TESTDIR/_$name" | grep -qx "#compdef $name"
		"$exe" completion fish >"$TESTDIR/$name.fish"
		fish --no-execute "$TESTDIR/$name.fish"
		grep -q "complete -c $name " "$TESTDIR/$name.fish"
		"$exe" completion bash | bash -n
	done
	lade_fail completion tcsh
	[[ "$output" == *'invalid shell "tcsh"'* ]]
}

@test "fish completes commands, flags, tags and platforms" {
	requires fish
	mkdir "$TESTDIR/bin"
	ln -s "$LADE" "$TESTDIR/bin/lade"
	cd "$FIXTURE"
	run env PATH="$TESTDIR/bin:$PATH" fish --no-config -c '
		lade completion fish | source
		complete -C"lade unp"; echo ==
		complete -C"lade unpack --im"; echo ==
		complete -C"lade unpack --image img:"; echo ==
		complete -C"lade stat --image=img.tar:m"; echo ==
		complete -C"lade unpack --image img:multi --platform "; echo ==
		complete -C"lade ls --layout=i"'
	[[ "$status" -eq 0 ]] || fail "$output"
	local want
	want="$(printf '%s\n' "unpack	unpack a reference into an OCI runtime bundle" == \
		'--image	OCI image PATH[:TAG] (TAG defaults to "latest")' == \
		img:multi img:v1 img:v2 == --image=img.tar:multi == linux/amd64 linux/arm64/v8 == \
		--layout=img.tar "--layout=img/	Directory")"
	[[ "$output" == "$want" ]] || fail "got:
$output
want:
$want"
}

@test "zsh hands the candidates and file actions to its completion system" {
	requires zsh
	cd "$FIXTURE"
	# _describe, _files and compset record what they are given.
	run zsh -f -c '
		_describe() { print -r -- "describe ${(j: :)${(P)4}}" }
		_files() { print -r -- "files $* after $PREFIX_SET" }
		compset() { PREFIX_SET="$2" }
		compdef() { print -r -- "compdef $*" }
		source <("$1" completion zsh)
		words=("$1" unpack --image img:) CURRENT=4 _lade
		words=("$1" ls "--layout=i") CURRENT=3 _lade
		words=("$1" unp) CURRENT=2 _lade' zsh "$LADE"
	[[ "$status" -eq 0 ]] || fail "$output"
	[[ "${lines[0]}" == "compdef _lade lade" ]]
	[[ "${lines[1]}" == 'describe img\:v1 img\:v2 img\:multi' ]]
	[[ "${lines[2]}" == "files -g *.tar(-.) after --layout=" ]]
	[[ "${lines[3]}" == "describe unpack:unpack a reference into an OCI runtime bundle" ]]
}
