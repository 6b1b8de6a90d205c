package registry

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
)

// tokenServer is a small distribution token server: GET /token with
// service and scope parameters (and basic auth when users is set) answers
// {"token": "..."}; the registry asks grants() whether a token carries a
// scope. It counts requests and records the scopes asked for.
type tokenServer struct {
	url   string
	users map[string]string // nil: anonymous tokens for everything

	mu       sync.Mutex
	issued   map[string]map[string]map[string]bool // token -> repo -> action
	requests int
	scopes   []string // the scope parameters of each request, joined by " "
}

func newTokenServer(users map[string]string) (*tokenServer, *httptest.Server) {
	ts := &tokenServer{users: users, issued: map[string]map[string]map[string]bool{}}
	srv := httptest.NewServer(ts)
	ts.url = srv.URL
	return ts, srv
}

func (ts *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.requests++
	q := r.URL.Query()
	ts.scopes = append(ts.scopes, strings.Join(q["scope"], " "))
	if q.Get("service") != "fake" {
		http.Error(w, "bad service", http.StatusBadRequest)
		return
	}
	if ts.users != nil {
		user, pass, ok := r.BasicAuth()
		if !ok || ts.users[user] != pass {
			writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "invalid credentials")
			return
		}
	}
	grants := map[string]map[string]bool{}
	for _, s := range q["scope"] {
		parts := strings.Split(s, ":")
		if len(parts) != 3 || parts[0] != "repository" {
			continue
		}
		if grants[parts[1]] == nil {
			grants[parts[1]] = map[string]bool{}
		}
		for _, a := range strings.Split(parts[2], ",") {
			grants[parts[1]][a] = true
		}
	}
	tok := "tok-" + strconv.Itoa(len(ts.issued)+1)
	ts.issued[tok] = grants
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"token": tok})
}

// grants reports whether the Authorization header carries a token with
// every action of scope ("repository:REPO:a,b"); "" needs any token.
func (ts *tokenServer) grants(authz, scope string) bool {
	tok, ok := strings.CutPrefix(authz, "Bearer ")
	if !ok {
		return false
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	g, ok := ts.issued[tok]
	if !ok {
		return false
	}
	if scope == "" {
		return true
	}
	parts := strings.Split(scope, ":")
	for _, a := range strings.Split(parts[2], ",") {
		if !g[parts[1]][a] {
			return false
		}
	}
	return true
}

func (ts *tokenServer) counts() (int, []string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.requests, append([]string(nil), ts.scopes...)
}
