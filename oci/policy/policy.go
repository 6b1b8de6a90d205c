package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"unicode"
)

// MaxPolicySize is the largest policy file Load reads. Real policies are a
// few kilobytes; embedded keys (keyData) make them larger, not megabytes.
const MaxPolicySize = 4 << 20

// systemPolicyPath is the policy Default reads when the user has none
// (a variable so that tests can point it elsewhere).
var systemPolicyPath = "/etc/containers/policy.json"

// userPolicyPath is where a user's own policy lives, under $HOME.
const userPolicyPath = ".config/containers/policy.json"

// Policy is a parsed containers-policy.json(5).
type Policy struct {
	path       string
	def        []requirement
	transports map[string]map[string][]requirement
}

// Path returns the file the policy was read from, or "" for the policy
// that accepts anything (AcceptAnything, or Default when no file exists).
func (p *Policy) Path() string {
	return p.path
}

// AcceptAnything returns a policy that accepts every image: what
// --insecure-policy means, and what Default returns when no policy file
// exists.
func AcceptAnything() *Policy {
	return &Policy{def: []requirement{{kind: typeInsecureAcceptAnything}}}
}

// Default returns the policy skopeo would use without --policy:
// $HOME/.config/containers/policy.json when it exists, else
// /etc/containers/policy.json. When neither exists it returns
// AcceptAnything() (whose Path is ""), where skopeo would fail; the caller
// should say so in its log.
func Default() (*Policy, error) {
	if home := homeDir(); home != "" {
		path := filepath.Join(home, userPolicyPath)
		if _, err := os.Stat(path); err == nil {
			return Load(path)
		}
	}
	if _, err := os.Stat(systemPolicyPath); errors.Is(err, fs.ErrNotExist) {
		return AcceptAnything(), nil
	}
	return Load(systemPolicyPath)
}

// homeDir returns $HOME, or the home directory of the current user when
// HOME is unset, or "" when neither is known.
func homeDir() string {
	if home := os.Getenv("HOME"); home != "" {
		return home
	}
	if u, err := user.Current(); err == nil {
		return u.HomeDir
	}
	return ""
}

// Load reads and parses the policy file at path (see Parse). A file
// larger than MaxPolicySize is refused.
func Load(path string) (*Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load policy: %w", err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, MaxPolicySize+1))
	if err != nil {
		return nil, fmt.Errorf("load policy %s: %w", path, err)
	}
	if len(raw) > MaxPolicySize {
		return nil, fmt.Errorf("load policy %s: larger than %d bytes", path, MaxPolicySize)
	}
	p, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("load policy %s: %w", path, err)
	}
	p.path = path
	return p, nil
}

// Parse parses a policy document: an object with a mandatory "default"
// requirement list and optional "transports", mapping a transport name to
// scopes and each scope to a requirement list. Parsing is strict, as
// skopeo's: unknown or duplicated keys, values of the wrong type, empty
// requirement lists, unknown requirement types and scopes the transport
// does not accept are errors.
func Parse(raw []byte) (*Policy, error) {
	p := &Policy{}
	err := decodeObject(raw, func(key string, value json.RawMessage) error {
		var err error
		switch key {
		case "default":
			if p.def, err = parseRequirements(value); err != nil {
				return fmt.Errorf("default: %w", err)
			}
		case "transports":
			if p.transports, err = parseTransports(value); err != nil {
				return fmt.Errorf("transports: %w", err)
			}
		default:
			return errUnknownKey
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if p.def == nil {
		return nil, errors.New(`the global "default" requirements are missing`)
	}
	return p, nil
}

// parseTransports parses the "transports" object.
func parseTransports(raw json.RawMessage) (map[string]map[string][]requirement, error) {
	res := map[string]map[string][]requirement{}
	err := decodeObject(raw, func(kind string, value json.RawMessage) error {
		scopes := map[string][]requirement{}
		err := decodeObject(value, func(scope string, value json.RawMessage) error {
			if scope != "" {
				if err := validateScope(kind, scope); err != nil {
					return fmt.Errorf("invalid scope %q: %w", scope, err)
				}
			}
			reqs, err := parseRequirements(value)
			if err != nil {
				return fmt.Errorf("scope %q: %w", scope, err)
			}
			scopes[scope] = reqs
			return nil
		})
		if err != nil {
			return fmt.Errorf("%s: %w", printable(kind), err)
		}
		res[kind] = scopes
		return nil
	})
	return res, err
}

// printable returns s as it is when every rune of it is printable and not a
// space (a transport name as skopeo prints it), else quoted, so that an
// error naming it stays on one line.
func printable(s string) string {
	for _, r := range s {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return strconv.Quote(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}
