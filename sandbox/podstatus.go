package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Annotations that ask the fake kubelet to reproduce a failure.
const (
	annCrashLoop     = "sandbox.chatops.dev/crashloop"
	annOOMKill       = "sandbox.chatops.dev/oomkill"
	annIgnoreSIGTERM = "sandbox.chatops.dev/ignore-sigterm"
	// annCrashes bounds the crash loop: after that many exits the container runs for good, as one
	// that was OOM-killed once under load and came back (the case `kubectl logs --previous` is for).
	annCrashes = "sandbox.chatops.dev/crashes"
)

// Timings of the simulated container runtime. Crash back-off follows the real kubelet (10s doubling,
// capped at 5 minutes) so restart counts rise the way on-call engineers expect to see them.
const (
	crashRunTime     = 1 * time.Second
	crashBackoffBase = 10 * time.Second
	crashBackoffMax  = 5 * time.Minute
	jobRunTime       = 2 * time.Second
	// A real container exits promptly on SIGTERM; the kubelet then deletes the pod without waiting
	// for the rest of the grace period. ignore-sigterm makes the fake wait the full grace period.
	sigtermExitTime = 1 * time.Second
)

type failureMode int

const (
	failNone failureMode = iota
	failCrash
	failOOM
)

func podFailureMode(pod *corev1.Pod) failureMode {
	switch {
	case pod.Annotations[annOOMKill] == "true":
		return failOOM
	case pod.Annotations[annCrashLoop] == "true":
		return failCrash
	}
	return failNone
}

// crashLimit is how many times a failing container exits before it runs for good; 0: forever.
func crashLimit(pod *corev1.Pod) int {
	n, err := strconv.Atoi(pod.Annotations[annCrashes])
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// imageTag returns the tag of an image reference ("" when it has none or only a digest).
func imageTag(image string) string {
	ref := image
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	lastSlash := strings.LastIndex(ref, "/")
	if i := strings.LastIndex(ref, ":"); i > lastSlash {
		return ref[i+1:]
	}
	return ""
}

// isBadImage says whether pulling this image should fail: by convention any tag "bad".
func isBadImage(image string) bool { return imageTag(image) == "bad" }

// fullImageName expands a short reference the way containerd reports it.
func fullImageName(image string) string {
	name := image
	first := strings.SplitN(name, "/", 2)[0]
	if !strings.Contains(name, "/") {
		name = "docker.io/library/" + name
	} else if !strings.ContainsAny(first, ".:") && first != "localhost" {
		name = "docker.io/" + name
	}
	if imageTag(name) == "" && !strings.Contains(name, "@") {
		name += ":latest"
	}
	return name
}

// crashState is where a crash-looping container stands at a point in time.
type crashState struct {
	exits     int       // completed runs, i.e. the restart count
	lastStart time.Time // start of the latest run
	lastExit  time.Time // end of the latest completed run (zero when exits == 0)
	running   bool      // inside a run rather than backing off
	recovered bool      // the crash limit was reached: this run does not end
	next      time.Time // next change of state (zero when none will come)
}

func crashBackoff(exits int) time.Duration {
	d := crashBackoffBase
	for i := 1; i < exits; i++ {
		d *= 2
		if d >= crashBackoffMax {
			return crashBackoffMax
		}
	}
	return d
}

// crashAt replays the run/back-off cycle from start up to now; after limit exits (0: no limit)
// the container starts once more and keeps running.
func crashAt(start, now time.Time, limit int) crashState {
	s := crashState{lastStart: start}
	for {
		if limit > 0 && s.exits >= limit {
			s.running, s.recovered = true, true
			return s
		}
		exit := s.lastStart.Add(crashRunTime)
		if now.Before(exit) {
			s.running = true
			s.next = exit
			return s
		}
		s.exits++
		s.lastExit = exit
		restart := exit.Add(crashBackoff(s.exits))
		if now.Before(restart) {
			s.next = restart
			return s
		}
		s.lastStart = restart
	}
}

// podPlan is the outcome of simulating one pod at one instant: the status to publish and when to
// look at the pod again.
type podPlan struct {
	status corev1.PodStatus
	next   time.Time // zero: nothing will change on its own
}

func mtime(t time.Time) metav1.Time { return metav1.NewTime(t.Truncate(time.Second)) }

// planPod computes the status a kubelet would report for pod at now, given when it was started and
// the IP it was given. It is pure so it can be unit-tested.
func planPod(pod *corev1.Pod, start, now time.Time, podIP string) podPlan {
	mode := podFailureMode(pod)
	runOnce := pod.Spec.RestartPolicy == corev1.RestartPolicyNever || pod.Spec.RestartPolicy == corev1.RestartPolicyOnFailure
	plan := podPlan{}
	later := func(t time.Time) {
		if plan.next.IsZero() || t.Before(plan.next) {
			plan.next = t
		}
	}
	st := corev1.PodStatus{
		HostIP:    "127.0.0.1",
		HostIPs:   []corev1.HostIP{{IP: "127.0.0.1"}},
		PodIP:     podIP,
		PodIPs:    []corev1.PodIP{{IP: podIP}},
		StartTime: ptrTime(mtime(start)),
		QOSClass:  qosClass(pod),
	}
	for _, c := range pod.Spec.InitContainers {
		st.InitContainerStatuses = append(st.InitContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: imageID(c.Image), ContainerID: containerID(pod, c.Name),
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 0, Reason: "Completed", StartedAt: mtime(start), FinishedAt: mtime(start)}},
			Ready: true,
		})
	}
	allReady, pulling, allDone, failed := true, false, true, false
	for _, c := range pod.Spec.Containers {
		cs := corev1.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: imageID(c.Image)}
		switch {
		case isBadImage(c.Image):
			pulling = true
			cs.Image = c.Image
			cs.ImageID = ""
			cs.State.Waiting = &corev1.ContainerStateWaiting{
				Reason:  "ImagePullBackOff",
				Message: fmt.Sprintf("Back-off pulling image %q: %s", c.Image, pullErrorMessage(c.Image)),
			}
		case mode != failNone && !(runOnce && pod.Spec.RestartPolicy == corev1.RestartPolicyNever):
			cr := crashAt(start, now, crashLimit(pod))
			if !cr.next.IsZero() {
				later(cr.next)
			}
			cs.RestartCount = int32(cr.exits)
			cs.ContainerID = containerID(pod, fmt.Sprintf("%s-%d", c.Name, cr.exits))
			if cr.exits > 0 {
				cs.LastTerminationState.Terminated = terminated(mode, pod, c.Name, cr.exits-1, lastRunStart(cr), cr.lastExit)
			}
			if cr.running {
				cs.State.Running = &corev1.ContainerStateRunning{StartedAt: mtime(cr.lastStart)}
				cs.Started = ptrBool(true)
				cs.Ready = cr.recovered
			} else {
				cs.State.Waiting = &corev1.ContainerStateWaiting{
					Reason: "CrashLoopBackOff",
					Message: fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)",
						crashBackoff(cr.exits), c.Name, pod.Name, pod.Namespace, pod.UID),
				}
				cs.Started = ptrBool(false)
			}
			allDone = false
		case runOnce:
			done := start.Add(jobRunTime)
			cs.ContainerID = containerID(pod, c.Name)
			if now.Before(done) {
				later(done)
				cs.State.Running = &corev1.ContainerStateRunning{StartedAt: mtime(start)}
				cs.Started, cs.Ready = ptrBool(true), true
				allDone = false
			} else if mode != failNone {
				cs.State.Terminated = terminated(mode, pod, c.Name, 0, start, done)
				cs.Started = ptrBool(false)
				allReady, failed = false, true
			} else {
				cs.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed",
					StartedAt: mtime(start), FinishedAt: mtime(done), ContainerID: cs.ContainerID}
				cs.Started = ptrBool(false)
				allReady = false
			}
		default:
			cs.ContainerID = containerID(pod, c.Name)
			cs.State.Running = &corev1.ContainerStateRunning{StartedAt: mtime(start)}
			cs.Started, cs.Ready = ptrBool(true), true
			allDone = false
		}
		if !cs.Ready {
			allReady = false
		}
		st.ContainerStatuses = append(st.ContainerStatuses, cs)
	}
	switch {
	case pulling:
		st.Phase = corev1.PodPending
		allReady = false
	case runOnce && allDone && failed:
		st.Phase = corev1.PodFailed
	case runOnce && allDone:
		st.Phase = corev1.PodSucceeded
	default:
		st.Phase = corev1.PodRunning
	}
	readyStatus := corev1.ConditionFalse
	if allReady {
		readyStatus = corev1.ConditionTrue
	}
	cond := func(t corev1.PodConditionType, s corev1.ConditionStatus, reason string) corev1.PodCondition {
		c := corev1.PodCondition{Type: t, Status: s, LastTransitionTime: mtime(start)}
		if s == corev1.ConditionFalse {
			c.Reason = reason
		}
		return c
	}
	notReadyReason := "ContainersNotReady"
	if st.Phase == corev1.PodSucceeded || st.Phase == corev1.PodFailed {
		notReadyReason = "PodCompleted"
	}
	st.Conditions = []corev1.PodCondition{
		cond(corev1.PodReadyToStartContainers, corev1.ConditionTrue, ""),
		cond(corev1.PodInitialized, corev1.ConditionTrue, ""),
		cond(corev1.ContainersReady, readyStatus, notReadyReason),
		cond(corev1.PodReady, readyStatus, notReadyReason),
		cond(corev1.PodScheduled, corev1.ConditionTrue, ""),
	}
	plan.status = st
	return plan
}

// lastRunStart is when the latest completed run began.
func lastRunStart(cr crashState) time.Time { return cr.lastExit.Add(-crashRunTime) }

func terminated(mode failureMode, pod *corev1.Pod, container string, run int, started, finished time.Time) *corev1.ContainerStateTerminated {
	t := &corev1.ContainerStateTerminated{
		ExitCode: 1, Reason: "Error", StartedAt: mtime(started), FinishedAt: mtime(finished),
		ContainerID: containerID(pod, fmt.Sprintf("%s-%d", container, run)),
	}
	if mode == failOOM {
		t.ExitCode, t.Reason = 137, "OOMKilled"
	}
	return t
}

func pullErrorMessage(image string) string {
	full := fullImageName(image)
	return fmt.Sprintf("rpc error: code = NotFound desc = failed to pull and unpack image %q: "+
		"failed to resolve reference %q: %s: not found", full, full, full)
}

func containerID(pod *corev1.Pod, name string) string {
	return fmt.Sprintf("containerd://%s-%s", pod.UID, name)
}

func imageID(image string) string {
	full := fullImageName(image)
	if i := strings.LastIndex(full, ":"); i > strings.LastIndex(full, "/") {
		full = full[:i]
	}
	return full + "@sha256:" + fmt.Sprintf("%064x", hash(image))
}

func hash(s string) uint64 {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func qosClass(pod *corev1.Pod) corev1.PodQOSClass {
	any, guaranteed := false, true
	for _, c := range pod.Spec.Containers {
		if len(c.Resources.Requests) > 0 || len(c.Resources.Limits) > 0 {
			any = true
		}
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			l, okL := c.Resources.Limits[r]
			q, okQ := c.Resources.Requests[r]
			if !okL || (okQ && q.Cmp(l) != 0) {
				guaranteed = false
			}
		}
	}
	switch {
	case !any:
		return corev1.PodQOSBestEffort
	case guaranteed:
		return corev1.PodQOSGuaranteed
	}
	return corev1.PodQOSBurstable
}

// deleteAt is when the fake kubelet should finish a terminating pod.
func deleteAt(pod *corev1.Pod) time.Time {
	if pod.DeletionTimestamp == nil {
		return time.Time{}
	}
	end := pod.DeletionTimestamp.Time
	var grace time.Duration
	if pod.DeletionGracePeriodSeconds != nil {
		grace = time.Duration(*pod.DeletionGracePeriodSeconds) * time.Second
	}
	if pod.Annotations[annIgnoreSIGTERM] == "true" || grace <= sigtermExitTime {
		return end
	}
	return end.Add(-grace).Add(sigtermExitTime)
}

func ptrBool(b bool) *bool               { return &b }
func ptrTime(t metav1.Time) *metav1.Time { return &t }
