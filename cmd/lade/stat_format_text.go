package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// maxDataDump is how many bytes of a descriptor's embedded data are dumped.
const maxDataDump = 256

// writeStatText prints the human-readable stat of s: the manifest, config
// and history sections.
func writeStatText(w io.Writer, s *statImage) error {
	p := &textPrinter{w: bufio.NewWriter(w)}
	p.manifest(s)
	if s.Config != nil {
		p.line("")
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

func (p *textPrinter) manifest(s *statImage) {
	m := s.manifest
	p.line("== MANIFEST ==")
	p.line("Schema Version: %d", m.SchemaVersion)
	p.line("Media Type: %s", quote(m.MediaType, false))
	if m.ArtifactType != "" {
		p.line("Artifact Type: %s", quote(m.ArtifactType, false))
	}
	p.line("Config:")
	p.descriptor("\t", m.Config)
	if len(m.Layers) > 0 {
		p.line("Layers:")
		for _, l := range m.Layers {
			p.descriptor("\t", l)
		}
	}
	if m.Subject != nil {
		p.line("Subject:")
		p.descriptor("\t", *m.Subject)
	}
	p.annotations("", m.Annotations)
	p.descriptor("", s.Manifest.Descriptor)
}

func (p *textPrinter) config(s *statImage) {
	p.line("== CONFIG ==")
	if img := s.config; img != nil {
		p.line("Created: %s", formatTime(img.Created))
		p.line("Author: %s", quote(img.Author, true))
		p.line("Platform:")
		p.line("\tOS: %s", quote(img.OS, false))
		if img.OSVersion != "" {
			p.line("\tOS Version: %s", quote(img.OSVersion, false))
		}
		if len(img.OSFeatures) > 0 {
			p.line("\tOS Features: %s", quoteJoin(img.OSFeatures))
		}
		arch := quote(img.Architecture, false)
		if img.Variant != "" {
			arch += " (" + quote(img.Variant, false) + ")"
		}
		p.line("\tArchitecture: %s", arch)
		p.imageConfig(img.Config)
	}
	p.descriptor("", s.Config.Descriptor)
}

func (p *textPrinter) imageConfig(c ispec.ImageConfig) {
	p.line("Image Config:")
	p.line("\tUser: %s", quote(c.User, true))
	if len(c.Entrypoint) > 0 {
		p.list("\t", "Entrypoint", c.Entrypoint)
	}
	command := "Command"
	if c.ArgsEscaped { //nolint:staticcheck // shown as umoci shows it
		command += " (escaped)"
	}
	if len(c.Cmd) > 0 {
		p.list("\t", command, c.Cmd)
	} else {
		p.line("\t%s: (empty)", command)
	}
	if c.WorkingDir != "" {
		p.line("\tWorking Directory: %s", quote(c.WorkingDir, true))
	}
	if len(c.Env) > 0 {
		p.list("\t", "Environment", c.Env)
	}
	if c.StopSignal != "" {
		p.line("\tStop Signal: %s", quote(c.StopSignal, true))
	}
	if len(c.ExposedPorts) > 0 {
		p.line("\tExposed Ports: %s", quoteJoin(slices.Sorted(maps.Keys(c.ExposedPorts))))
	}
	if len(c.Volumes) > 0 {
		p.line("\tVolumes: %s", quoteJoin(slices.Sorted(maps.Keys(c.Volumes))))
	}
	if len(c.Labels) > 0 {
		p.line("\tLabels:")
		for _, k := range slices.Sorted(maps.Keys(c.Labels)) {
			p.line("\t\t%s: %s", quote(k, true), quote(c.Labels[k], false))
		}
	}
}

// list prints a heading and one precise-quoted value per line below it.
func (p *textPrinter) list(indent, heading string, values []string) {
	p.line("%s%s:", indent, heading)
	for _, v := range values {
		p.line("%s\t%s", indent, quote(v, true))
	}
}

func (p *textPrinter) annotations(indent string, a map[string]string) {
	if len(a) == 0 {
		return
	}
	p.line("%sAnnotations:", indent)
	for _, k := range slices.Sorted(maps.Keys(a)) {
		p.line("%s\t%s: %s", indent, quote(k, true), quote(a[k], false))
	}
}

func (p *textPrinter) descriptor(indent string, d ispec.Descriptor) {
	p.line("%sDescriptor:", indent)
	in := indent + "\t"
	p.line("%sMedia Type: %s", in, quote(d.MediaType, false))
	if d.ArtifactType != "" {
		p.line("%sArtifact Type: %s", in, quote(d.ArtifactType, false))
	}
	p.line("%sDigest: %s", in, quote(string(d.Digest), false))
	p.line("%sSize: %s", in, humanSize(d.Size))
	if len(d.URLs) > 0 {
		p.line("%sURLs:", in)
		for _, u := range d.URLs {
			p.line("%s\t%s", in, quote(u, true))
		}
	}
	p.annotations(in, d.Annotations)
	if len(d.Data) > 0 {
		p.data(in, d.Data)
	}
}

// data hex-dumps the first maxDataDump bytes of embedded descriptor data.
func (p *textPrinter) data(indent string, data []byte) {
	p.line("%sData:", indent)
	shown := data[:min(len(data), maxDataDump)]
	for _, l := range strings.Split(strings.TrimSuffix(hex.Dump(shown), "\n"), "\n") {
		p.line("%s\t%s", indent, l)
	}
	if rest := len(data) - len(shown); rest > 0 {
		p.line("%s\t... (%d more bytes)", indent, rest)
	}
}

// writeHistoryTable prints the history as an aligned table.
func writeHistoryTable(w io.Writer, entries []statHistoryEntry) error {
	tw := tabwriter.NewWriter(w, 0, 8, 1, ' ', 0)
	fmt.Fprintf(tw, "LAYER\tCREATED\tCREATED BY\tSIZE\tCOMMENT\n")
	for _, e := range entries {
		layer, size := "<none>", "<none>"
		if e.Layer != nil {
			layer = quote(string(e.Layer.Digest), false)
			size = humanSize(e.Layer.Size)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", layer, formatTime(e.Created),
			quote(e.CreatedBy, false), size, quote(e.Comment, false))
	}
	return tw.Flush()
}

// formatTime prints an optional timestamp; a missing one (which made umoci
// panic) prints as "<none>".
func formatTime(t *time.Time) string {
	if t == nil {
		return "<none>"
	}
	return t.Format(time.RFC3339Nano)
}

// quoteJoin joins precise-quoted values with ", ".
func quoteJoin(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = quote(v, true)
	}
	return strings.Join(quoted, ", ")
}
