package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// fieldFunc receives one member of a JSON object, in document order.
type fieldFunc func(key string, value json.RawMessage) error

// errUnknownKey is returned by a fieldFunc for a key it does not accept.
var errUnknownKey = errors.New("unknown key")

// decodeObject decodes raw, which must be exactly one JSON object, calling
// field for each member. A duplicated key, a key field refuses and any data
// after the object are errors: a security policy must not be read with
// typos silently ignored.
func decodeObject(raw []byte, field fieldFunc) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err)
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("expected a JSON object, got %s", describeToken(tok))
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonError(err)
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("expected an object key, got %s", describeToken(tok))
		}
		if seen[key] {
			return fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return jsonError(err)
		}
		if err := field(key, value); err != nil {
			if errors.Is(err, errUnknownKey) {
				return fmt.Errorf("unknown key %q", key)
			}
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}

// decodeExact decodes an object that must have exactly the given keys,
// each decoded strictly into its destination.
func decodeExact(raw []byte, fields map[string]any) error {
	seen := map[string]bool{}
	err := decodeObject(raw, func(key string, value json.RawMessage) error {
		dst, ok := fields[key]
		if !ok {
			return errUnknownKey
		}
		seen[key] = true
		return decodeValue(key, value, dst)
	})
	if err != nil {
		return err
	}
	for key := range fields {
		if !seen[key] {
			return fmt.Errorf("key %q missing", key)
		}
	}
	return nil
}

// decodeValue decodes the value of key into dst, refusing null (which
// encoding/json would silently skip) and values of another JSON type.
func decodeValue(key string, value json.RawMessage, dst any) error {
	if bytes.Equal(bytes.TrimSpace(value), []byte("null")) {
		return fmt.Errorf("%s: null is not allowed", key)
	}
	if err := json.Unmarshal(value, dst); err != nil {
		return fmt.Errorf("%s: %w", key, jsonError(err))
	}
	return nil
}

// jsonError rewords encoding/json's type errors, which name Go types, in
// JSON terms; other errors pass through.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("unexpected JSON %s", te.Value)
	}
	if errors.Is(err, io.EOF) {
		return errors.New("unexpected end of JSON input")
	}
	return err
}

func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(t))
	case string:
		return fmt.Sprintf("string %q", t)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}
