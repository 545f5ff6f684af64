package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

const (
	serviceClusterIPRange = "10.96.0.0/16"
	serviceClusterIP      = "10.96.0.1"
)

// controllers is the subset of kube-controller-manager controllers the sandbox runs. Everything the
// bot's runbooks touch is here; the rest (CSR signing, PV binding, IPAM, cloud, ...) is left out to
// keep a 2-core machine responsive.
var controllers = []string{
	"deployment-controller", "replicaset-controller", "statefulset-controller", "daemonset-controller",
	"job-controller", "cronjob-controller", "ttl-after-finished-controller",
	"garbage-collector-controller", "namespace-controller", "pod-garbage-collector-controller",
	"serviceaccount-controller", "serviceaccount-token-controller", "root-ca-certificate-publisher-controller",
	"disruption-controller", "horizontal-pod-autoscaler-controller", "node-lifecycle-controller",
	"endpoints-controller", "endpointslice-controller", "resourcequota-controller",
}

// readyInfo is the JSON contract with the Python side (chatops.sandbox.manager).
type readyInfo struct {
	Ready      bool     `json:"ready"`
	Kubeconfig string   `json:"kubeconfig"`
	Server     string   `json:"server"`
	PID        int      `json:"pid"`
	Version    string   `json:"version"`
	StateDir   string   `json:"state_dir"`
	KubeletURL string   `json:"kubelet_url"`
	Nodes      []string `json:"nodes"`
	StartupSec float64  `json:"startup_seconds"`
}

type child struct {
	name string
	cmd  *exec.Cmd
	done chan error
}

func runUp(args []string) int {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	state := fs.String("state", "", "state directory (PKI, etcd data, logs, kubeconfigs); required")
	nodes := fs.Int("nodes", 3, "number of fake nodes (node-1..node-N)")
	readyFile := fs.String("ready-file", "", "where to write the ready JSON (default <state>/ready.json)")
	keepData := fs.Bool("keep-data", false, "keep etcd data from a previous run instead of starting empty")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up if the cluster is not ready within this time")
	exitWithParent := fs.Bool("exit-with-parent", false,
		"shut down when the process that started ktc up exits (test fixtures; no orphans after a crash)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *state == "" {
		fmt.Fprintln(os.Stderr, "ktc up: --state is required")
		return 2
	}
	abs, err := filepath.Abs(*state)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ktc up:", err)
		return 1
	}
	if *readyFile == "" {
		*readyFile = filepath.Join(abs, "ready.json")
	}
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	log.SetPrefix("ktc up: ")
	if err := up(abs, *nodes, *readyFile, *keepData, *timeout, *exitWithParent); err != nil {
		log.Printf("failed: %v", err)
		return 1
	}
	return 0
}

func up(state string, nodeCount int, readyFile string, keepData bool, timeout time.Duration, exitWithParent bool) error {
	start := time.Now()
	_ = os.Remove(readyFile)
	if err := os.MkdirAll(state, 0o755); err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer cancel()
	if exitWithParent {
		go watchParent(ctx, cancel)
	}

	p, err := loadOrCreatePKI(state)
	if err != nil {
		return err
	}
	if err := p.generateClusterCerts(); err != nil {
		return err
	}
	log.Printf("pki ready in %s", p.dir)

	ports, err := freePorts(4)
	if err != nil {
		return err
	}
	etcdClient, etcdPeer, apiPort, kubeletPort := ports[0], ports[1], ports[2], ports[3]

	etcdDir := filepath.Join(state, "etcd")
	if !keepData {
		if err := os.RemoveAll(etcdDir); err != nil {
			return err
		}
	}
	etcd, err := startEtcd(etcdDir, etcdClient, etcdPeer, filepath.Join(state, "etcd.log"))
	if err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	defer etcd.Close()
	log.Printf("etcd ready on 127.0.0.1:%d (%s)", etcdClient, since(start))

	server := fmt.Sprintf("https://127.0.0.1:%d", apiPort)
	adminKC := filepath.Join(state, "admin.kubeconfig")
	for _, kc := range []struct{ file, cert, user string }{
		{adminKC, "admin", "admin"},
		{filepath.Join(state, "controller-manager.kubeconfig"), "controller-manager", "system:kube-controller-manager"},
		{filepath.Join(state, "scheduler.kubeconfig"), "scheduler", "system:kube-scheduler"},
	} {
		if err := p.componentKubeconfig(kc.file, server, kc.cert, kc.user); err != nil {
			return err
		}
	}

	if err := os.WriteFile(filepath.Join(state, "audit-policy.yaml"), []byte(auditPolicy), 0o644); err != nil {
		return err
	}

	sup := &supervisor{state: state, exited: make(chan string, 4)}
	defer sup.stopAll()

	if err := sup.spawn("kube-apiserver", apiserverArgs(p, state, etcdClient, apiPort)); err != nil {
		return err
	}
	restCfg, err := clientcmd.BuildConfigFromFlags("", adminKC)
	if err != nil {
		return err
	}
	restCfg.QPS, restCfg.Burst = 50, 100
	client, err := kubernetes.NewForConfig(restCfg)
	if err != nil {
		return err
	}
	deadline, cancelDeadline := context.WithTimeout(ctx, timeout)
	defer cancelDeadline()
	if err := sup.waitFor(deadline, "apiserver /readyz", func(c context.Context) (bool, error) {
		body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(c)
		return err == nil && string(body) == "ok", nil
	}); err != nil {
		return err
	}
	log.Printf("apiserver ready at %s (%s)", server, since(start))

	if err := sup.spawn("kube-controller-manager", controllerManagerArgs(p, state)); err != nil {
		return err
	}
	if err := sup.spawn("kube-scheduler", schedulerArgs(state)); err != nil {
		return err
	}

	nodeNames := make([]string, nodeCount)
	for i := range nodeNames {
		nodeNames[i] = fmt.Sprintf("node-%d", i+1)
	}
	kl := newFakeKubelet(client, nodeNames, kubeletPort, filepath.Join(state, "logs"))
	kubeletErr := make(chan error, 1)
	go func() { kubeletErr <- kl.run(ctx, p.path("kubelet.crt"), p.path("kubelet.key")) }()

	if err := sup.waitFor(deadline, "nodes Ready", func(c context.Context) (bool, error) {
		return nodesReady(c, client, nodeNames), nil
	}); err != nil {
		return err
	}
	log.Printf("nodes ready (%s)", since(start))
	if err := sup.waitFor(deadline, "default service account", func(c context.Context) (bool, error) {
		_, err := client.CoreV1().ServiceAccounts("default").Get(c, "default", metav1.GetOptions{})
		return err == nil, nil
	}); err != nil {
		return err
	}

	info := readyInfo{
		Ready: true, Kubeconfig: adminKC, Server: server, PID: os.Getpid(), Version: k8sVersion,
		StateDir: state, KubeletURL: fmt.Sprintf("https://127.0.0.1:%d", kubeletPort), Nodes: nodeNames,
		StartupSec: time.Since(start).Seconds(),
	}
	if err := writeJSONAtomic(readyFile, info); err != nil {
		return err
	}
	log.Printf("cluster ready in %s: %s", since(start), readyFile)
	defer os.Remove(readyFile)

	select {
	case <-ctx.Done():
		log.Printf("shutting down")
		return nil
	case name := <-sup.exited:
		return fmt.Errorf("%s exited unexpectedly; see %s", name, sup.logPath(name))
	case err := <-kubeletErr:
		return fmt.Errorf("fake kubelet: %w", err)
	}
}

// watchParent cancels ctx once we are re-parented, i.e. the process that started us died (even by
// SIGKILL, which no finalizer or atexit hook survives).
func watchParent(ctx context.Context, cancel context.CancelFunc) {
	parent := os.Getppid()
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if os.Getppid() != parent {
				log.Printf("parent process %d is gone; shutting down", parent)
				cancel()
				return
			}
		}
	}
}

// nodesReady is true when every fake node reports Ready and has lost the not-ready taint that the
// TaintNodesByCondition admission plugin puts on new nodes (until then nothing schedules there).
func nodesReady(ctx context.Context, client kubernetes.Interface, names []string) bool {
	for _, n := range names {
		node, err := client.CoreV1().Nodes().Get(ctx, n, metav1.GetOptions{})
		if err != nil {
			return false
		}
		ready := false
		for _, c := range node.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				ready = true
			}
		}
		for _, t := range node.Spec.Taints {
			if t.Key == corev1.TaintNodeNotReady {
				ready = false
			}
		}
		if !ready {
			return false
		}
	}
	return true
}

func apiserverArgs(p *pki, state string, etcdPort, apiPort int) []string {
	return []string{
		"--etcd-servers=http://127.0.0.1:" + strconv.Itoa(etcdPort),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(apiPort),
		"--tls-cert-file=" + p.path("apiserver.crt"),
		"--tls-private-key-file=" + p.path("apiserver.key"),
		"--client-ca-file=" + p.path("ca.crt"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + p.path("sa.pub"),
		"--service-account-signing-key-file=" + p.path("sa.key"),
		"--service-cluster-ip-range=" + serviceClusterIPRange,
		"--authorization-mode=Node,RBAC",
		"--allow-privileged=true",
		"--endpoint-reconciler-type=none",
		// Logs are proxied to the fake kubelet on 127.0.0.1, and its serving cert is really verified.
		"--kubelet-preferred-address-types=InternalIP",
		"--kubelet-certificate-authority=" + p.path("ca.crt"),
		"--kubelet-client-certificate=" + p.path("apiserver-kubelet-client.crt"),
		"--kubelet-client-key=" + p.path("apiserver-kubelet-client.key"),
		// APF adds a dozen controllers and per-request bookkeeping; not worth it on 2 cores.
		"--enable-priority-and-fairness=false",
		"--event-ttl=1h",
		"--profiling=false",
		// The API server's own audit log (state/apiserver-audit.log), as a production cluster
		// keeps one: chatops's requests must be traceable in it (Impersonate-Extra headers).
		"--audit-policy-file=" + filepath.Join(state, "audit-policy.yaml"),
		"--audit-log-path=" + filepath.Join(state, "apiserver-audit.log"),
		"--audit-log-maxsize=50",
		"--audit-log-maxbackup=1",
		"--v=1",
	}
}

// auditPolicy logs changes at Metadata level, made by people or bots, not by the control
// plane's own components and nodes (whose status updates would be most of the file).
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: None
  verbs: ["get", "list", "watch"]
- level: None
  userGroups: ["system:nodes", "system:serviceaccounts:kube-system"]
- level: None
  users: ["system:kube-controller-manager", "system:kube-scheduler", "system:apiserver"]
- level: Metadata
`

func controllerManagerArgs(p *pki, state string) []string {
	kc := filepath.Join(state, "controller-manager.kubeconfig")
	return []string{
		"--kubeconfig=" + kc,
		"--authentication-kubeconfig=" + kc,
		"--authorization-kubeconfig=" + kc,
		// Leader election would make the KCM exit when it loses the lease under CPU starvation.
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=0",
		"--service-account-private-key-file=" + p.path("sa.key"),
		"--root-ca-file=" + p.path("ca.crt"),
		"--use-service-account-credentials=true",
		"--service-cluster-ip-range=" + serviceClusterIPRange,
		"--controllers=" + strings.Join(controllers, ","),
		// Faster reaction in tests than the production defaults, still within upstream's bounds.
		"--concurrent-deployment-syncs=5",
		"--profiling=false",
		"--v=1",
	}
}

func schedulerArgs(state string) []string {
	kc := filepath.Join(state, "scheduler.kubeconfig")
	return []string{
		"--kubeconfig=" + kc,
		"--authentication-kubeconfig=" + kc,
		"--authorization-kubeconfig=" + kc,
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=0",
		"--profiling=false",
		"--v=1",
	}
}

type supervisor struct {
	state    string
	mu       sync.Mutex
	children []*child
	stopping bool
	exited   chan string
}

func (s *supervisor) logPath(name string) string { return filepath.Join(s.state, name+".log") }

// spawn starts this same binary as an upstream component. Each child gets its own process group so
// the Python side's killpg on the supervisor does not race the orderly shutdown, and Pdeathsig so a
// SIGKILLed supervisor never leaves orphans.
func (s *supervisor) spawn(name string, args []string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	logf, err := os.OpenFile(s.logPath(name), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(self, append([]string{name}, args...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("starting %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, done: make(chan error, 1)}
	go func() {
		err := cmd.Wait()
		logf.Close()
		c.done <- err
		s.mu.Lock()
		stopping := s.stopping
		s.mu.Unlock()
		if !stopping {
			log.Printf("%s exited: %v", name, err)
			s.exited <- name
		}
	}()
	s.mu.Lock()
	s.children = append(s.children, c)
	s.mu.Unlock()
	log.Printf("started %s (pid %d, log %s)", name, cmd.Process.Pid, s.logPath(name))
	return nil
}

// stopAll stops children in reverse start order so controllers never talk to a dead apiserver.
func (s *supervisor) stopAll() {
	s.mu.Lock()
	s.stopping = true
	children := append([]*child(nil), s.children...)
	s.mu.Unlock()
	for i := len(children) - 1; i >= 0; i-- {
		c := children[i]
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.done
		}
		log.Printf("stopped %s", c.name)
	}
}

// waitFor polls check until it is true, failing fast if a child dies or the deadline passes.
func (s *supervisor) waitFor(ctx context.Context, what string, check func(context.Context) (bool, error)) error {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := check(c)
		cancel()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case name := <-s.exited:
			return fmt.Errorf("%s exited while waiting for %s; see %s:\n%s", name, what, s.logPath(name), tail(s.logPath(name), 30))
		case <-t.C:
		}
	}
}

func startEtcd(dir string, clientPort, peerPort int, logFile string) (*embed.Etcd, error) {
	cfg := embed.NewConfig()
	cfg.Name = "sandbox"
	cfg.Dir = dir
	cu := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", clientPort)}
	pu := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", peerPort)}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{cu}, []url.URL{cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{pu}, []url.URL{pu}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	// A throwaway test cluster: durability is not worth the fsync latency.
	cfg.UnsafeNoFsync = true
	cfg.AutoCompactionMode = "revision"
	cfg.AutoCompactionRetention = "1000"
	cfg.Logger = "zap"
	cfg.LogLevel = "warn"
	cfg.LogOutputs = []string{logFile}
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case err := <-e.Err():
		e.Close()
		return nil, err
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, errors.New("etcd did not become ready within 60s")
	}
}

// freePorts binds to port 0 to let the kernel choose; all listeners stay open until every port is
// chosen so the same port is never handed out twice.
func freePorts(n int) ([]int, error) {
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// writeJSONAtomic writes via rename so readers never see a half-written ready file.
func writeJSONAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func since(t time.Time) string { return time.Since(t).Round(10 * time.Millisecond).String() }
