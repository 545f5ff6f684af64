package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
)

const (
	leaseDuration     = 40 * time.Second
	leaseRenewEvery   = 10 * time.Second
	nodeStatusEvery   = 30 * time.Second
	imageBackOffEvery = 30 * time.Second
)

// podRuntime is what the fake container runtime remembers about a pod it "runs".
type podRuntime struct {
	start      time.Time
	ip         string
	runsLogged int  // container runs whose start lines are in the log files
	exitsSeen  int  // crash exits already reported as events / log lines
	startedEvt bool // Pulled/Created/Started emitted
	pullEvt    time.Time
}

// fakeKubelet plays the kubelet for several nodes at once: node registration and heartbeats, pod
// status, termination and the container-logs endpoint the apiserver proxies to.
type fakeKubelet struct {
	client    kubernetes.Interface
	nodes     []string
	nodeIndex map[string]int
	port      int
	logDir    string

	recorders map[string]record.EventRecorder
	queue     workqueue.TypedRateLimitingInterface[string]
	pods      corelisters.PodLister

	mu      sync.Mutex
	runtime map[types.UID]*podRuntime
	byKey   map[string]types.UID
	nextIP  map[string]int
}

func newFakeKubelet(client kubernetes.Interface, nodes []string, port int, logDir string) *fakeKubelet {
	idx := map[string]int{}
	for i, n := range nodes {
		idx[n] = i + 1
	}
	return &fakeKubelet{
		client: client, nodes: nodes, nodeIndex: idx, port: port, logDir: logDir,
		recorders: map[string]record.EventRecorder{},
		queue: workqueue.NewTypedRateLimitingQueue[string](
			workqueue.NewTypedItemExponentialFailureRateLimiter[string](200*time.Millisecond, 10*time.Second)),
		runtime: map[types.UID]*podRuntime{},
		byKey:   map[string]types.UID{},
		nextIP:  map[string]int{},
	}
}

func (k *fakeKubelet) run(ctx context.Context, certFile, keyFile string) error {
	if err := os.MkdirAll(k.logDir, 0o755); err != nil {
		return err
	}
	broadcaster := record.NewBroadcaster()
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: k.client.CoreV1().Events("")})
	defer broadcaster.Shutdown()
	for _, n := range k.nodes {
		k.recorders[n] = broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: n})
	}

	srvErr := make(chan error, 1)
	srv, err := k.startServer(certFile, keyFile, srvErr)
	if err != nil {
		return err
	}
	defer srv.Close()

	for _, n := range k.nodes {
		if err := k.registerNode(ctx, n); err != nil {
			return fmt.Errorf("registering %s: %w", n, err)
		}
	}
	go k.heartbeat(ctx)

	factory := informers.NewSharedInformerFactoryWithOptions(k.client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.FieldSelector = "spec.nodeName!=" }))
	inf := factory.Core().V1().Pods()
	k.pods = inf.Lister()
	enqueue := func(obj any) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			k.queue.Add(key)
		}
	}
	_, _ = inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: enqueue, UpdateFunc: func(_, o any) { enqueue(o) }, DeleteFunc: enqueue,
	})
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	defer k.queue.ShutDown()
	for range 2 {
		go k.worker(ctx)
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-srvErr:
		return err
	}
}

func (k *fakeKubelet) registerNode(ctx context.Context, name string) error {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{
		Name: name,
		Labels: map[string]string{
			"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
			"node-role.kubernetes.io/worker": "", "sandbox.chatops.dev/fake-node": "true",
		},
	}}
	if _, err := k.client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return k.updateNodeStatus(ctx, name)
}

func (k *fakeKubelet) updateNodeStatus(ctx context.Context, name string) error {
	node, err := k.client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	now := metav1.Now()
	capacity := corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("16Gi"),
		corev1.ResourcePods: resource.MustParse("110"), corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
	}
	cond := func(t corev1.NodeConditionType, s corev1.ConditionStatus, reason, msg string) corev1.NodeCondition {
		c := corev1.NodeCondition{Type: t, Status: s, Reason: reason, Message: msg, LastHeartbeatTime: now, LastTransitionTime: now}
		for _, old := range node.Status.Conditions {
			if old.Type == t && old.Status == s {
				c.LastTransitionTime = old.LastTransitionTime
			}
		}
		return c
	}
	node.Status.Capacity, node.Status.Allocatable = capacity, capacity
	node.Status.Conditions = []corev1.NodeCondition{
		cond(corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
		cond(corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
		cond(corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
		cond(corev1.NodeReady, corev1.ConditionTrue, "KubeletReady", "kubelet is posting ready status"),
	}
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}, {Type: corev1.NodeHostName, Address: name}}
	node.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(k.port)
	node.Status.NodeInfo = corev1.NodeSystemInfo{
		MachineID: name, SystemUUID: name, BootID: name, KernelVersion: "6.1.0-sandbox",
		OSImage: "chatops sandbox (fake kubelet)", ContainerRuntimeVersion: "containerd://2.1.0-fake",
		KubeletVersion: k8sVersion, OperatingSystem: "linux", Architecture: "amd64",
	}
	_, err = k.client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{})
	return err
}

// heartbeat renews node leases (what the node-lifecycle controller watches) and refreshes the
// Ready condition, so nodes stay Ready and untainted for as long as the sandbox runs.
func (k *fakeKubelet) heartbeat(ctx context.Context) {
	leaseT := time.NewTicker(leaseRenewEvery)
	statusT := time.NewTicker(nodeStatusEvery)
	defer leaseT.Stop()
	defer statusT.Stop()
	for {
		for _, n := range k.nodes {
			if err := k.renewLease(ctx, n); err != nil && ctx.Err() == nil {
				log.Printf("fake kubelet: lease %s: %v", n, err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-leaseT.C:
		case <-statusT.C:
			for _, n := range k.nodes {
				if err := k.updateNodeStatus(ctx, n); err != nil && ctx.Err() == nil {
					log.Printf("fake kubelet: node status %s: %v", n, err)
				}
			}
		}
	}
}

func (k *fakeKubelet) renewLease(ctx context.Context, node string) error {
	leases := k.client.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	now := metav1.NewMicroTime(time.Now())
	l, err := leases.Get(ctx, node, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		n, err := k.client.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
		if err != nil {
			return err
		}
		secs := int32(leaseDuration.Seconds())
		l = &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: node, Namespace: corev1.NamespaceNodeLease,
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: node, UID: n.UID}}},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: &node, LeaseDurationSeconds: &secs, RenewTime: &now},
		}
		_, err = leases.Create(ctx, l, metav1.CreateOptions{})
		return err
	}
	if err != nil {
		return err
	}
	l.Spec.RenewTime = &now
	_, err = leases.Update(ctx, l, metav1.UpdateOptions{})
	return err
}

func (k *fakeKubelet) worker(ctx context.Context) {
	for {
		key, quit := k.queue.Get()
		if quit {
			return
		}
		next, err := k.syncPod(ctx, key)
		switch {
		case err != nil && ctx.Err() == nil:
			if !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
				log.Printf("fake kubelet: %s: %v", key, err)
			}
			k.queue.AddRateLimited(key)
		default:
			k.queue.Forget(key)
			if next > 0 {
				k.queue.AddAfter(key, next)
			}
		}
		k.queue.Done(key)
	}
}

// syncPod moves one pod towards what a kubelet would report, returning when to look again.
func (k *fakeKubelet) syncPod(ctx context.Context, key string) (time.Duration, error) {
	ns, name, _ := cache.SplitMetaNamespaceKey(key)
	pod, err := k.pods.Pods(ns).Get(name)
	if apierrors.IsNotFound(err) {
		k.forgetPods(ns, name)
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if _, ours := k.nodeIndex[pod.Spec.NodeName]; !ours {
		return 0, nil
	}
	now := time.Now()
	if pod.DeletionTimestamp != nil {
		if at := deleteAt(pod); now.Before(at) {
			return time.Until(at) + 50*time.Millisecond, nil
		}
		zero := int64(0)
		err := k.client.CoreV1().Pods(ns).Delete(ctx, name, metav1.DeleteOptions{
			GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &pod.UID}})
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return 0, nil
		}
		return 0, err
	}
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return 0, nil
	}
	rt := k.podRuntime(pod, now)
	plan := planPod(pod, rt.start, now, rt.ip)
	k.emitAndLog(pod, rt, plan, now)

	desired := plan.status
	preserveTransitions(&desired, &pod.Status)
	if !equality.Semantic.DeepEqual(normalize(desired), normalize(pod.Status)) {
		updated := pod.DeepCopy()
		updated.Status = desired
		if _, err := k.client.CoreV1().Pods(ns).UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil {
			return 0, err
		}
	}
	var next time.Duration
	if !plan.next.IsZero() {
		next = time.Until(plan.next) + 100*time.Millisecond
	}
	if hasBadImage(pod) {
		next = imageBackOffEvery
	}
	return next, nil
}

func (k *fakeKubelet) podRuntime(pod *corev1.Pod, now time.Time) *podRuntime {
	k.mu.Lock()
	defer k.mu.Unlock()
	if rt, ok := k.runtime[pod.UID]; ok {
		return rt
	}
	// Keep the IP across a supervisor restart (--keep-data) by reusing the one already reported.
	ip := pod.Status.PodIP
	if ip == "" {
		k.nextIP[pod.Spec.NodeName]++
		n := k.nextIP[pod.Spec.NodeName]
		ip = fmt.Sprintf("10.244.%d.%d", k.nodeIndex[pod.Spec.NodeName], n%250+2)
	}
	rt := &podRuntime{start: now, ip: ip}
	key := pod.Namespace + "/" + pod.Name
	if old, ok := k.byKey[key]; ok {
		delete(k.runtime, old) // a pod recreated under the same name (StatefulSet) starts afresh
	}
	k.byKey[key] = pod.UID
	k.runtime[pod.UID] = rt
	return rt
}

func (k *fakeKubelet) forgetPods(ns, name string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	key := ns + "/" + name
	delete(k.runtime, k.byKey[key])
	delete(k.byKey, key)
}

// emitAndLog emits the kubelet's events and appends to the container log files for whatever
// happened since the previous sync.
func (k *fakeKubelet) emitAndLog(pod *corev1.Pod, rt *podRuntime, plan podPlan, now time.Time) {
	rec := k.recorders[pod.Spec.NodeName]
	ref := &corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: pod.Namespace, Name: pod.Name,
		UID: pod.UID, ResourceVersion: pod.ResourceVersion}
	at := func(c string) *corev1.ObjectReference {
		r := *ref
		r.FieldPath = fmt.Sprintf("spec.containers{%s}", c)
		return &r
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	runs, exits := 1, 0
	for _, cs := range plan.status.ContainerStatuses {
		if int(cs.RestartCount) > exits {
			exits = int(cs.RestartCount)
		}
	}
	if exits > 0 {
		runs = exits
		for _, cs := range plan.status.ContainerStatuses {
			if cs.State.Running != nil {
				runs = exits + 1
			}
		}
	}
	for _, c := range pod.Spec.Containers {
		if isBadImage(c.Image) {
			if rt.pullEvt.IsZero() {
				rec.Eventf(at(c.Name), corev1.EventTypeNormal, "Pulling", "Pulling image %q", c.Image)
				rec.Eventf(at(c.Name), corev1.EventTypeWarning, "Failed", "Failed to pull image %q: %s", c.Image, pullErrorMessage(c.Image))
				rec.Eventf(at(c.Name), corev1.EventTypeWarning, "Failed", "Error: ErrImagePull")
			}
			if rt.pullEvt.IsZero() || now.Sub(rt.pullEvt) >= imageBackOffEvery {
				rec.Eventf(at(c.Name), corev1.EventTypeNormal, "BackOff", "Back-off pulling image %q", c.Image)
				rec.Eventf(at(c.Name), corev1.EventTypeWarning, "Failed", "Error: ImagePullBackOff")
			}
			continue
		}
		if !rt.startedEvt {
			rec.Eventf(at(c.Name), corev1.EventTypeNormal, "Pulled", "Container image %q already present on machine", c.Image)
			rec.Eventf(at(c.Name), corev1.EventTypeNormal, "Created", "Created container: %s", c.Name)
			rec.Eventf(at(c.Name), corev1.EventTypeNormal, "Started", "Started container %s", c.Name)
		}
		// One log file per container instance, as the kubelet keeps them: run i's start, then its
		// exit; a new run moves the one before it aside, where `previous=true` reads it.
		for i := rt.exitsSeen; i < runs; i++ {
			if i >= rt.runsLogged {
				if i > 0 {
					k.rotateLog(pod, c)
				}
				k.appendLog(pod, c, now, startLines(pod, c)...)
			}
			if i >= exits {
				continue
			}
			if podFailureMode(pod) == failOOM {
				k.appendLog(pod, c, now, "allocating buffer for request batch", "fatal: out of memory")
			} else {
				k.appendLog(pod, c, now, "Error: cannot connect to database at db:5432: connection refused",
					"exiting with status 1")
			}
			rec.Eventf(at(c.Name), corev1.EventTypeWarning, "BackOff",
				"Back-off restarting failed container %s in pod %s_%s(%s)", c.Name, pod.Name, pod.Namespace, pod.UID)
		}
	}
	if hasBadImage(pod) && (rt.pullEvt.IsZero() || now.Sub(rt.pullEvt) >= imageBackOffEvery) {
		rt.pullEvt = now
	}
	rt.startedEvt = true
	if runs > rt.runsLogged {
		rt.runsLogged = runs
	}
	if exits > rt.exitsSeen {
		rt.exitsSeen = exits
	}
}

func startLines(pod *corev1.Pod, c corev1.Container) []string {
	return []string{
		fmt.Sprintf("starting %s (image %s) in pod %s/%s", c.Name, c.Image, pod.Namespace, pod.Name),
		"listening on 0.0.0.0:8080",
		"ready to serve requests",
	}
}

func hasBadImage(pod *corev1.Pod) bool {
	for _, c := range pod.Spec.Containers {
		if isBadImage(c.Image) {
			return true
		}
	}
	return false
}

func (k *fakeKubelet) logPath(ns, pod, container string) string {
	return filepath.Join(k.logDir, ns, pod, container+".log")
}

// previousLogPath holds the instance before the current one (the kubelet keeps one).
func (k *fakeKubelet) previousLogPath(ns, pod, container string) string {
	return filepath.Join(k.logDir, ns, pod, container+".previous.log")
}

func (k *fakeKubelet) rotateLog(pod *corev1.Pod, c corev1.Container) {
	err := os.Rename(k.logPath(pod.Namespace, pod.Name, c.Name), k.previousLogPath(pod.Namespace, pod.Name, c.Name))
	if err != nil && !os.IsNotExist(err) {
		log.Printf("fake kubelet: %v", err)
	}
}

// appendLog writes "<RFC3339Nano> <line>" records, the timestamp prefix the logs endpoint needs
// for timestamps=true and sinceSeconds.
func (k *fakeKubelet) appendLog(pod *corev1.Pod, c corev1.Container, now time.Time, lines ...string) {
	path := k.logPath(pod.Namespace, pod.Name, c.Name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		log.Printf("fake kubelet: %v", err)
		return
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		log.Printf("fake kubelet: %v", err)
		return
	}
	defer f.Close()
	for _, l := range lines {
		fmt.Fprintf(f, "%s %s\n", now.UTC().Format(time.RFC3339Nano), l)
	}
}

// preserveTransitions keeps lastTransitionTime of conditions whose status did not change.
func preserveTransitions(desired, current *corev1.PodStatus) {
	for i, c := range desired.Conditions {
		for _, old := range current.Conditions {
			if old.Type == c.Type && old.Status == c.Status {
				desired.Conditions[i].LastTransitionTime = old.LastTransitionTime
			}
		}
	}
}

// normalize drops fields the apiserver owns or defaults, so comparisons only see our changes.
func normalize(s corev1.PodStatus) corev1.PodStatus {
	s = *s.DeepCopy()
	s.ObservedGeneration = 0
	s.Message, s.Reason, s.NominatedNodeName = "", "", ""
	for i := range s.Conditions {
		s.Conditions[i].ObservedGeneration = 0
		s.Conditions[i].LastProbeTime = metav1.Time{}
	}
	s.Resize = ""
	return s
}

// startServer serves the kubelet API subset the apiserver proxies to: container logs (and healthz).
func (k *fakeKubelet) startServer(certFile, keyFile string, errc chan<- error) (*http.Server, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("GET /containerLogs/{ns}/{pod}/{container}", k.serveLogs)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, fmt.Sprintf("the sandbox's fake kubelet does not implement %s", r.URL.Path), http.StatusNotImplemented)
	})
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", k.port))
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: mux, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	return srv, nil
}

// logOptions are the kubelet's containerLogs query parameters (see kubelet server.go).
type logOptions struct {
	tailLines  int64 // -1: all
	limitBytes int64 // 0: unlimited
	timestamps bool
	since      time.Time
	follow     bool
	previous   bool
}

func parseLogOptions(q map[string][]string, now time.Time) (logOptions, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	o := logOptions{tailLines: -1}
	var err error
	if v := get("tailLines"); v != "" {
		if o.tailLines, err = strconv.ParseInt(v, 10, 64); err != nil || o.tailLines < 0 {
			return o, fmt.Errorf("invalid tailLines %q", v)
		}
	}
	if v := get("limitBytes"); v != "" {
		if o.limitBytes, err = strconv.ParseInt(v, 10, 64); err != nil || o.limitBytes < 1 {
			return o, fmt.Errorf("invalid limitBytes %q", v)
		}
	}
	if v := get("sinceSeconds"); v != "" {
		s, err := strconv.ParseInt(v, 10, 64)
		if err != nil || s < 1 {
			return o, fmt.Errorf("invalid sinceSeconds %q", v)
		}
		o.since = now.Add(-time.Duration(s) * time.Second)
	}
	if v := get("sinceTime"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return o, fmt.Errorf("invalid sinceTime %q", v)
		}
		o.since = t
	}
	o.timestamps = get("timestamps") == "true" || get("timestamps") == "1"
	o.follow = get("follow") == "true" || get("follow") == "1"
	o.previous = get("previous") == "true" || get("previous") == "1"
	return o, nil
}

// logLine is one record of a log file; lines that were written without our timestamp prefix (for
// example by a test) have a zero ts and pass every since filter.
type logLine struct {
	ts   time.Time
	text string
}

func parseLogLine(raw string) logLine {
	if i := strings.IndexByte(raw, ' '); i > 0 {
		if t, err := time.Parse(time.RFC3339Nano, raw[:i]); err == nil {
			return logLine{ts: t, text: raw[i+1:]}
		}
	}
	return logLine{text: raw}
}

func (l logLine) render(timestamps bool) string {
	if timestamps && !l.ts.IsZero() {
		return l.ts.UTC().Format(time.RFC3339Nano) + " " + l.text + "\n"
	}
	return l.text + "\n"
}

// selectLogLines applies sinceSeconds/sinceTime, then tailLines, then limitBytes, in the kubelet's order.
func selectLogLines(lines []logLine, o logOptions) string {
	var kept []logLine
	for _, l := range lines {
		if !o.since.IsZero() && !l.ts.IsZero() && l.ts.Before(o.since) {
			continue
		}
		kept = append(kept, l)
	}
	if o.tailLines >= 0 && int64(len(kept)) > o.tailLines {
		kept = kept[int64(len(kept))-o.tailLines:]
	}
	var b strings.Builder
	for _, l := range kept {
		b.WriteString(l.render(o.timestamps))
	}
	out := b.String()
	if o.limitBytes > 0 && int64(len(out)) > o.limitBytes {
		out = out[:o.limitBytes]
	}
	return out
}

// instanceLog picks the log file the kubelet would read (validateContainerLogStatus): with
// previous, the last terminated instance (the current file while the container waits to restart,
// since no newer run has begun); without, the current instance. msg is the kubelet's 400 text.
func (k *fakeKubelet) instanceLog(pod *corev1.Pod, container string, previous bool) (path, msg string) {
	if previous {
		for _, cs := range pod.Status.ContainerStatuses {
			if cs.Name != container || cs.LastTerminationState.Terminated == nil {
				continue
			}
			if cs.State.Running != nil {
				return k.previousLogPath(pod.Namespace, pod.Name, container), ""
			}
			return k.logPath(pod.Namespace, pod.Name, container), ""
		}
		return "", fmt.Sprintf("previous terminated container %q in pod %q not found", container, pod.Name)
	}
	for _, c := range pod.Spec.Containers {
		if c.Name == container && isBadImage(c.Image) {
			return "", fmt.Sprintf("container %q in pod %q is waiting to start: trying and failing to pull image",
				container, pod.Name)
		}
	}
	return k.logPath(pod.Namespace, pod.Name, container), ""
}

func (k *fakeKubelet) serveLogs(w http.ResponseWriter, r *http.Request) {
	ns, podName, container := r.PathValue("ns"), r.PathValue("pod"), r.PathValue("container")
	opts, err := parseLogOptions(r.URL.Query(), time.Now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	pod, err := k.pods.Pods(ns).Get(podName)
	if err != nil {
		http.Error(w, fmt.Sprintf("pod %s/%s not found on this node", ns, podName), http.StatusNotFound)
		return
	}
	path, msg := k.instanceLog(pod, container, opts.previous)
	if msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		http.Error(w, fmt.Sprintf("no logs for container %q in pod %s/%s", container, ns, podName), http.StatusNotFound)
		return
	}
	defer f.Close()
	var lines []logLine
	reader := bufio.NewReader(f)
	var partial string
	for {
		s, err := reader.ReadString('\n')
		if err != nil {
			partial = s
			break
		}
		lines = append(lines, parseLogLine(strings.TrimSuffix(s, "\n")))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	written := selectLogLines(lines, opts)
	_, _ = w.Write([]byte(written))
	if !opts.follow {
		return
	}
	// follow: stream new complete lines until the client goes away.
	sent := int64(len(written))
	flusher, _ := w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	t := time.NewTicker(300 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
		}
		for {
			s, err := reader.ReadString('\n')
			partial += s
			if err != nil {
				break
			}
			out := parseLogLine(strings.TrimSuffix(partial, "\n")).render(opts.timestamps)
			partial = ""
			if opts.limitBytes > 0 && sent+int64(len(out)) > opts.limitBytes {
				_, _ = w.Write([]byte(out[:opts.limitBytes-sent]))
				return
			}
			sent += int64(len(out))
			_, _ = w.Write([]byte(out))
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
}
