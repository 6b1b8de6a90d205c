package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// configChange is one difference between two images' configs or
// manifests. Op "add" and "remove" carry Value (an entry of a list or map
// field, as "KEY=VALUE" for maps); "change" carries Old and New.
type configChange struct {
	Section string `json:"section"` // "config" or "manifest"
	Field   string `json:"field"`
	Op      string `json:"op"`            // "add", "remove" or "change"
	Key     string `json:"key,omitempty"` // the key of a Labels or Annotations entry
	Value   string `json:"value,omitempty"`
	Old     any    `json:"old,omitempty"`
	New     any    `json:"new,omitempty"`
}

// diffConfigs compares a and b field by field, in a fixed field order.
func diffConfigs(a, b *diffImage) []configChange {
	ca, cb := a.config, b.config
	d := &configDiffer{section: "config"}
	d.value("Architecture", ca.Architecture, cb.Architecture)
	d.value("OS", ca.OS, cb.OS)
	d.value("Variant", ca.Variant, cb.Variant)
	d.value("OSVersion", ca.OSVersion, cb.OSVersion)
	d.value("OSFeatures", ca.OSFeatures, cb.OSFeatures)
	d.value("Author", ca.Author, cb.Author)
	d.value("Created", timeValue(ca.Created), timeValue(cb.Created))
	d.value("User", ca.Config.User, cb.Config.User)
	d.env(ca.Config.Env, cb.Config.Env)
	d.value("Entrypoint", ca.Config.Entrypoint, cb.Config.Entrypoint)
	d.value("Cmd", ca.Config.Cmd, cb.Config.Cmd)
	d.value("WorkingDir", ca.Config.WorkingDir, cb.Config.WorkingDir)
	d.keyValues("Labels", ca.Config.Labels, cb.Config.Labels)
	d.set("ExposedPorts", slices.Collect(maps.Keys(ca.Config.ExposedPorts)), slices.Collect(maps.Keys(cb.Config.ExposedPorts)))
	d.set("Volumes", slices.Collect(maps.Keys(ca.Config.Volumes)), slices.Collect(maps.Keys(cb.Config.Volumes)))
	d.value("StopSignal", ca.Config.StopSignal, cb.Config.StopSignal)
	d.value("History", len(ca.History), len(cb.History))
	d.value("Layers", len(ca.RootFS.DiffIDs), len(cb.RootFS.DiffIDs))
	for i := range max(len(ca.RootFS.DiffIDs), len(cb.RootFS.DiffIDs)) {
		field := fmt.Sprintf("DiffIDs[%d]", i)
		switch {
		case i >= len(ca.RootFS.DiffIDs):
			d.add(field, "add", cb.RootFS.DiffIDs[i].String())
		case i >= len(cb.RootFS.DiffIDs):
			d.add(field, "remove", ca.RootFS.DiffIDs[i].String())
		default:
			d.value(field, ca.RootFS.DiffIDs[i].String(), cb.RootFS.DiffIDs[i].String())
		}
	}
	d.section = "manifest"
	d.keyValues("Annotations", a.manifest.Annotations, b.manifest.Annotations)
	return d.out
}

type configDiffer struct {
	section string
	out     []configChange
}

// value reports a change when the JSON forms of a and b differ (so nil and
// empty lists are the same, as in the config's JSON).
func (d *configDiffer) value(field string, a, b any) {
	ja, jb := jsonText(a), jsonText(b)
	if ja != jb {
		d.out = append(d.out, configChange{Section: d.section, Field: field, Op: "change", Old: json.RawMessage(ja), New: json.RawMessage(jb)})
	}
}

func (d *configDiffer) add(field, op, value string) {
	d.out = append(d.out, configChange{Section: d.section, Field: field, Op: op, Value: value})
}

// set reports the entries removed from and added to a list, order and
// duplicates ignored: removals first, each group sorted.
func (d *configDiffer) set(field string, a, b []string) {
	for _, v := range setMinus(a, b) {
		d.add(field, "remove", v)
	}
	for _, v := range setMinus(b, a) {
		d.add(field, "add", v)
	}
}

// keyValues compares maps key by key, printed as KEY=VALUE: a changed
// value is a removal of the old pair and an addition of the new one.
// Comparing by key (not as a set of KEY=VALUE strings) keeps {"a=b": "c"}
// and {"a": "b=c"} apart; the JSON form carries the key separately.
func (d *configDiffer) keyValues(field string, a, b map[string]string) {
	for _, op := range []struct {
		name     string
		from, to map[string]string
	}{{"remove", a, b}, {"add", b, a}} {
		for _, k := range slices.Sorted(maps.Keys(op.from)) {
			if w, ok := op.to[k]; !ok || w != op.from[k] {
				d.out = append(d.out, configChange{Section: d.section, Field: field, Op: op.name, Key: k, Value: k + "=" + op.from[k]})
			}
		}
	}
}

// env compares Env lists as sets; when the sets are equal but a name
// repeated with different values comes in another order (which value a
// process sees depends on the order), the whole list is a change.
func (d *configDiffer) env(a, b []string) {
	n := len(d.out)
	d.set("Env", a, b)
	if len(d.out) == n && !maps.Equal(envEnds(a), envEnds(b)) {
		d.value("Env", a, b)
	}
}

// envEnds maps each name of env to its first and last values.
func envEnds(env []string) map[string][2]string {
	m := map[string][2]string{}
	for _, e := range env {
		name, _, _ := strings.Cut(e, "=")
		if ends, ok := m[name]; ok {
			m[name] = [2]string{ends[0], e}
		} else {
			m[name] = [2]string{e, e}
		}
	}
	return m
}

// setMinus returns the sorted distinct entries of a that b lacks.
func setMinus(a, b []string) []string {
	var out []string
	for _, v := range a {
		if !slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "[]" || string(b) == "{}" {
		return "null"
	}
	return string(b)
}

// timeValue is the JSON value of an optional time.
func timeValue(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}
