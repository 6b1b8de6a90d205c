package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in, out string
		want    Name
	}{
		{in: "docker://busybox", out: "docker://docker.io/library/busybox:latest"},
		{in: "docker://busybox:1.36", out: "docker://docker.io/library/busybox:1.36"},
		{in: "docker://index.docker.io/foo/bar", out: "docker://docker.io/foo/bar:latest"},
		{in: "docker://localhost/x", out: "docker://localhost/x:latest"},
		{in: "docker://127.0.0.1:5000/a/b/c:v1", out: "docker://127.0.0.1:5000/a/b/c:v1"},
		{in: "docker://Registry.example/a", out: "docker://Registry.example/a:latest"},
		{in: "docker://[::1]:5000/a:t", out: "docker://[::1]:5000/a:t"},
		{in: "docker://quay.io/a@sha256:" + hex64, out: "docker://quay.io/a@sha256:" + hex64},
		{in: "oci:/tmp/img", out: "oci:/tmp/img"},
		{in: "oci:/tmp/img:v1", out: "oci:/tmp/img:v1"},
		{in: "oci:img:docker.io/library/busybox:1", out: "oci:img:docker.io/library/busybox:1"},
		{in: "oci-archive:a.tar:t", out: "oci-archive:a.tar:t"},
		{in: "docker-archive:a.tar", out: "docker-archive:a.tar"},
		{in: "docker-archive:a.tar:busybox:latest", out: "docker-archive:a.tar:docker.io/library/busybox:latest"},
		{in: "docker-archive:a.tar:@2", out: "docker-archive:a.tar:@2"},
		{in: "docker-archive:a.tar:foo/bar", out: "docker-archive:a.tar:docker.io/foo/bar:latest"},
		{in: "dir:/tmp/a:b", out: "dir:/tmp/a:b"},
	} {
		n, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := n.String(); got != tc.out {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, got, tc.out)
		}
		again, err := Parse(n.String())
		if err != nil || again.String() != n.String() {
			t.Errorf("Parse(%q) does not round-trip: %v %q", n.String(), err, again.String())
		}
	}
}

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestParseInvalid(t *testing.T) {
	for _, in := range []string{
		"", "busybox", "docker:busybox", "docker://", "docker://Busybox", "docker://a:b:c",
		"docker://busybox:tag@sha256:" + hex64, "docker://busybox@sha256:12",
		"docker://-a.com/x", "docker://a.com:99999/x", "docker://a.com:/x", "docker://x/" + "UPPER",
		"docker://x//y", "docker://x/y-", "docker://busybox:" + string(make([]byte, 129)),
		"oci:", "oci::tag", "oci:/a:bad tag", "docker-archive:a.tar:busybox@sha256:" + hex64,
		"docker-archive:a.tar:@-1", "docker-archive:a.tar:@x", "dir:", "containers-storage:x",
		"docker-daemon:busybox:latest",
	} {
		if n, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %q, want an error", in, n.String())
		} else if !errors.Is(err, ErrInvalidName) {
			t.Errorf("Parse(%q) error %v does not match ErrInvalidName", in, err)
		}
	}
}

func TestDockerReferenceFields(t *testing.T) {
	n, err := Parse("docker://localhost:5000/team/app:v2")
	if err != nil {
		t.Fatal(err)
	}
	r := n.Ref
	if r.Registry != "localhost:5000" || r.Repository != "team/app" || r.Tag != "v2" || r.Reference() != "v2" {
		t.Fatalf("fields: %+v", *r)
	}
	if r.Name() != "localhost:5000/team/app" {
		t.Fatalf("Name() = %q", r.Name())
	}
	repo, err := ParseDockerRepository("busybox")
	if err != nil || repo.Name() != "docker.io/library/busybox" || repo.Tag != "" {
		t.Fatalf("ParseDockerRepository: %v %+v", err, repo)
	}
	if _, err := ParseDockerRepository("busybox:1"); err == nil {
		t.Fatal("ParseDockerRepository accepted a tag")
	}
}

func TestCredentialsRedacted(t *testing.T) {
	c := Credentials{Username: "u", Password: "hunter2"}
	if s := c.String(); s != "u:<redacted>" {
		t.Fatalf("String() = %q", s)
	}
	if s := c.LogValue().String(); s != "u:<redacted>" {
		t.Fatalf("LogValue() = %q", s)
	}
}

func TestIsTransient(t *testing.T) {
	base := errors.New("HTTP 503")
	if !IsTransient(Transient(base)) || !errors.Is(Transient(base), base) {
		t.Fatal("Transient(err) must be transient and keep err in the chain")
	}
	if IsTransient(base) || IsTransient(nil) {
		t.Fatal("plain errors are not transient")
	}
	if IsTransient(Transient(context.Canceled)) {
		t.Fatal("a cancelled context is never transient")
	}
	if !IsTransient(fmt.Errorf("read: %w", syscall.ECONNRESET)) || !IsTransient(io.ErrUnexpectedEOF) {
		t.Fatal("resets and truncated reads are transient")
	}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	if IsTransient(refused) || IsTransient(Transient(refused)) {
		t.Fatal("a refused connection is not transient: nothing listens there")
	}
	retried := Retried(Transient(fmt.Errorf("read: %w", syscall.ECONNRESET)))
	if IsTransient(retried) || IsTransient(fmt.Errorf("check: %w", retried)) || IsTransient(Transient(retried)) {
		t.Fatal("an error the transport already retried is not transient")
	}
	if retried.Error() != "read: connection reset by peer" || !errors.Is(retried, syscall.ECONNRESET) ||
		!errors.Is(retried, ErrRetried) || errors.Is(Transient(base), ErrRetried) || Retried(nil) != nil {
		t.Fatalf("Retried changed the error: %q", retried)
	}
}
