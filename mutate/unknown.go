package mutate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Unknown JSON fields.
//
// The mutator edits the manifest, the config and every parent index through
// the image-spec Go structs, which model only part of what real documents
// carry: Docker-era config keys (container, container_config,
// docker_version, config.Healthcheck, config.Shell, config.OnBuild, ...),
// vendor extensions at any level, extra keys in descriptors, history
// entries or rootfs. Commit marshals the edited struct and then calls
// mergeUnknown with the raw bytes the document was read from, which puts
// those keys back. The rules, applied recursively from the top-level object
// of the document along a shape (the static description of the Go struct
// at each level):
//
//  1. Only an object is merged into an object: when the original value or
//     the new value at a level is not a JSON object (absent, null, another
//     type), nothing is carried at that level or below it.
//  2. A key of the original object is restored only when it is unknown: it
//     is not the JSON name of a field of the Go struct at that level. Names
//     are compared case-insensitively, the way encoding/json matches them
//     when decoding, so "env" in an original config is the Env field.
//     Known keys are never restored: a field the edit emptied (omitempty)
//     or removed (created, an annotation map, a subject) stays removed.
//  3. A key already in the new object, or equal to one of its keys up to
//     case, is never restored: the new document always wins.
//  4. Map-typed fields (annotations, Labels, ExposedPorts, Volumes) are
//     user data, fully described by the struct: they are known keys and
//     are never descended into, so a removed label stays removed.
//  5. Struct-typed fields are descended into (manifest config and subject,
//     descriptor platform, image config.config and rootfs, index subject).
//     The original counterpart of a key is the original key of the same
//     name, else the last one equal to it up to case (what encoding/json
//     decoded into the field).
//  6. Arrays of objects are descended into element by element, only for
//     elements paired with an original element by identity:
//     - manifest layers[]: by digest; the k-th layer with digest D is
//     paired with the k-th original layer with digest D (a layer kept
//     through Add, SetLayers or Docker conversion keeps its extra keys).
//     - index manifests[]: by position, when the length is unchanged
//     (rewriteParent retargets entries in place and never adds, removes or
//     reorders any).
//     - config history[]: by position, only when the array grew by
//     appending: every original entry is still at its index and equal to
//     the new one in the fields the struct models. Otherwise (history
//     replaced by SetLayers) nothing is carried into history.
//     New elements have no counterpart and get nothing.
//  7. Restored keys keep their original value verbatim (only compacted);
//     they are written after the struct's keys, sorted by key bytes; when
//     a key appears more than once in the original, its last value is
//     used. Keys of the new object keep their order and values.
//
// When nothing is restored anywhere, mergeUnknown returns the new document
// unchanged, so the output stays byte-identical to the plain struct
// encoding (and to umoci's) for documents without unknown keys. The output
// is a function of its two inputs only: same input and same edits give the
// same bytes.
//
// Docker → OCI conversion goes through the same merge: Docker-only keys are
// unknown to the OCI structs and are kept (consumers must ignore unknown
// fields); the media types the conversion replaces are known keys, so the
// new values win.

// errInvalidJSON is returned by mergeUnknown when the new document is not
// valid JSON.
var errInvalidJSON = errors.New("invalid JSON")

// shape describes one object level of a document as the Go struct that
// decodes it sees it.
type shape struct {
	// known holds the folded JSON names of the struct's fields.
	known map[string]bool
	// objects maps a field name to the shape of its struct-typed value.
	objects map[string]*shape
	// arrays maps a field name to the rule for its array of objects.
	arrays map[string]arrayRule
}

// arrayRule says how the elements of an array of objects are paired.
type arrayRule struct {
	elem *shape
	// match returns, for each new element, the index of its original
	// counterpart or -1.
	match func(prev, next []json.RawMessage) []int
}

// The shapes of the documents Commit writes. They are built by reflection
// on first use, not at package initialisation: every lade command, most of
// which never commit, would pay for them at start-up.
var shapes = sync.OnceValue(func() *shapeSet {
	platform := newShape(reflect.TypeFor[ispec.Platform](), nil, nil)
	descriptor := newShape(reflect.TypeFor[ispec.Descriptor](),
		map[string]*shape{"platform": platform}, nil)
	imageConfig := newShape(reflect.TypeFor[ispec.ImageConfig](), nil, nil)
	rootFS := newShape(reflect.TypeFor[ispec.RootFS](), nil, nil)
	history := newShape(reflect.TypeFor[ispec.History](), nil, nil)
	return &shapeSet{
		platform:    platform,
		descriptor:  descriptor,
		imageConfig: imageConfig,
		rootFS:      rootFS,
		history:     history,
		manifest: newShape(reflect.TypeFor[ispec.Manifest](),
			map[string]*shape{"config": descriptor, "subject": descriptor},
			map[string]arrayRule{"layers": {elem: descriptor, match: matchDigest}}),
		index: newShape(reflect.TypeFor[ispec.Index](),
			map[string]*shape{"subject": descriptor},
			map[string]arrayRule{"manifests": {elem: descriptor, match: matchPosition}}),
		image: newShape(reflect.TypeFor[ispec.Image](),
			map[string]*shape{"config": imageConfig, "rootfs": rootFS},
			map[string]arrayRule{"history": {elem: history, match: matchAppended(canonical[ispec.History])}}),
	}
})

type shapeSet struct {
	platform, descriptor, manifest, index, imageConfig, rootFS, history, image *shape
}

func platformShape() *shape    { return shapes().platform }
func descriptorShape() *shape  { return shapes().descriptor }
func manifestShape() *shape    { return shapes().manifest }
func indexShape() *shape       { return shapes().index }
func imageConfigShape() *shape { return shapes().imageConfig }
func rootFSShape() *shape      { return shapes().rootFS }
func historyShape() *shape     { return shapes().history }
func imageShape() *shape       { return shapes().image }

// newShape returns the shape of struct type t. Every key of objects and
// arrays must be the JSON name of a field of t (TestShapes checks).
func newShape(t reflect.Type, objects map[string]*shape, arrays map[string]arrayRule) *shape {
	s := &shape{known: map[string]bool{}, objects: objects, arrays: arrays}
	for _, name := range jsonNames(t) {
		s.known[foldKey(name)] = true
	}
	return s
}

// jsonNames returns the JSON names encoding/json uses for the fields of
// struct type t, with embedded untagged structs flattened.
func jsonNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			names = append(names, jsonNames(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	return names
}

// foldKey folds name so that foldKey(a) == foldKey(b) exactly when
// encoding/json treats a and b as the same field name (strings.EqualFold).
func foldKey(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range name {
		// The smallest rune of r's simple case-folding orbit.
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mergeUnknown returns next (the encoding of the edited struct) with the
// unknown keys of prev (the document as read) put back, following s and
// the rules above. prev may be anything, including invalid JSON or nil
// (nothing is carried then); next must be valid JSON.
func mergeUnknown(prev, next []byte, s *shape) ([]byte, error) {
	if !json.Valid(next) {
		return nil, fmt.Errorf("merge unknown fields: new document: %w", errInvalidJSON)
	}
	if !json.Valid(prev) {
		return next, nil
	}
	out, _ := mergeObject(prev, next, s)
	return out, nil
}

// member is one key of a JSON object, in document order.
type member struct {
	key   string
	value json.RawMessage
}

// mergeObject merges the object prev into the object next at level s. It
// returns next itself and false when it restores nothing, here or below.
func mergeObject(prev, next []byte, s *shape) ([]byte, bool) {
	nm, ok := objectMembers(next)
	if !ok {
		return next, false
	}
	pm, ok := objectMembers(prev)
	if !ok {
		return next, false
	}
	changed := false
	for i, m := range nm {
		pv, ok := counterpart(pm, m.key)
		if !ok {
			continue
		}
		var v []byte
		var c bool
		if sub, ok := s.objects[m.key]; ok {
			v, c = mergeObject(pv, m.value, sub)
		} else if rule, ok := s.arrays[m.key]; ok {
			v, c = mergeArray(pv, m.value, rule)
		}
		if c {
			nm[i].value = v
			changed = true
		}
	}

	present := make(map[string]bool, len(nm))
	for _, m := range nm {
		present[foldKey(m.key)] = true
	}
	restored := map[string]json.RawMessage{}
	for _, p := range pm {
		if f := foldKey(p.key); !s.known[f] && !present[f] {
			restored[p.key] = p.value // the last duplicate wins
		}
	}
	if len(restored) == 0 && !changed {
		return next, false
	}

	var buf bytes.Buffer
	buf.Grow(len(next) + 64*len(restored))
	buf.WriteByte('{')
	for i, m := range nm {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeMember(&buf, m.key, m.value)
	}
	keys := make([]string, 0, len(restored))
	for k := range restored {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 || len(nm) > 0 {
			buf.WriteByte(',')
		}
		writeMember(&buf, k, restored[k])
	}
	buf.WriteByte('}')
	return buf.Bytes(), true
}

// mergeArray merges the elements of array prev into those of array next
// that rule pairs with them.
func mergeArray(prev, next []byte, rule arrayRule) ([]byte, bool) {
	ne, ok := arrayElems(next)
	if !ok {
		return next, false
	}
	pe, ok := arrayElems(prev)
	if !ok {
		return next, false
	}
	changed := false
	for i, j := range rule.match(pe, ne) {
		if j < 0 {
			continue
		}
		if v, c := mergeObject(pe[j], ne[i], rule.elem); c {
			ne[i] = v
			changed = true
		}
	}
	if !changed {
		return next, false
	}
	var buf bytes.Buffer
	buf.Grow(len(next))
	buf.WriteByte('[')
	for i, e := range ne {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(e)
	}
	buf.WriteByte(']')
	return buf.Bytes(), true
}

// writeMember writes "key":value, the value compacted.
func writeMember(buf *bytes.Buffer, key string, value []byte) {
	k, _ := json.Marshal(key) // a string always encodes
	buf.Write(k)
	buf.WriteByte(':')
	if err := json.Compact(buf, value); err != nil {
		// Unreachable: value was read by a json.Decoder.
		buf.WriteString("null")
	}
}

// counterpart returns the value of key in the original members: the last
// exact match, else the last match up to case.
func counterpart(pm []member, key string) ([]byte, bool) {
	for i := len(pm) - 1; i >= 0; i-- {
		if pm[i].key == key {
			return pm[i].value, true
		}
	}
	f := foldKey(key)
	for i := len(pm) - 1; i >= 0; i-- {
		if foldKey(pm[i].key) == f {
			return pm[i].value, true
		}
	}
	return nil, false
}

// objectMembers returns the members of the JSON object raw in document
// order, or false when raw is not one valid JSON object.
func objectMembers(raw []byte) ([]member, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var ms []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key, ok := tok.(string)
		if !ok {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		ms = append(ms, member{key, v})
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return ms, true
}
