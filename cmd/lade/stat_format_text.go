package main

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// writeStatText prints the human-readable stat of s: the manifest, config
// and history sections, laid out and quoted exactly as umoci 0.6 prints
// them.
func writeStatText(w io.Writer, s *statImage) error {
	p := &textPrinter{w: bufio.NewWriter(w)}
	p.line("== MANIFEST ==")
	p.manifest(s)
	if s.Config != nil {
		p.line("")
		p.line("== CONFIG ==")
		p.config(s)
	}
	if s.config != nil {
		p.line("")
		p.line("== HISTORY ==")
		if err := writeHistoryTable(p.w, s.history()); err != nil {
			return fmt.Errorf("write history: %w", err)
		}
	}
	if err := p.w.Flush(); err != nil {
		return fmt.Errorf("write stat: %w", err)
	}
	return nil
}

// textPrinter writes indented lines; write errors surface at Flush.
type textPrinter struct {
	w *bufio.Writer
}

func (p *textPrinter) line(format string, args ...any) {
	fmt.Fprintf(p.w, format, args...)
	p.w.WriteByte('\n')
}

// kv prints "key: values" (values joined by ", ", each quoted by
// listValue), or a "key:" heading when there are no values.
func (p *textPrinter) kv(indent, key string, values ...string) {
	if len(values) == 0 {
		p.line("%s%s:", indent, key)
		return
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = listValue(v)
	}
	p.line("%s%s: %s", indent, key, strings.Join(quoted, ", "))
}

func (p *textPrinter) manifest(s *statImage) {
	m := s.manifest
	p.kv("", "Schema Version", strconv.Itoa(m.SchemaVersion))
	p.kv("", "Media Type", m.MediaType)
	if m.ArtifactType != "" {
		p.kv("", "Artifact Type", m.ArtifactType)
	}
	p.kv("", "Config")
	p.descriptor("\t", m.Config)
	if len(m.Layers) > 0 {
		p.kv("", "Layers")
		for _, l := range m.Layers {
			p.descriptor("\t", l)
		}
	}
	if m.Subject != nil {
		p.kv("", "Subject")
		p.descriptor("\t", *m.Subject)
	}
	if len(m.Annotations) > 0 {
		p.mapping("", "Annotations", m.Annotations)
	}
	p.descriptor("", s.Manifest.Descriptor)
}

func (p *textPrinter) config(s *statImage) {
	if img := s.config; img != nil {
		if img.Created != nil {
			p.kv("", "Created", img.Created.Format(time.RFC3339Nano))
		}
		p.kv("", "Author", img.Author)
		p.platform("", img.Platform)
		p.imageConfig("", img.Config)
	}
	p.descriptor("", s.Config.Descriptor)
}

func (p *textPrinter) platform(indent string, pl ispec.Platform) {
	p.kv(indent, "Platform")
	in := indent + "\t"
	p.kv(in, "OS", pl.OS)
	if pl.OSVersion != "" {
		p.kv(in, "OS Version", pl.OSVersion)
	}
	if len(pl.OSFeatures) > 0 {
		p.kv(in, "OS Features", pl.OSFeatures...)
	}
	arch := quote(pl.Architecture, true)
	if pl.Variant != "" {
		arch += " (" + quote(pl.Variant, false) + ")"
	}
	p.line("%sArchitecture: %s", in, arch)
}

func (p *textPrinter) imageConfig(indent string, c ispec.ImageConfig) {
	p.kv(indent, "Image Config")
	in := indent + "\t"
	p.kv(in, "User", c.User)
	escaped := ""
	if c.ArgsEscaped { //nolint:staticcheck // shown as umoci shows it
		escaped = " (escaped)"
	}
	if len(c.Entrypoint) > 0 {
		p.list(in, "Entrypoint"+escaped, c.Entrypoint)
	}
	p.list(in, "Command"+escaped, c.Cmd)
	if c.WorkingDir != "" {
		p.kv(in, "Working Directory", c.WorkingDir)
	}
	if len(c.Env) > 0 {
		p.list(in, "Environment", c.Env)
	}
	if c.StopSignal != "" {
		p.kv(in, "Stop Signal", c.StopSignal)
	}
	if len(c.ExposedPorts) > 0 {
		p.kv(in, "Exposed Ports", slices.Sorted(maps.Keys(c.ExposedPorts))...)
	}
	if len(c.Volumes) > 0 {
		p.kv(in, "Volumes", slices.Sorted(maps.Keys(c.Volumes))...)
	}
	if len(c.Labels) > 0 {
		p.mapping(in, "Labels", c.Labels)
	}
}

// list prints a heading and one precise-quoted value per line below it,
// or "heading: (empty)".
func (p *textPrinter) list(indent, heading string, values []string) {
	if len(values) == 0 {
		p.kv(indent, heading, "(empty)")
		return
	}
	p.kv(indent, heading)
	for _, v := range values {
		p.line("%s\t%s", indent, quote(v, true))
	}
}

// mapping prints a heading and a "key: value" line per entry, by key.
func (p *textPrinter) mapping(indent, heading string, m map[string]string) {
	p.kv(indent, heading)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		p.kv(indent+"\t", quote(k, true), m[k])
	}
}

func (p *textPrinter) descriptor(indent string, d ispec.Descriptor) {
	p.kv(indent, "Descriptor")
	in := indent + "\t"
	p.kv(in, "Media Type", d.MediaType)
	if d.ArtifactType != "" {
		p.kv(in, "Artifact Type", d.ArtifactType)
	}
	p.kv(in, "Digest", string(d.Digest))
	p.kv(in, "Size", humanSize(d.Size))
	if d.Platform != nil {
		// umoci prints a descriptor's platform unindented.
		p.platform("", *d.Platform)
	}
	if len(d.URLs) > 0 {
		p.list(in, "URLs", d.URLs)
	}
	if len(d.Annotations) > 0 {
		p.mapping(in, "Annotations", d.Annotations)
	}
	if len(d.Data) > 0 {
		p.line("%sData: (%d bytes)", in, len(d.Data))
		writeDump(p.w, in+"\t", d.Data)
	}
}

// writeHistoryTable prints the history as an aligned table.
func writeHistoryTable(w io.Writer, entries []statHistoryEntry) error {
	tw := tabwriter.NewWriter(w, 4, 2, 1, ' ', 0)
	fmt.Fprintf(tw, "LAYER\tCREATED\tCREATED BY\tSIZE\tCOMMENT\n")
	for _, e := range entries {
		layer, size := "<none>", "<none>"
		if e.Layer != nil {
			layer = string(e.Layer.Digest)
			size = humanSize(e.Layer.Size)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", layer, quote(formatTime(e.Created), false),
			quote(e.CreatedBy, false), size, quote(e.Comment, false))
	}
	return tw.Flush()
}

// formatTime prints an optional timestamp as stored (offset and fraction
// kept); a missing one (which made umoci panic) prints as "<none>".
func formatTime(t *time.Time) string {
	if t == nil {
		return "<none>"
	}
	return t.Format(time.RFC3339Nano)
}
