package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/template"
)

// statTemplateFuncs are the functions --format templates may call besides
// text/template's own.
var statTemplateFuncs = template.FuncMap{
	// json prints a value as compact JSON.
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	// join joins the elements of a list with sep.
	"join": func(list []any, sep string) string {
		parts := make([]string, len(list))
		for i, v := range list {
			parts[i] = fmt.Sprint(v)
		}
		return strings.Join(parts, sep)
	},
}

// parseStatTemplate parses a --format template.
func parseStatTemplate(text string) (*template.Template, error) {
	t, err := template.New("format").Funcs(statTemplateFuncs).Option("missingkey=zero").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("invalid --format: %w", err)
	}
	return t, nil
}

// writeStatTemplate executes t over the document --json prints (decoded
// into maps, lists, strings, json.Numbers, booleans and nils) and ends the
// output with a newline.
func writeStatTemplate(w io.Writer, t *template.Template, info *statImage) error {
	var doc bytes.Buffer
	if err := writeStatJSON(&doc, info); err != nil {
		return err
	}
	dec := json.NewDecoder(&doc)
	dec.UseNumber()
	var data any
	if err := dec.Decode(&data); err != nil {
		return fmt.Errorf("decode stat document: %w", err)
	}
	var out bytes.Buffer
	if err := t.Execute(&out, data); err != nil {
		return fmt.Errorf("execute --format: %w", err)
	}
	if !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
		out.WriteByte('\n')
	}
	_, err := w.Write(out.Bytes())
	return err
}
