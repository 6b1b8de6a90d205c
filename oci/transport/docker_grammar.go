package transport

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// validTag reports whether s matches the distribution tag grammar
// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
func validTag(s string) bool {
	if s == "" || len(s) > 128 || s[0] == '.' || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-' {
			return false
		}
	}
	return true
}

// checkRepository checks the distribution path grammar: '/'-separated
// components of lower-case alphanumerics, each separated inside by '.',
// '_', "__" or runs of '-'.
func checkRepository(repo string) error {
	if repo == "" {
		return errors.New("empty repository name")
	}
	if strings.ToLower(repo) != repo {
		return fmt.Errorf("repository name %q must be lowercase", repo)
	}
	for _, comp := range strings.Split(repo, "/") {
		if !validPathComponent(comp) {
			return fmt.Errorf("invalid repository path component %q", comp)
		}
	}
	return nil
}

// validPathComponent reports whether c matches
// [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*.
func validPathComponent(c string) bool {
	if c == "" || !isLowerAlnum(c[0]) || !isLowerAlnum(c[len(c)-1]) {
		return false
	}
	for i := 0; i < len(c); {
		if isLowerAlnum(c[i]) {
			i++
			continue
		}
		j := i
		for j < len(c) && !isLowerAlnum(c[j]) {
			j++
		}
		sep := c[i:j]
		if sep != "." && sep != "_" && sep != "__" && strings.Trim(sep, "-") != "" {
			return false
		}
		i = j
	}
	return true
}

// checkRegistry checks "HOST[:PORT]": a host of dot-separated labels of
// alphanumerics and inner '-', or a bracketed IPv6 address, and an
// optional decimal port.
func checkRegistry(reg string) error {
	host, port := reg, ""
	if strings.HasPrefix(reg, "[") {
		end := strings.IndexByte(reg, ']')
		if end < 0 {
			return fmt.Errorf("unterminated IPv6 address in %q", reg)
		}
		host, port = reg[1:end], strings.TrimPrefix(reg[end+1:], ":")
		if reg[end+1:] != "" && !strings.HasPrefix(reg[end+1:], ":") {
			return fmt.Errorf("invalid host %q", reg)
		}
		if host == "" || strings.Trim(host, "0123456789abcdefABCDEF:.") != "" {
			return fmt.Errorf("invalid IPv6 address %q", host)
		}
	} else if h, p, ok := strings.Cut(reg, ":"); ok {
		host, port = h, p
		if port == "" {
			return fmt.Errorf("empty port in %q", reg)
		}
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 || strings.HasPrefix(port, "+") {
			return fmt.Errorf("invalid port %q", port)
		}
	}
	if strings.HasPrefix(reg, "[") {
		return nil
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("invalid host %q", host)
		}
		for i := 0; i < len(label); i++ {
			if !isAlnum(label[i]) && label[i] != '-' {
				return fmt.Errorf("invalid host %q", host)
			}
		}
	}
	return nil
}

func isLowerAlnum(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' }

func isAlnum(b byte) bool { return isLowerAlnum(b) || b >= 'A' && b <= 'Z' }
