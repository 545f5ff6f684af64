package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// pki holds the cluster's single CA and knows where every generated file lives.
type pki struct {
	dir    string
	caCert *x509.Certificate
	caKey  crypto.Signer
}

func (p *pki) path(name string) string { return filepath.Join(p.dir, name) }

// loadOrCreatePKI reuses an existing CA so that kubeconfigs minted earlier stay valid across restarts
// of the same state dir, and creates everything else that is missing.
func loadOrCreatePKI(stateDir string) (*pki, error) {
	p := &pki{dir: filepath.Join(stateDir, "pki")}
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return nil, err
	}
	if err := p.loadCA(); err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		if err := p.createCA(); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *pki) loadCA() error {
	certPEM, err := os.ReadFile(p.path("ca.crt"))
	if err != nil {
		return err
	}
	keyPEM, err := os.ReadFile(p.path("ca.key"))
	if err != nil {
		return err
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return fmt.Errorf("pki: corrupt CA files in %s", p.dir)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return err
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return err
	}
	p.caCert, p.caKey = cert, key
	return nil
}

func (p *pki) createCA() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "chatops-sandbox-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return err
	}
	if err := writePEM(p.path("ca.key"), "EC PRIVATE KEY", mustMarshalEC(key), 0o600); err != nil {
		return err
	}
	if err := writePEM(p.path("ca.crt"), "CERTIFICATE", der, 0o644); err != nil {
		return err
	}
	p.caCert, p.caKey = cert, key
	return nil
}

type certSpec struct {
	cn     string
	orgs   []string
	dns    []string
	ips    []net.IP
	server bool
	client bool
}

// issue signs a fresh leaf certificate and returns PEM-encoded cert and key.
func (p *pki) issue(s certSpec) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: s.cn, Organization: s.orgs},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		DNSNames:     s.dns,
		IPAddresses:  s.ips,
	}
	if s.server {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
	}
	if s.client {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, key.Public(), p.caKey)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: mustMarshalEC(key)}), nil
}

// issueToFiles writes <name>.crt and <name>.key under the pki dir.
func (p *pki) issueToFiles(name string, s certSpec) error {
	c, k, err := p.issue(s)
	if err != nil {
		return err
	}
	if err := os.WriteFile(p.path(name+".key"), k, 0o600); err != nil {
		return err
	}
	return os.WriteFile(p.path(name+".crt"), c, 0o644)
}

// generateClusterCerts (re)issues every certificate the control plane needs. Leaf certs are cheap,
// so they are regenerated on every `up` rather than checked for expiry.
func (p *pki) generateClusterCerts() error {
	serving := certSpec{
		cn: "kube-apiserver",
		dns: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
			"kubernetes.default.svc.cluster.local"},
		ips:    []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1"), net.ParseIP(serviceClusterIP)},
		server: true,
	}
	specs := map[string]certSpec{
		"apiserver": serving,
		// The apiserver presents this to the (fake) kubelet; O=system:masters mirrors kubeadm's intent.
		"apiserver-kubelet-client": {cn: "kube-apiserver-kubelet-client", orgs: []string{"system:masters"}, client: true},
		"admin":                    {cn: "admin", orgs: []string{"system:masters"}, client: true},
		// Bootstrap RBAC already grants these well-known identities what the components need.
		"controller-manager": {cn: "system:kube-controller-manager", client: true},
		"scheduler":          {cn: "system:kube-scheduler", client: true},
		// The fake kubelet's serving cert; the apiserver verifies it with --kubelet-certificate-authority.
		"kubelet": {cn: "fake-kubelet", dns: []string{"localhost"}, ips: []net.IP{net.ParseIP("127.0.0.1")}, server: true},
	}
	for name, s := range specs {
		if err := p.issueToFiles(name, s); err != nil {
			return fmt.Errorf("pki: issuing %s: %w", name, err)
		}
	}
	if _, err := os.Stat(p.path("sa.key")); errors.Is(err, os.ErrNotExist) {
		// RSA because every token consumer supports RS256.
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return err
		}
		pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			return err
		}
		if err := writePEM(p.path("sa.key"), "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key), 0o600); err != nil {
			return err
		}
		if err := writePEM(p.path("sa.pub"), "PUBLIC KEY", pub, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeKubeconfig writes a kubeconfig with everything embedded, so it can be copied anywhere.
func writeKubeconfig(path, server string, caPEM, certPEM, keyPEM []byte, user string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["sandbox"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{ClientCertificateData: certPEM, ClientKeyData: keyPEM}
	cfg.Contexts["sandbox"] = &clientcmdapi.Context{Cluster: "sandbox", AuthInfo: user, Namespace: "default"}
	cfg.CurrentContext = "sandbox"
	tmp := path + ".tmp"
	if err := clientcmd.WriteToFile(*cfg, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// componentKubeconfig writes a kubeconfig for one of the generated cert pairs.
func (p *pki) componentKubeconfig(path, server, certName, user string) error {
	caPEM, err := os.ReadFile(p.path("ca.crt"))
	if err != nil {
		return err
	}
	c, err := os.ReadFile(p.path(certName + ".crt"))
	if err != nil {
		return err
	}
	k, err := os.ReadFile(p.path(certName + ".key"))
	if err != nil {
		return err
	}
	return writeKubeconfig(path, server, caPEM, c, k, user)
}

type stringList []string

func (s *stringList) String() string     { return fmt.Sprint(*s) }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// runKubeconfig implements `ktc kubeconfig`: mint a client cert for a restricted identity.
func runKubeconfig(args []string) int {
	fs := flag.NewFlagSet("kubeconfig", flag.ContinueOnError)
	state := fs.String("state", "", "state directory of a sandbox started with `ktc up` (required)")
	user := fs.String("user", "", "user name, becomes the certificate CN (required)")
	out := fs.String("out", "", "kubeconfig file to write (default: stdout)")
	server := fs.String("server", "", "API server URL (default: the one in <state>/admin.kubeconfig)")
	var groups stringList
	fs.Var(&groups, "group", "group, becomes a certificate O; repeatable")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *state == "" || *user == "" {
		fmt.Fprintln(os.Stderr, "ktc kubeconfig: --state and --user are required")
		return 2
	}
	p := &pki{dir: filepath.Join(*state, "pki")}
	if err := p.loadCA(); err != nil {
		fmt.Fprintf(os.Stderr, "ktc kubeconfig: no CA in %s (run `ktc up --state %s` first): %v\n", p.dir, *state, err)
		return 1
	}
	if *server == "" {
		admin, err := clientcmd.LoadFromFile(filepath.Join(*state, "admin.kubeconfig"))
		if err != nil {
			fmt.Fprintf(os.Stderr, "ktc kubeconfig: cannot read admin kubeconfig for the server URL: %v\n", err)
			return 1
		}
		*server = admin.Clusters["sandbox"].Server
	}
	c, k, err := p.issue(certSpec{cn: *user, orgs: groups, client: true})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ktc kubeconfig: %v\n", err)
		return 1
	}
	caPEM, err := os.ReadFile(p.path("ca.crt"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "ktc kubeconfig: %v\n", err)
		return 1
	}
	if *out == "" {
		cfg := clientcmdapi.NewConfig()
		cfg.Clusters["sandbox"] = &clientcmdapi.Cluster{Server: *server, CertificateAuthorityData: caPEM}
		cfg.AuthInfos[*user] = &clientcmdapi.AuthInfo{ClientCertificateData: c, ClientKeyData: k}
		cfg.Contexts["sandbox"] = &clientcmdapi.Context{Cluster: "sandbox", AuthInfo: *user, Namespace: "default"}
		cfg.CurrentContext = "sandbox"
		b, err := clientcmd.Write(*cfg)
		if err != nil {
			fmt.Fprintf(os.Stderr, "ktc kubeconfig: %v\n", err)
			return 1
		}
		_, _ = os.Stdout.Write(b)
		return 0
	}
	if err := writeKubeconfig(*out, *server, caPEM, c, k, *user); err != nil {
		fmt.Fprintf(os.Stderr, "ktc kubeconfig: %v\n", err)
		return 1
	}
	return 0
}

func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		panic(err)
	}
	return n
}

func mustMarshalEC(k *ecdsa.PrivateKey) []byte {
	b, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		panic(err)
	}
	return b
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode)
}
