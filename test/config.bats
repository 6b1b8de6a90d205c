#!/usr/bin/env bats
# lade config --image PATH[:TAG] [--tag NEW] [flags...]

load helpers

# stat_json IMAGE: print lade stat --json of IMAGE.
stat_json() {
	"$LADE" stat --json --image "$1"
}

# check IMAGE JQ-FILTER: require the jq filter to hold on stat --json of IMAGE.
check() {
	stat_json "$1" | jq -e "$2" >/dev/null || fail "$1: $2 does not hold: $(stat_json "$1" | jq -c .config.blob)"
}

# the demo step of the example (see cmd/lade/testdata/README)
demo_args=(--tag demo --config.user app --config.env FOO=bar
	--config.entrypoint /bin/sh --config.cmd -c --config.cmd 'echo hi'
	--config.workingdir /home/app --config.volume /data
	--config.label org.example.label=value --config.exposedports 8080/tcp
	--config.stopsignal SIGTERM --author 'Demo Author'
	--manifest.annotation org.example.note=demo --platform.variant v2)

@test "lade config reproduces umoci's demo image" {
	layout="$(copy_example img)"
	"$LADE" rm --image "$layout:demo"
	SOURCE_DATE_EPOCH=1700000000 lade_ok config --image "$layout:blank" "${demo_args[@]}"
	[[ -z "$output" ]]
	[[ "$(tags "$layout")" == "blank demo" ]]
	run -0 jq -r '.manifests[1].digest' "$layout/index.json"
	[[ "$output" == "sha256:11c070471c76abcf2b817d33c601646c9ab85157582e3f76c82f7e817b2b5543" ]]
	diff -u "$EXAMPLES/demo.stat.json" <(stat_json "$layout:demo")
	image-verify "$layout"
}

@test "lade config is reproducible with SOURCE_DATE_EPOCH" {
	layout="$(copy_example img)"
	export SOURCE_DATE_EPOCH=1234567890
	lade_ok config --image "$layout:blank" --tag one --config.cmd x --history.comment c
	sleep 1
	lade_ok config --image "$layout:blank" --tag two --config.cmd x --history.comment c
	run -0 jq -r '[.manifests[].digest] | .[2] == .[3]' "$layout/index.json"
	[[ "$output" == true ]]
	check "$layout:one" '.config.blob.history[-1].created == "2009-02-13T23:31:30Z"'
	# SOURCE_DATE_EPOCH does not change the config's own created.
	check "$layout:one" '.config.blob.created == "2023-11-14T22:13:20Z"'
}

@test "lade config sets each field" {
	layout="$(copy_example img)"
	img="$layout:demo"
	lade_ok config --image "$img" --config.user 1000:1000
	check "$img" '.config.blob.config.User == "1000:1000"'
	lade_ok config --image "$img" --config.workingdir /w --config.stopsignal SIGKILL
	check "$img" '.config.blob.config | .WorkingDir == "/w" and .StopSignal == "SIGKILL"'
	lade_ok config --image "$img" --config.exposedports 80/udp --config.exposedports 8080/tcp
	check "$img" '.config.blob.config.ExposedPorts == {"8080/tcp": {}, "80/udp": {}}'
	lade_ok config --image "$img" --config.env A=1 --config.env FOO=baz=qux
	check "$img" '.config.blob.config.Env == ["FOO=baz=qux", "A=1"]'
	lade_ok config --image "$img" --config.entrypoint /bin/bash --config.entrypoint --norc
	check "$img" '.config.blob.config.Entrypoint == ["/bin/bash", "--norc"]'
	lade_ok config --image "$img" --config.cmd -c --config.cmd 'echo a,b'
	check "$img" '.config.blob.config.Cmd == ["-c", "echo a,b"]'
	lade_ok config --image "$img" --config.volume /v2
	check "$img" '.config.blob.config.Volumes == {"/data": {}, "/v2": {}}'
	lade_ok config --image "$img" --config.label a=b=c
	check "$img" '.config.blob.config.Labels == {"org.example.label": "value", "a": "b=c"}'
	lade_ok config --image "$img" --manifest.annotation x=
	check "$img" '.manifest.blob.annotations == {"org.example.note": "demo", "x": ""}'
	lade_ok config --image "$img" --created 2001-02-03T04:05:06.789+01:00 --author someone
	check "$img" '.config.blob | .created == "2001-02-03T04:05:06.789+01:00" and .author == "someone"'
	check "$img" '.config.blob.history[-1] | .author == "someone" and .created_by == "umoci config" and .empty_layer'
	lade_ok config --image "$img" --platform.os freebsd --platform.arch riscv64 --platform.variant v9
	check "$img" '.config.blob | .os == "freebsd" and .architecture == "riscv64" and .variant == "v9"'
	lade_ok config --image "$img" --os linux --architecture arm64
	check "$img" '.config.blob | .os == "linux" and .architecture == "arm64" and .variant == "v9"'
	check "$img" '.config.blob.history | length == 15'
	check "$img" '.config.blob.rootfs.diff_ids | length == 2'
	image-verify "$layout"
}

@test "lade config --clear" {
	layout="$(copy_example img)"
	img="$layout:demo"
	lade_ok config --image "$img" --clear config.labels --clear manifest.annotations \
		--clear config.exposedports --clear config.env --clear config.volume \
		--clear config.cmd --clear config.entrypoint
	check "$img" '.config.blob.config == {"User": "app", "WorkingDir": "/home/app", "StopSignal": "SIGTERM"}'
	check "$img" '.manifest.blob | has("annotations") | not'
	# clears happen before additions whatever the order
	lade_ok config --image "$img" --config.env B=2 --config.label l=1 --clear config.env --clear config.labels
	check "$img" '.config.blob.config | .Env == ["B=2"] and .Labels == {"l": "1"}'
}

@test "lade config keeps the platform variant" {
	layout="$(copy_example img)"
	lade_ok config --image "$layout:demo" --author 'New Author'
	check "$layout:demo" '.config.blob | .variant == "v2" and .author == "New Author"'
	check "$layout:demo" '.config.blob.config.User == "app"'
}

@test "lade config history flags" {
	layout="$(copy_example img)"
	lade_ok config --image "$layout:demo" --no-history --config.user x
	check "$layout:demo" '.config.blob.history | length == 3'
	lade_ok config --image "$layout:demo" --history.author ha --history.comment hc \
		--history.created 2020-01-01T00:00:00Z --history.created_by hcb --author a
	check "$layout:demo" '.config.blob.history[-1] == {"created": "2020-01-01T00:00:00Z", "created_by": "hcb",
		"author": "ha", "comment": "hc", "empty_layer": true}'
}

@test "lade config writes back to the source tag or to --tag" {
	layout="$(copy_example img)"
	before="$(jq -r '.manifests[0].digest' "$layout/index.json")"
	lade_ok config --image "$layout:blank" --tag new --config.user u
	[[ "$(tags "$layout")" == "blank demo new" ]]
	run -0 jq -r '.manifests[0].digest' "$layout/index.json"
	[[ "$output" == "$before" ]]
	lade_ok config --image "$layout:blank" --config.user v
	[[ "$(tags "$layout")" == "demo new blank" ]]
	check "$layout:blank" '.config.blob.config.User == "v"'
	check "$layout:new" '.config.blob.config.User == "u"'
	image-verify "$layout"
}

@test "lade config of an index-backed tag keeps the index" {
	layout="$(copy_example img)"
	desc="$(jq -c '.manifests[1] | del(.annotations) | .platform = {"os": "linux", "architecture": "amd64", "variant": "v2"}' "$layout/index.json")"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' "$desc" \
		>"$TESTDIR/index-blob"
	digest="$(sha256sum <"$TESTDIR/index-blob" | cut -d' ' -f1)"
	size="$(stat -c %s "$TESTDIR/index-blob")"
	cp "$TESTDIR/index-blob" "$layout/blobs/sha256/$digest"
	jq -c --arg d "sha256:$digest" --argjson s "$size" '.manifests += [{"mediaType":"application/vnd.oci.image.index.v1+json",
		"digest": $d, "size": $s, "annotations": {"org.opencontainers.image.ref.name": "multi"}}]' \
		"$layout/index.json" >"$TESTDIR/index.json"
	mv "$TESTDIR/index.json" "$layout/index.json"

	lade_ok config --image "$layout:multi" --config.user nobody
	run -0 jq -r '.manifests[-1] | [.mediaType, .annotations["org.opencontainers.image.ref.name"], .digest] | @tsv' "$layout/index.json"
	[[ "$output" == "application/vnd.oci.image.index.v1+json	multi	"* && "$output" != *"$digest" ]]
	newindex="$(jq -r '.manifests[-1].digest | ltrimstr("sha256:")' "$layout/index.json")"
	run -0 jq -e '.manifests | length == 1 and .[0].platform.variant == "v2"' "$layout/blobs/sha256/$newindex"
	manifest="$(jq -r '.manifests[0].digest | ltrimstr("sha256:")' "$layout/blobs/sha256/$newindex")"
	config="$(jq -r '.config.digest | ltrimstr("sha256:")' "$layout/blobs/sha256/$manifest")"
	run -0 jq -e '.config.User == "nobody" and .variant == "v2"' "$layout/blobs/sha256/$config"
	image-verify "$layout"
}

@test "lade config [invalid arguments]" {
	layout="$(copy_example img)"
	cp "$layout/index.json" "$TESTDIR/index.before"
	img="$layout:demo"
	lade_fail config --image "$img" --manifest.annotation noequals
	[[ "$output" == *'invalid --manifest.annotation "noequals": must be of the form KEY=VALUE'* ]]
	lade_fail config --image "$img" --config.label novalue
	[[ "$output" == *"invalid --config.label"* ]]
	lade_fail config --image "$img" --config.env =bar
	[[ "$output" == *'invalid --config.env "=bar": KEY is empty'* ]]
	lade_fail config --image "$img" --config.env NOEQUALS
	lade_fail config --image "$img" --created yesterday
	[[ "$output" == *'invalid --created "yesterday"'* ]]
	lade_fail config --image "$img" --created 2020-01-01
	lade_fail config --image "$img" --clear rootfs.diffids
	[[ "$output" == *"rootfs.diffids"* ]]
	lade_fail config --image "$img" --clear config.bogus
	[[ "$output" == *'unknown key "config.bogus"'* ]]
	lade_fail config --image "$img" --tag 'bad tag'
	[[ "$output" == *"invalid --tag"* ]]
	lade_fail config --image "$img" --tag ''
	lade_fail config --image "$layout:nope" --config.user x
	[[ "$output" == *"tag not found"* ]]
	lade_fail config --image "$img" extra
	[[ "$output" == *"invalid number of positional arguments"* ]]
	lade_fail config --image "$img" extra --config.user x
	[[ "$output" == *"flags must come before positional arguments"* ]]
	lade_fail config --config.user x
	lade_fail config --image "$img" --config.nope x
	lade_fail config --image "$img" --no-history --history.comment c
	lade_fail config --image "$img" --history.created never
	SOURCE_DATE_EPOCH=soon lade_fail config --image "$img"
	lade_fail config --image "$TESTDIR/missing:demo"
	cmp "$TESTDIR/index.before" "$layout/index.json"
	image-verify "$layout"
}
