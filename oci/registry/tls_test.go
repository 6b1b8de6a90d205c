package registry

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lade-oci/lade/oci/transport"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newCA(t *testing.T, cn string) testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue returns a PEM certificate and key signed by ca, for 127.0.0.1
// (server) or as a client certificate.
func (ca testCA) issue(t *testing.T, server bool) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "lade test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	if server {
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

// startTLS serves reg over TLS with a certificate from ca; clientCA, when
// set, makes the server require a client certificate it signed.
func startTLS(t *testing.T, reg *fakeRegistry, ca testCA, clientCA *testCA) *httptest.Server {
	t.Helper()
	certPEM, keyPEM := ca.issue(t, true)
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(reg)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	if clientCA != nil {
		pool := x509.NewCertPool()
		pool.AddCert(clientCA.cert)
		srv.TLS.ClientCAs = pool
		srv.TLS.ClientAuth = tls.RequireAndVerifyClientCert
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func resolveWith(t *testing.T, host string, opts transport.Options) error {
	t.Helper()
	src, err := OpenSource(t.Context(), name(t, host, "app:v1"), opts)
	if err != nil {
		return err
	}
	_, err = src.Resolve(t.Context())
	return err
}

func TestCertDir(t *testing.T) {
	setup(t)
	ca := newCA(t, "registry CA")
	reg := newFakeRegistry()
	newTestImage(t, "a").store(reg, "app", "v1")
	srv := startTLS(t, reg, ca, nil)
	host := hostOf(srv)

	err := resolveWith(t, host, transport.Options{})
	var te *TLSError
	if !errors.As(err, &te) || te.PlainHTTP || !strings.Contains(err.Error(), "x509: ") || !strings.Contains(err.Error(), "--cert-dir") {
		t.Fatalf("unknown CA: %v, want a TLSError with the x509 text and a hint", err)
	}
	if msg := RewriteTLSHint(err.Error(), err, "src-"); !strings.Contains(msg, "--src-cert-dir") || !strings.Contains(msg, "--src-tls-verify=false") {
		t.Fatalf("RewriteTLSHint: %s", msg)
	}

	dir := filepath.Join(t.TempDir(), "certs")
	writeFiles(t, dir, map[string][]byte{"ca.crt": ca.pem})
	if err := resolveWith(t, host, transport.Options{CertDir: dir}); err != nil {
		t.Fatalf("--cert-dir with the CA: %v", err)
	}
	// With tls-verify=false, https is still used, without verification.
	if err := resolveWith(t, host, plain()); err != nil {
		t.Fatalf("--tls-verify=false on https: %v", err)
	}
}

func TestCertsD(t *testing.T) {
	home := setup(t)
	ca := newCA(t, "registry CA")
	reg := newFakeRegistry()
	newTestImage(t, "a").store(reg, "app", "v1")
	srv := startTLS(t, reg, ca, nil)
	host := hostOf(srv)
	second := filepath.Join(home, "etc-certs.d")
	current.certsDirs = append(current.certsDirs, second)
	writeFiles(t, filepath.Join(second, host), map[string][]byte{"ca.crt": ca.pem})
	if err := resolveWith(t, host, transport.Options{}); err != nil {
		t.Fatalf("CA from certs.d/%s: %v", host, err)
	}
}

func TestClientCertificate(t *testing.T) {
	setup(t)
	ca := newCA(t, "registry CA")
	clientCA := newCA(t, "client CA")
	reg := newFakeRegistry()
	newTestImage(t, "a").store(reg, "app", "v1")
	srv := startTLS(t, reg, ca, &clientCA)
	host := hostOf(srv)
	certPEM, keyPEM := clientCA.issue(t, false)

	dir := filepath.Join(t.TempDir(), "no-client")
	writeFiles(t, dir, map[string][]byte{"ca.crt": ca.pem})
	if err := resolveWith(t, host, transport.Options{CertDir: dir}); err == nil {
		t.Fatal("a server requiring a client certificate accepted none")
	}
	dir = filepath.Join(t.TempDir(), "client")
	writeFiles(t, dir, map[string][]byte{"ca.crt": ca.pem, "client.cert": certPEM, "client.key": keyPEM})
	if err := resolveWith(t, host, transport.Options{CertDir: dir}); err != nil {
		t.Fatalf("client certificate: %v", err)
	}
	for what, files := range map[string]map[string][]byte{
		"missing key":  {"client.cert": certPEM},
		"missing cert": {"client.key": keyPEM},
		"not PEM":      {"ca.crt": []byte("junk")},
	} {
		dir := filepath.Join(t.TempDir(), "broken")
		writeFiles(t, dir, files)
		err := resolveWith(t, "127.0.0.1:1", transport.Options{CertDir: dir})
		if err == nil || strings.Contains(err.Error(), "PRIVATE KEY") {
			t.Fatalf("%s: %v", what, err)
		}
	}
}

func TestPlainHTTP(t *testing.T) {
	setup(t)
	reg := newFakeRegistry()
	newTestImage(t, "a").store(reg, "app", "v1")
	srv := reg.start()
	defer srv.Close()
	err := resolveWith(t, hostOf(srv), transport.Options{})
	var te *TLSError
	if !errors.As(err, &te) || !te.PlainHTTP || !strings.Contains(err.Error(), "--tls-verify=false") {
		t.Fatalf("plain HTTP registry with verification: %v", err)
	}
	if err := resolveWith(t, hostOf(srv), plain()); err != nil {
		t.Fatalf("--tls-verify=false to plain HTTP: %v", err)
	}
}
