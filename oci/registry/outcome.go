package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/lade-oci/lade/oci/transport"
)

// outcomeTransport sits above oras' retry transport and looks at how a
// request ended once every retry is done.
//
// A request that could be sent again (no body, or one net/http can
// rewind) has had all the retries the policy allows when it comes back
// failed: its retryable error, or its retryable error answer (408, 429,
// 5xx, turned into oras' *errcode.ErrorResponse), is marked
// transport.Retried, so that the copy engine does not retry it again and
// --retry-times N stays N+1 tries. A request with a streamed body (a blob
// upload) comes back as it is: the copy engine retries it as a whole.
//
// A 404 answer's error codes ("MANIFEST_UNKNOWN", "NAME_UNKNOWN") are
// kept in the request context's notFoundNote, if any: oras drops them.
type outcomeTransport struct{ base http.RoundTripper }

func (t outcomeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		if replayable(req) && retryableError(err) {
			return nil, transport.Retried(err)
		}
		return nil, err
	}
	if resp.StatusCode == http.StatusNotFound {
		if note, ok := req.Context().Value(notFoundNoteKey{}).(*notFoundNote); ok {
			note.keep(resp)
		}
	}
	if replayable(req) && retryableStatus(resp.StatusCode) {
		return nil, transport.Retried(errorResponse(req, resp))
	}
	return resp, nil
}

// replayable reports whether the retry transport could send req again.
func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// errorResponse reads an error answer as oras does (its JSON error
// codes, if any) and closes its body.
func errorResponse(req *http.Request, resp *http.Response) *errcode.ErrorResponse {
	defer resp.Body.Close()
	if resp.Request != nil {
		req = resp.Request
	}
	return &errcode.ErrorResponse{Method: req.Method, URL: req.URL, StatusCode: resp.StatusCode, Errors: readErrors(resp)}
}

// readErrors parses the registry's {"errors": [...]} from resp's body
// (read up to maxErrorBody bytes); nil when there are none.
func readErrors(resp *http.Response) errcode.Errors {
	var body struct {
		Errors errcode.Errors `json:"errors"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, maxErrorBody)).Decode(&body) != nil {
		return nil
	}
	return body.Errors
}

// notFoundNote keeps the error codes of the last 404 answer to the
// requests of one operation (see withNotFoundNote).
type notFoundNote struct {
	mu   sync.Mutex
	errs errcode.Errors
}

type notFoundNoteKey struct{}

// withNotFoundNote returns ctx carrying a new note.
func withNotFoundNote(ctx context.Context) (context.Context, *notFoundNote) {
	n := &notFoundNote{}
	return context.WithValue(ctx, notFoundNoteKey{}, n), n
}

// keep reads resp's error codes and gives resp its body back.
func (n *notFoundNote) keep(resp *http.Response) {
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body = readCloser{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	errs := readErrors(&http.Response{Body: io.NopCloser(bytes.NewReader(head))})
	n.mu.Lock()
	n.errs = errs
	n.mu.Unlock()
}

// err returns the not-found error of the operation: the registry's error
// codes and messages when its 404 had any ("manifest unknown: manifest
// unknown"), else code alone, worded as the distribution spec names it
// ("manifest unknown" for a HEAD, whose answer has no body). It matches
// transport.ErrNotFound.
func (n *notFoundNote) err(code string) error {
	n.mu.Lock()
	errs := n.errs
	n.mu.Unlock()
	if len(errs) == 0 {
		errs = errcode.Errors{{Code: code}}
	}
	return &StatusError{StatusCode: http.StatusNotFound, Errors: errs}
}

type readCloser struct {
	io.Reader
	io.Closer
}
