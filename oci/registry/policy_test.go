package registry

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/lade-oci/lade/oci/transport"
)

func TestRetryPolicy(t *testing.T) {
	s := current
	s.retryMinWait, s.retryMaxWait, s.retryAfterCap = 100*time.Millisecond, time.Second, 5*time.Second
	p := retryPolicy{max: 3, s: s}
	resp := func(code int, retryAfter string) *http.Response {
		r := &http.Response{StatusCode: code, Header: http.Header{}}
		if retryAfter != "" {
			r.Header.Set("Retry-After", retryAfter)
		}
		return r
	}
	for _, tc := range []struct {
		resp  *http.Response
		err   error
		retry bool
	}{
		{resp(503, ""), nil, true}, {resp(500, ""), nil, true}, {resp(502, ""), nil, true},
		{resp(408, ""), nil, true}, {resp(429, ""), nil, true},
		{resp(501, ""), nil, false}, {resp(404, ""), nil, false}, {resp(401, ""), nil, false}, {resp(200, ""), nil, false},
		{nil, fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{nil, stallError{time.Second}, true},
		{nil, fmt.Errorf("dial: %w", syscall.ECONNREFUSED), false},
		{nil, &url.Error{Op: "Get", URL: "x", Err: errors.New("x509: unknown authority")}, false},
	} {
		d, err := p.Retry(0, tc.resp, tc.err)
		if err != nil || (d >= 0) != tc.retry {
			t.Errorf("Retry(%v, %v) = %v, %v; want retry=%v", tc.resp, tc.err, d, err, tc.retry)
		}
	}
	if d, _ := p.Retry(3, resp(503, ""), nil); d >= 0 {
		t.Fatal("retried past the limit")
	}
	if d, _ := p.Retry(0, resp(429, "3600"), nil); d != 5*time.Second {
		t.Fatalf("Retry-After 3600 waits %v, want the 5s cap", d)
	}
	if d, _ := p.Retry(0, resp(429, "2"), nil); d != 2*time.Second {
		t.Fatalf("Retry-After 2 waits %v", d)
	}
	date := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	if d, _ := p.Retry(0, resp(503, date), nil); d <= time.Second || d > 3*time.Second {
		t.Fatalf("Retry-After as a date waits %v", d)
	}
	if d, _ := p.Retry(10, resp(503, ""), nil); d >= 0 {
		t.Fatal("attempt 10 of 3 retried")
	}
	p.max = 30
	if d, _ := p.Retry(25, resp(503, ""), nil); d > s.retryMaxWait*11/10 || d <= 0 {
		t.Fatalf("backoff at attempt 25 = %v, want about the %v cap", d, s.retryMaxWait)
	}
	if retryTimes(0) != 0 || retryTimes(-1) != 0 || retryTimes(7) != 7 {
		t.Fatal("retryTimes mapping")
	}
}

func TestCheckRedirect(t *testing.T) {
	check := checkRedirect(3)
	req := func(u string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, u, nil)
		r.Header.Set("Authorization", "Basic x")
		return r
	}
	via := []*http.Request{req("https://reg.example/v2/a/blobs/x")}
	same := req("https://reg.example/other")
	if err := check(same, via); err != nil || same.Header.Get("Authorization") == "" {
		t.Fatalf("same-origin redirect: %v, auth %q", err, same.Header.Get("Authorization"))
	}
	for _, u := range []string{"https://cdn.example/blob", "https://reg.example:444/blob"} {
		r := req(u)
		if err := check(r, via); err != nil || r.Header.Get("Authorization") != "" {
			t.Fatalf("redirect to %s kept Authorization (%v)", u, err)
		}
	}
	for _, u := range []string{"http://reg.example/blob", "ftp://reg.example/blob", "file:///etc/passwd"} {
		if err := check(req(u), via); err == nil {
			t.Fatalf("redirect to %s allowed", u)
		}
	}
	if err := check(req("https://reg.example/4"), append(via, via[0], via[0])); err == nil {
		t.Fatal("fourth redirect allowed with a limit of 3")
	}
}

func TestMapErrorUnauthorizedAndTLSHint(t *testing.T) {
	se := &StatusError{StatusCode: 403}
	if se.Error() != "unauthorized: HTTP 403 Forbidden" || !errors.Is(se, ErrUnauthorized) {
		t.Fatalf("403 = %q", se.Error())
	}
	if err := mapError(&url.Error{Op: "Get", URL: "https://h/x?token=SECRET&n=2", Err: errors.New("boom")}); err.Error() != "Get https://h/x?n=2&token=REDACTED: boom" {
		t.Fatalf("url.Error = %q", err)
	}
	if msg := RewriteTLSHint("x", errors.New("x"), "dest-"); msg != "x" {
		t.Fatal("RewriteTLSHint changed an error without a TLSError")
	}
	if !transport.IsTransient(mapError(fmt.Errorf("x: %w", syscall.ECONNRESET))) {
		t.Fatal("reset not transient")
	}
}

func TestStatsCountConnectionReuse(t *testing.T) {
	setup(t)
	reg := newFakeRegistry()
	img := newTestImage(t, "a")
	img.store(reg, "app", "v1")
	srv := reg.start()
	defer srv.Close()
	before := ReadStats()
	src, err := OpenSource(t.Context(), name(t, hostOf(srv), "app:v1"), plain())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := readAll(t.Context(), src, img.layerDesc()); err != nil {
			t.Fatal(err)
		}
	}
	after := ReadStats()
	requests, dials := after.Requests-before.Requests, after.Dials-before.Dials
	// The scheme probe's https attempt dials once, then one kept-alive
	// connection serves every plain HTTP request.
	if requests < 6 || dials > 2 {
		t.Fatalf("%d requests over %d connections: keep-alive is not working", requests, dials)
	}
}
