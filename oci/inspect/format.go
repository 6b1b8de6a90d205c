package inspect

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"text/tabwriter"
	"text/template"
)

// jsonFormat matches the --format values that mean "print JSON": "json"
// and "{{json .}}", with any spacing (as podman and skopeo read them).
var jsonFormat = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\s*(json|{{\s*json\s*(\.)?\s*}})\s*$`)
})

// escapes turns the "\t" and "\n" a shell passes literally into a tab and
// a newline; tableEscapes also makes every space a column separator, for
// a format starting "table ".
var (
	escapes      = sync.OnceValue(func() *strings.Replacer { return strings.NewReplacer(`\t`, "\t", `\n`, "\n") })
	tableEscapes = sync.OnceValue(func() *strings.Replacer {
		return strings.NewReplacer("table ", "", `\t`, "\t", " ", "\t", `\n`, "\n")
	})
)

// Write prints v (an *Output or an *ImageConfig) as skopeo inspect does
// for --format format: JSON (see WriteJSON) when format is empty, "json"
// or "{{json .}}"; otherwise the Go template format (with \t and \n
// escapes turned into characters, a newline added at the end if missing,
// and tab-separated columns aligned) executed over v.
//
// Unlike skopeo 1.9.3, which never flushes its column writer and so prints
// nothing for a template containing a tab, Write prints the aligned
// columns. The template has no functions beyond text/template's
// built-ins, as in skopeo.
func Write(w io.Writer, format string, v any) error {
	if format == "" || jsonFormat().MatchString(format) {
		return WriteJSON(w, v)
	}
	if strings.HasPrefix(format, "table ") {
		format = tableEscapes().Replace(format)
	} else {
		format = escapes().Replace(format)
	}
	if !strings.HasSuffix(format, "\n") {
		format += "\n"
	}
	// skopeo ranges over a one-element list, which shows in the column
	// numbers of template errors; doing the same keeps them identical.
	t, err := template.New("inspect").Parse("{{range . }}" + format + "{{end}}")
	if err != nil {
		return fmt.Errorf("parse format: %w", err)
	}
	tw := tabwriter.NewWriter(w, 8, 2, 2, ' ', 0)
	if err := t.Execute(tw, []any{v}); err != nil {
		return fmt.Errorf("execute format: %w", err)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}
