package registry

import (
	"encoding/json"
	"io"
	"net/http"

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
type outcomeTransport struct{ base http.RoundTripper }

func (t outcomeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		if replayable(req) && retryableError(err) {
			return nil, transport.Retried(err)
		}
		return nil, err
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
