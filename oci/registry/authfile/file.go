package authfile

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxFileSize bounds an auth file read into memory.
const maxFileSize = 4 << 20

// Credential is a user name and password, or an identity (refresh) token.
// String never shows the secret.
type Credential struct {
	Username string
	Password string
	// IdentityToken is an OAuth2 refresh token (Docker's "identitytoken",
	// or a helper's secret for the user "<token>").
	IdentityToken string
}

// IsEmpty reports whether c holds nothing to authenticate with.
func (c Credential) IsEmpty() bool {
	return c.Username == "" && c.Password == "" && c.IdentityToken == ""
}

// String returns the user name and a redacted secret.
func (c Credential) String() string {
	if c.Password == "" && c.IdentityToken == "" {
		return c.Username
	}
	return c.Username + ":<redacted>"
}

// file is one parsed auth file. top keeps every key, known or not, so
// that a rewrite loses nothing.
type file struct {
	top         map[string]json.RawMessage
	auths       map[string]json.RawMessage
	credHelpers map[string]string
	credsStore  string
}

// readFile parses path; a missing or empty file is an empty one. legacy
// reads the ~/.dockercfg format (the whole file is the "auths" map).
func readFile(path string, legacy bool) (*file, error) {
	f := &file{top: map[string]json.RawMessage{}, auths: map[string]json.RawMessage{}}
	fh, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open auth file: %w", err)
	}
	defer fh.Close()
	raw, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read auth file %s: %w", path, err)
	}
	if len(raw) > maxFileSize {
		return nil, fmt.Errorf("read auth file %s: larger than %d bytes", path, maxFileSize)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return f, nil
	}
	if legacy {
		if err := json.Unmarshal(raw, &f.auths); err != nil {
			return nil, fmt.Errorf("parse auth file %s: %w", path, jsonError(err))
		}
		return f, nil
	}
	if err := json.Unmarshal(raw, &f.top); err != nil || f.top == nil {
		return nil, fmt.Errorf("parse auth file %s: %w", path, jsonError(err))
	}
	for key, dst := range map[string]any{"auths": &f.auths, "credHelpers": &f.credHelpers, "credsStore": &f.credsStore} {
		if v, ok := f.top[key]; ok && string(v) != "null" {
			if err := json.Unmarshal(v, dst); err != nil {
				return nil, fmt.Errorf("parse auth file %s: %q: %w", path, key, jsonError(err))
			}
		}
	}
	if f.auths == nil {
		f.auths = map[string]json.RawMessage{}
	}
	return f, nil
}

// jsonError keeps a decoding error's kind and position but not the
// offending value, which could be a secret.
func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return errors.New("not a JSON object")
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te) && te.Field != "":
		return fmt.Errorf("field %q must not be a JSON %s", te.Field, te.Value)
	case errors.As(err, &te):
		return fmt.Errorf("unexpected JSON %s", te.Value)
	}
	return errors.New("invalid JSON")
}

// entry is an "auths" value.
type entry struct {
	Auth          string `json:"auth"`
	IdentityToken string `json:"identitytoken"`
	Username      string `json:"username"`
	Password      string `json:"password"`
}

// decodeEntry returns the credential of an "auths" value: "auth" is
// base64("user:password").
func decodeEntry(path, key string, raw json.RawMessage) (Credential, error) {
	var e entry
	if err := json.Unmarshal(raw, &e); err != nil {
		return Credential{}, fmt.Errorf("parse auth file %s: entry %q: %w", path, key, jsonError(err))
	}
	c := Credential{Username: e.Username, Password: e.Password, IdentityToken: e.IdentityToken}
	if e.Auth == "" {
		return c, nil
	}
	dec, err := base64.StdEncoding.DecodeString(e.Auth)
	if err != nil {
		return Credential{}, fmt.Errorf("parse auth file %s: entry %q: \"auth\" is not valid base64", path, key)
	}
	user, pass, ok := strings.Cut(string(dec), ":")
	if !ok {
		return Credential{}, fmt.Errorf("parse auth file %s: entry %q: \"auth\" is not base64 of user:password", path, key)
	}
	c.Username, c.Password = user, pass
	return c, nil
}

// encodeEntry returns an "auths" value for c, keeping the keys of old
// (an existing entry) that do not hold credentials.
func encodeEntry(old json.RawMessage, c Credential) (json.RawMessage, error) {
	fields := map[string]json.RawMessage{}
	if old != nil {
		_ = json.Unmarshal(old, &fields) // an unreadable old entry is replaced whole
	}
	for _, k := range []string{"auth", "identitytoken", "username", "password"} {
		delete(fields, k)
	}
	auth, _ := json.Marshal(base64.StdEncoding.EncodeToString([]byte(c.Username + ":" + c.Password)))
	fields["auth"] = auth
	if c.IdentityToken != "" {
		fields["identitytoken"], _ = json.Marshal(c.IdentityToken)
	}
	return json.Marshal(fields)
}

// marshal returns the file's JSON as skopeo writes it (tab-indented,
// keys sorted, no final newline).
func (f *file) marshal() ([]byte, error) {
	auths, err := json.Marshal(f.auths)
	if err != nil {
		return nil, err
	}
	f.top["auths"] = auths
	return json.MarshalIndent(f.top, "", "\t")
}
