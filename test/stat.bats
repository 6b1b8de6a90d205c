#!/usr/bin/env bats
# lade stat --image PATH[:TAG] [--json]

load helpers

@test "lade stat matches umoci's output" {
	layout="$(copy_example img)"
	lade_ok stat --image "$layout:demo"
	diff -u "$EXAMPLES/demo.stat.txt" <(printf '%s\n' "$output")
	lade_ok stat --json --image "$layout:demo"
	diff -u "$EXAMPLES/demo.stat.json" <(printf '%s\n' "$output")
}

@test "lade stat --json" {
	layout="$(new_layout img)"
	new_image "$layout" a
	"$LADE" stat --json --image "$layout:a" >"$TESTDIR/stat.json"
	manifest="$(jq -r '.manifests[0].digest' "$layout/index.json")"
	run -0 jq -e --arg m "$manifest" '.manifest.descriptor.digest == $m and .manifest.blob.layers == []
		and .config.blob.rootfs.type == "layers" and .history == []' "$TESTDIR/stat.json"
	# The blob is the manifest verbatim.
	diff <(jq -cS .manifest.blob "$TESTDIR/stat.json") <(jq -cS . "$layout/blobs/sha256/${manifest#sha256:}")
}

@test "lade stat of a history entry without created" {
	layout="$(copy_example img)"
	manifest="$layout/blobs/sha256/11c070471c76abcf2b817d33c601646c9ab85157582e3f76c82f7e817b2b5543"
	config="$(jq -r .config.digest "$manifest")"
	jq -c 'del(.history[0].created) | del(.created)' "$layout/blobs/sha256/${config#sha256:}" >"$TESTDIR/config"
	newcfg="$(sha256sum <"$TESTDIR/config" | cut -d' ' -f1)"
	cp "$TESTDIR/config" "$layout/blobs/sha256/$newcfg"
	jq -c --arg d "sha256:$newcfg" --argjson s "$(stat -c %s "$TESTDIR/config")" \
		'.config.digest = $d | .config.size = $s' "$manifest" >"$TESTDIR/manifest"
	newman="$(sha256sum <"$TESTDIR/manifest" | cut -d' ' -f1)"
	cp "$TESTDIR/manifest" "$layout/blobs/sha256/$newman"
	jq -c --arg d "sha256:$newman" --argjson s "$(stat -c %s "$TESTDIR/manifest")" \
		'.manifests[1].digest = $d | .manifests[1].size = $s' "$layout/index.json" >"$TESTDIR/index.json"
	mv "$TESTDIR/index.json" "$layout/index.json"

	lade_ok stat --image "$layout:demo"
	[[ "$output" == *"Created: <none>"* ]]
	[[ "$output" == *"sha256:caefabb29f429b4cfa128f5f31987ad8ca332237f1448a28cbbac10355528be2 <none> "* ]]
	lade_ok stat --json --image "$layout:demo"
	[[ "$(jq -c '.history[0] | has("created")' <<<"$output")" == false ]]
}

@test "lade stat of a tampered blob fails" {
	layout="$(copy_example img)"
	chmod u+w "$layout/blobs/sha256/eb46560884de1037bbb1082ea3c5b4d1ac653a2fa2b798422b0880f56cd588ad"
	sed -i 's/Demo Author/Evil Author/' "$layout/blobs/sha256/eb46560884de1037bbb1082ea3c5b4d1ac653a2fa2b798422b0880f56cd588ad"
	lade_fail stat --image "$layout:demo"
	lade_ok stat --image "$layout:blank"
}

@test "lade stat [invalid arguments]" {
	layout="$(new_layout img)"
	new_image "$layout" a
	lade_fail stat
	[[ "$output" == *"missing mandatory argument: --image"* ]]
	lade_fail stat --image "$layout:a" extra
	lade_fail stat --image "$layout:a" extra --json
	[[ "$output" == *"flags must come before positional arguments"* ]]
	lade_fail stat --image "$layout:"
	lade_fail stat --image "$layout:nope"
	[[ "$output" == *"tag not found: nope (tags: "*a*")" ]] || fail "$output"
	lade_fail stat --image "$TESTDIR/missing:a"
	[[ "$output" == *"open CAS"* ]]
	lade_fail stat --layout "$layout"
}

@test "lade stat --format runs a Go template over the JSON document" {
	layout="$(copy_example img)"
	lade_ok stat --json --image "$layout:demo"
	doc="$output"
	lade_ok stat --format '{{.manifest.descriptor.digest}}' --image "$layout:demo"
	[[ "$output" == "$(jq -r .manifest.descriptor.digest <<<"$doc")" ]]
	lade_ok stat --format '{{join .config.blob.config.Env "\n"}}' --image "$layout:demo"
	[[ "$output" == "$(jq -r '.config.blob.config.Env | join("\n")' <<<"$doc")" ]]
	lade_ok stat --format '{{json .config.blob.config.Cmd}} {{len .history}}' --image "$layout:demo"
	[[ "$output" == "$(jq -c .config.blob.config.Cmd <<<"$doc") $(jq '.history | length' <<<"$doc")" ]]
	lade_ok stat --format '{{range .history}}{{.created_by}}|{{end}}' --image "$layout:demo"
	[[ "$output" == "$(jq -r '[.history[].created_by] | join("|")' <<<"$doc")|" ]]
	# Sizes stay exact integers (no float formatting).
	lade_ok stat --format '{{.config.descriptor.size}}' --image "$layout:demo"
	[[ "$output" == "$(jq -r .config.descriptor.size <<<"$doc")" ]]

	lade_fail stat --format '{{.x' --image "$layout:demo"
	[[ "$output" == *"invalid --format"* ]]
	lade_fail stat --format '{{index .config 3}}' --image "$layout:demo"
	[[ "$output" == *"execute --format"* ]]
	lade_fail stat --json --format '{{.}}' --image "$layout:demo"
	[[ "$output" == *"mutually exclusive"* ]]
}

@test "a missing tag's error lists the layout's tags" {
	layout="$TESTDIR/img"
	"$LADE" init --layout "$layout"
	lade_fail stat --image "$layout:x"
	[[ "$output" == *"tag not found: x (no tags)" ]] || fail "$output"
	for i in $(seq 12); do "$LADE" new --image "$layout:t$i"; done
	lade_fail unpack --image "$layout:x" "$TESTDIR/b"
	[[ "$output" == *"tag not found: x (tags: t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, and 2 more)" ]] || fail "$output"
}
