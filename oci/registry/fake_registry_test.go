package registry

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/opencontainers/go-digest"
)

// fakeRegistry is an in-memory distribution API (manifests, blobs,
// monolithic uploads, mounts, tag lists with pagination, deletes) with
// optional basic or bearer auth and a hook to misbehave.
type fakeRegistry struct {
	mu        sync.Mutex
	blobs     map[string][]byte            // repo + "@" + digest
	manifests map[string]fakeManifest      // repo + "@" + digest
	tags      map[string]map[string]string // repo -> tag -> digest
	uploads   map[string]string            // upload id -> repo
	nextID    int

	// users, when set, require basic auth: user -> password. userRepos
	// restricts a user to the repositories listed (all when absent).
	users     map[string]string
	userRepos map[string][]string
	// bearer, when set, requires tokens from this token server.
	bearer *tokenServer
	// pageSize > 0 paginates tag lists with Link headers.
	pageSize int
	// hook may answer a request itself (returns true) before the registry.
	hook func(w http.ResponseWriter, r *http.Request) bool

	requests atomic.Int64
	authSeen []string // Authorization headers received, in order
}

type fakeManifest struct {
	mediaType string
	raw       []byte
}

func newFakeRegistry() *fakeRegistry {
	return &fakeRegistry{
		blobs: map[string][]byte{}, manifests: map[string]fakeManifest{},
		tags: map[string]map[string]string{}, uploads: map[string]string{},
	}
}

// addBlob stores content in repo and returns its digest.
func (f *fakeRegistry) addBlob(repo string, content []byte) digest.Digest {
	d := digest.FromBytes(content)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.blobs[repo+"@"+d.String()] = content
	return d
}

// addManifest stores raw as mediaType in repo, tagged tag when not empty.
func (f *fakeRegistry) addManifest(repo, tag, mediaType string, raw []byte) digest.Digest {
	d := digest.FromBytes(raw)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.manifests[repo+"@"+d.String()] = fakeManifest{mediaType, raw}
	if tag != "" {
		if f.tags[repo] == nil {
			f.tags[repo] = map[string]string{}
		}
		f.tags[repo][tag] = d.String()
	}
	return d
}

func (f *fakeRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	f.mu.Lock()
	f.authSeen = append(f.authSeen, r.Header.Get("Authorization"))
	f.mu.Unlock()
	if f.hook != nil && f.hook(w, r) {
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/v2/") {
		http.NotFound(w, r)
		return
	}
	repo, kind, ref := splitPath(strings.TrimPrefix(r.URL.Path, "/v2/"))
	if !f.authorize(w, r, repo) {
		return
	}
	switch {
	case r.URL.Path == "/v2/":
		w.WriteHeader(http.StatusOK)
	case kind == "manifests":
		f.serveManifest(w, r, repo, ref)
	case kind == "blobs":
		f.serveBlob(w, r, repo, ref)
	case kind == "uploads":
		f.serveUpload(w, r, repo, ref)
	case kind == "tags":
		f.serveTags(w, r, repo)
	default:
		http.NotFound(w, r)
	}
}

// splitPath splits "REPO/manifests/REF" and friends.
func splitPath(p string) (repo, kind, ref string) {
	for _, sep := range []string{"/manifests/", "/blobs/uploads/", "/blobs/", "/tags/list"} {
		if i := strings.LastIndex(p, sep); i >= 0 {
			kind = strings.Trim(sep, "/")
			if sep == "/blobs/uploads/" {
				kind = "uploads"
			} else if sep == "/tags/list" {
				kind = "tags"
			}
			return p[:i], kind, p[i+len(sep):]
		}
	}
	return "", "", ""
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errors":[{"code":%q,"message":%q}]}`, code, msg)
}

func (f *fakeRegistry) serveManifest(w http.ResponseWriter, r *http.Request, repo, ref string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		d := ref
		if !strings.Contains(ref, ":") {
			d = f.tags[repo][ref]
		}
		m, ok := f.manifests[repo+"@"+d]
		if !ok {
			writeError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
			return
		}
		w.Header().Set("Content-Type", m.mediaType)
		w.Header().Set("Docker-Content-Digest", d)
		w.Header().Set("Content-Length", strconv.Itoa(len(m.raw)))
		if r.Method == http.MethodGet {
			_, _ = w.Write(m.raw)
		}
	case http.MethodPut:
		raw, _ := io.ReadAll(r.Body)
		d := digest.FromBytes(raw).String()
		if strings.Contains(ref, ":") && ref != d {
			writeError(w, http.StatusBadRequest, "DIGEST_INVALID", "digest mismatch")
			return
		}
		f.manifests[repo+"@"+d] = fakeManifest{r.Header.Get("Content-Type"), raw}
		if !strings.Contains(ref, ":") {
			if f.tags[repo] == nil {
				f.tags[repo] = map[string]string{}
			}
			f.tags[repo][ref] = d
		}
		w.Header().Set("Docker-Content-Digest", d)
		w.WriteHeader(http.StatusCreated)
	case http.MethodDelete:
		if _, ok := f.manifests[repo+"@"+ref]; !ok {
			writeError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
			return
		}
		delete(f.manifests, repo+"@"+ref)
		for t, d := range f.tags[repo] {
			if d == ref {
				delete(f.tags[repo], t)
			}
		}
		w.WriteHeader(http.StatusAccepted)
	}
}

func (f *fakeRegistry) serveBlob(w http.ResponseWriter, r *http.Request, repo, d string) {
	f.mu.Lock()
	b, ok := f.blobs[repo+"@"+d]
	f.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "BLOB_UNKNOWN", "blob unknown to registry")
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("Docker-Content-Digest", d)
	if r.Method == http.MethodGet {
		_, _ = w.Write(b)
	}
}

func (f *fakeRegistry) serveUpload(w http.ResponseWriter, r *http.Request, repo, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.Method {
	case http.MethodPost:
		q := r.URL.Query()
		if from, d := q.Get("from"), q.Get("mount"); from != "" {
			if b, ok := f.blobs[from+"@"+d]; ok && f.allowed(r, from) {
				f.blobs[repo+"@"+d] = b
				w.Header().Set("Docker-Content-Digest", d)
				w.WriteHeader(http.StatusCreated)
				return
			}
		}
		f.nextID++
		id := strconv.Itoa(f.nextID)
		f.uploads[id] = repo
		w.Header().Set("Location", "/v2/"+repo+"/blobs/uploads/"+id)
		w.WriteHeader(http.StatusAccepted)
	case http.MethodPut:
		if f.uploads[id] != repo {
			writeError(w, http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown")
			return
		}
		f.mu.Unlock()
		body, err := io.ReadAll(r.Body)
		f.mu.Lock()
		if err != nil {
			return
		}
		want := r.URL.Query().Get("digest")
		if digest.FromBytes(body).String() != want {
			writeError(w, http.StatusBadRequest, "DIGEST_INVALID", "provided digest did not match uploaded content")
			return
		}
		delete(f.uploads, id)
		f.blobs[repo+"@"+want] = body
		w.Header().Set("Docker-Content-Digest", want)
		w.WriteHeader(http.StatusCreated)
	}
}

// allowed reports whether the request's credentials may read repo (for a
// mount's source): with bearer auth the token must carry pull on it.
func (f *fakeRegistry) allowed(r *http.Request, repo string) bool {
	if f.bearer == nil {
		return true
	}
	return f.bearer.grants(r.Header.Get("Authorization"), "repository:"+repo+":pull")
}

func (f *fakeRegistry) serveTags(w http.ResponseWriter, r *http.Request, repo string) {
	f.mu.Lock()
	var all []string
	for t := range f.tags[repo] {
		all = append(all, t)
	}
	f.mu.Unlock()
	sortStrings(all)
	if last := r.URL.Query().Get("last"); last != "" {
		for len(all) > 0 && all[0] <= last {
			all = all[1:]
		}
	}
	if f.pageSize > 0 && len(all) > f.pageSize {
		all = all[:f.pageSize]
		w.Header().Set("Link", fmt.Sprintf(`</v2/%s/tags/list?n=%d&last=%s>; rel="next"`, repo, f.pageSize, all[len(all)-1]))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"name": repo, "tags": all})
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// authorize checks basic or bearer auth for repo; it answers 401 itself.
func (f *fakeRegistry) authorize(w http.ResponseWriter, r *http.Request, repo string) bool {
	switch {
	case f.users != nil:
		user, pass, ok := r.BasicAuth()
		if ok && f.users[user] == pass && pass != "" && f.repoAllowed(user, repo) {
			return true
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="fake"`)
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return false
	case f.bearer != nil:
		scope := ""
		if repo != "" {
			action := "pull"
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				action = "pull,push"
			}
			if r.Method == http.MethodDelete {
				action = "delete"
			}
			scope = "repository:" + repo + ":" + action
		}
		if f.bearer.grants(r.Header.Get("Authorization"), scope) {
			return true
		}
		challenge := fmt.Sprintf(`Bearer realm="%s/token",service="fake"`, f.bearer.url)
		if scope != "" {
			challenge += fmt.Sprintf(`,scope="%s"`, scope)
		}
		w.Header().Set("WWW-Authenticate", challenge)
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return false
	}
	return true
}

func (f *fakeRegistry) repoAllowed(user, repo string) bool {
	repos, ok := f.userRepos[user]
	if !ok || repo == "" {
		return true
	}
	for _, r := range repos {
		if r == repo {
			return true
		}
	}
	return false
}

// start serves f on 127.0.0.1 (plain HTTP) and returns the server.
func (f *fakeRegistry) start() *httptest.Server {
	return httptest.NewServer(f)
}

// bodyOf returns what the registry holds for repo@d (blob or manifest).
func (f *fakeRegistry) bodyOf(repo string, d digest.Digest) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.blobs[repo+"@"+d.String()]; ok {
		return b, true
	}
	m, ok := f.manifests[repo+"@"+d.String()]
	return m.raw, ok
}
