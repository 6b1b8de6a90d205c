package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lade-oci/lade/layer"
)

// diffQuote prints s as is unless a reader could not tell where it ends:
// non-printable characters, white space, bytes that are not UTF-8, a
// leading quote or an empty string get Go quoting, so every change stays
// on one line and unquotes to the exact bytes.
func diffQuote(s string) string { return quoteWith(s, "") }

// quoteWith is diffQuote that also quotes s when it contains sep, the
// separator around it on the line ("->" between link targets, "," between
// xattr names).
func quoteWith(s, sep string) string {
	if s == "" || strings.HasPrefix(s, `"`) || !utf8.ValidString(s) || (sep != "" && strings.Contains(s, sep)) ||
		strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// jsonName is a file name, link target or xattr name as a JSON string:
// encoding/json would turn bytes that are not UTF-8 into U+FFFD (two names
// would print alike), so such a name is Go-quoted instead, and so is one
// that starts with a double quote. A JSON value starting with a quote is
// therefore always a Go-quoted string (strconv.Unquote gives the bytes).
func jsonName(s string) string {
	if !utf8.ValidString(s) || strings.HasPrefix(s, `"`) {
		return strconv.Quote(s)
	}
	return s
}

func jsonNames(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = jsonName(n)
	}
	return out
}

// writeConfigText prints one config change per line.
func writeConfigText(w io.Writer, changes []configChange) error {
	for _, c := range changes {
		var line string
		switch c.Op {
		case "add":
			line = fmt.Sprintf("%s %s +%s", c.Section, c.Field, diffQuote(c.Value))
		case "remove":
			line = fmt.Sprintf("%s %s -%s", c.Section, c.Field, diffQuote(c.Value))
		default:
			line = fmt.Sprintf("%s %s %s -> %s", c.Section, c.Field, c.Old, c.New)
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}

// writeFilesText prints one file change per line: "A PATH", "D PATH" or
// "M PATH FIELD..." where FIELD is NAME or NAME:OLD->NEW.
func writeFilesText(w io.Writer, changes []layer.Change) error {
	for _, c := range changes {
		line := c.Kind.String() + " " + diffQuote(c.Path)
		for _, f := range c.Fields {
			line += " " + fieldText(f, &c)
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}

func fieldText(f string, c *layer.Change) string {
	a, b := c.Old, c.New
	arrow := func(x, y string) string { return f + ":" + x + "->" + y }
	switch f {
	case layer.FieldType:
		return arrow(a.Type.String(), b.Type.String())
	case layer.FieldMode:
		return arrow(fmt.Sprintf("%04o", a.Mode), fmt.Sprintf("%04o", b.Mode))
	case layer.FieldUID:
		return arrow(strconv.Itoa(a.UID), strconv.Itoa(b.UID))
	case layer.FieldGID:
		return arrow(strconv.Itoa(a.GID), strconv.Itoa(b.GID))
	case layer.FieldSize:
		return arrow(strconv.FormatInt(a.Size, 10), strconv.FormatInt(b.Size, 10))
	case layer.FieldLink:
		return arrow(quoteWith(a.Linkname, "->"), quoteWith(b.Linkname, "->"))
	case layer.FieldDevice:
		return arrow(fmt.Sprintf("%d,%d", a.Devmajor, a.Devminor), fmt.Sprintf("%d,%d", b.Devmajor, b.Devminor))
	case layer.FieldXattr:
		names := make([]string, len(c.Xattrs))
		for i, n := range c.Xattrs {
			names[i] = quoteWith(n, ",")
		}
		return f + ":" + strings.Join(names, ",")
	case layer.FieldMtime:
		return arrow(mtimeText(a), mtimeText(b))
	}
	return f
}

func mtimeText(n *layer.Node) string {
	if n.ModTime.IsZero() {
		return "-"
	}
	return n.ModTime.UTC().Format(time.RFC3339Nano)
}

// jsonNode is a file's metadata in --json output.
type jsonNode struct {
	Type     string   `json:"type"`
	Mode     string   `json:"mode"`
	UID      int      `json:"uid"`
	GID      int      `json:"gid"`
	Size     int64    `json:"size"`
	Digest   string   `json:"digest,omitempty"`
	Link     string   `json:"link,omitempty"`
	Devmajor int64    `json:"devmajor,omitempty"`
	Devminor int64    `json:"devminor,omitempty"`
	Xattrs   []string `json:"xattrs,omitempty"`
	Mtime    string   `json:"mtime,omitempty"`
}

// jsonFileChange is one file change in --json output.
type jsonFileChange struct {
	Path   string    `json:"path"`
	Op     string    `json:"op"` // "add", "remove" or "change"
	Fields []string  `json:"fields,omitempty"`
	Xattrs []string  `json:"xattrs,omitempty"`
	Old    *jsonNode `json:"old,omitempty"`
	New    *jsonNode `json:"new,omitempty"`
}

var changeOps = map[layer.ChangeKind]string{layer.Added: "add", layer.Removed: "remove", layer.Modified: "change"}

func toJSONNode(n *layer.Node) *jsonNode {
	if n == nil {
		return nil
	}
	j := &jsonNode{Type: n.Type.String(), Mode: fmt.Sprintf("%04o", n.Mode), UID: n.UID, GID: n.GID, Size: n.Size,
		Link: jsonName(n.Linkname), Devmajor: n.Devmajor, Devminor: n.Devminor}
	if n.Digest != "" {
		j.Digest = n.Digest.String()
	}
	for name := range n.Xattrs {
		j.Xattrs = append(j.Xattrs, jsonName(name))
	}
	slices.Sort(j.Xattrs)
	if !n.ModTime.IsZero() {
		j.Mtime = n.ModTime.UTC().Format(time.RFC3339Nano)
	}
	return j
}

// writeDiffJSON prints {"config":[...],"files":[...]}; a part that was not
// compared (--files-only, --config-only) is null.
func writeDiffJSON(w io.Writer, config []configChange, files []layer.Change, withConfig, withFiles bool) error {
	doc := struct {
		Config []configChange   `json:"config"`
		Files  []jsonFileChange `json:"files"`
	}{}
	if withConfig {
		doc.Config = append([]configChange{}, config...)
	}
	if withFiles {
		doc.Files = []jsonFileChange{}
		for _, c := range files {
			doc.Files = append(doc.Files, jsonFileChange{Path: jsonName(c.Path), Op: changeOps[c.Kind], Fields: c.Fields,
				Xattrs: jsonNames(c.Xattrs), Old: toJSONNode(c.Old), New: toJSONNode(c.New)})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
