package main

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func testPod(image string, ann map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "shop", UID: "u1", Annotations: ann},
		Spec: corev1.PodSpec{
			NodeName:      "node-1",
			RestartPolicy: corev1.RestartPolicyAlways,
			Containers:    []corev1.Container{{Name: "web", Image: image}},
		},
	}
}

func TestImageTag(t *testing.T) {
	cases := map[string]string{
		"nginx": "", "nginx:bad": "bad", "registry:5000/app": "", "registry:5000/app:bad": "bad",
		"nginx:1.27@sha256:abc": "1.27", "nginx@sha256:abc": "",
	}
	for image, want := range cases {
		if got := imageTag(image); got != want {
			t.Errorf("imageTag(%q) = %q, want %q", image, got, want)
		}
	}
	if got := fullImageName("nginx:bad"); got != "docker.io/library/nginx:bad" {
		t.Errorf("fullImageName = %q", got)
	}
}

func TestHealthyPodRunsReady(t *testing.T) {
	start := time.Now()
	plan := planPod(testPod("nginx:1.27", nil), start, start.Add(time.Second), "10.244.1.2")
	st := plan.status
	if st.Phase != corev1.PodRunning || st.PodIP != "10.244.1.2" {
		t.Fatalf("phase=%s ip=%s", st.Phase, st.PodIP)
	}
	cs := st.ContainerStatuses[0]
	if !cs.Ready || cs.State.Running == nil || cs.ContainerID == "" || cs.ImageID == "" {
		t.Fatalf("container status %+v", cs)
	}
	if !plan.next.IsZero() {
		t.Fatalf("a healthy pod should not need another look, next=%v", plan.next)
	}
}

func TestBadImageIsImagePullBackOff(t *testing.T) {
	start := time.Now()
	st := planPod(testPod("nginx:bad", nil), start, start, "10.244.1.2").status
	w := st.ContainerStatuses[0].State.Waiting
	if st.Phase != corev1.PodPending || w == nil || w.Reason != "ImagePullBackOff" {
		t.Fatalf("phase=%s waiting=%+v", st.Phase, w)
	}
	if !strings.Contains(w.Message, "docker.io/library/nginx:bad") {
		t.Fatalf("message %q", w.Message)
	}
}

func TestCrashLoopRestartsRiseWithBackoff(t *testing.T) {
	start := time.Now()
	pod := testPod("app:1", map[string]string{annCrashLoop: "true"})
	var last int32 = -1
	for _, at := range []time.Duration{2 * time.Second, 13 * time.Second, 34 * time.Second, 75 * time.Second} {
		cs := planPod(pod, start, start.Add(at), "ip").status.ContainerStatuses[0]
		if cs.RestartCount <= last {
			t.Fatalf("at %s restartCount %d did not rise from %d", at, cs.RestartCount, last)
		}
		last = cs.RestartCount
		if cs.State.Waiting == nil || cs.State.Waiting.Reason != "CrashLoopBackOff" {
			t.Fatalf("at %s state %+v", at, cs.State)
		}
		term := cs.LastTerminationState.Terminated
		if term == nil || term.ExitCode != 1 || term.Reason != "Error" {
			t.Fatalf("at %s lastState %+v", at, term)
		}
	}
	if crashBackoff(100) != crashBackoffMax {
		t.Fatal("back-off must be capped")
	}
}

func TestOOMKilled(t *testing.T) {
	start := time.Now()
	pod := testPod("app:1", map[string]string{annOOMKill: "true"})
	cs := planPod(pod, start, start.Add(3*time.Second), "ip").status.ContainerStatuses[0]
	term := cs.LastTerminationState.Terminated
	if term == nil || term.Reason != "OOMKilled" || term.ExitCode != 137 || cs.RestartCount < 1 {
		t.Fatalf("status %+v", cs)
	}
}

func TestJobPodSucceeds(t *testing.T) {
	start := time.Now()
	pod := testPod("busybox", nil)
	pod.Spec.RestartPolicy = corev1.RestartPolicyNever
	if p := planPod(pod, start, start, "ip"); p.status.Phase != corev1.PodRunning || p.next.IsZero() {
		t.Fatalf("phase %s next %v", p.status.Phase, p.next)
	}
	if p := planPod(pod, start, start.Add(jobRunTime), "ip"); p.status.Phase != corev1.PodSucceeded {
		t.Fatalf("phase %s", p.status.Phase)
	}
	pod.Annotations = map[string]string{annCrashLoop: "true"}
	if p := planPod(pod, start, start.Add(jobRunTime), "ip"); p.status.Phase != corev1.PodFailed {
		t.Fatalf("phase %s", p.status.Phase)
	}
}

func TestDeleteAt(t *testing.T) {
	end := metav1.NewTime(time.Now().Add(30 * time.Second))
	grace := int64(30)
	pod := testPod("nginx", nil)
	pod.DeletionTimestamp, pod.DeletionGracePeriodSeconds = &end, &grace
	if got := deleteAt(pod); !got.Equal(end.Add(-30 * time.Second).Add(sigtermExitTime)) {
		t.Fatalf("deleteAt = %v", got)
	}
	pod.Annotations = map[string]string{annIgnoreSIGTERM: "true"}
	if got := deleteAt(pod); !got.Equal(end.Time) {
		t.Fatalf("ignore-sigterm deleteAt = %v", got)
	}
}

func TestSelectLogLines(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var lines []logLine
	for i := range 5 {
		lines = append(lines, logLine{ts: now.Add(time.Duration(i-4) * time.Minute), text: string(rune('a' + i))})
	}
	if got := selectLogLines(lines, logOptions{tailLines: 2}); got != "d\ne\n" {
		t.Errorf("tail: %q", got)
	}
	if got := selectLogLines(lines, logOptions{tailLines: -1, since: now.Add(-90 * time.Second)}); got != "d\ne\n" {
		t.Errorf("since: %q", got)
	}
	if got := selectLogLines(lines, logOptions{tailLines: 1, timestamps: true}); got != "2026-01-01T12:00:00Z e\n" {
		t.Errorf("timestamps: %q", got)
	}
	if got := selectLogLines(lines, logOptions{tailLines: -1, limitBytes: 3}); got != "a\nb" {
		t.Errorf("limitBytes: %q", got)
	}
	if l := parseLogLine("no timestamp here"); !l.ts.IsZero() || l.text != "no timestamp here" {
		t.Errorf("parse: %+v", l)
	}
}

func TestCrashLimitThenRunsForGood(t *testing.T) {
	start := time.Now()
	pod := testPod("app:1", map[string]string{annOOMKill: "true", annCrashes: "1"})
	// 1 s run, OOM kill, 10 s back-off, then a run that does not end.
	backingOff := planPod(pod, start, start.Add(5*time.Second), "ip")
	if cs := backingOff.status.ContainerStatuses[0]; cs.State.Waiting == nil || cs.RestartCount != 1 {
		t.Fatalf("while backing off: %+v", cs)
	}
	if !backingOff.next.Equal(start.Add(crashRunTime + crashBackoffBase)) {
		t.Fatalf("next look %v", backingOff.next)
	}
	for _, at := range []time.Duration{12 * time.Second, time.Hour} {
		plan := planPod(pod, start, start.Add(at), "ip")
		cs := plan.status.ContainerStatuses[0]
		term := cs.LastTerminationState.Terminated
		if cs.State.Running == nil || !cs.Ready || cs.RestartCount != 1 || term == nil || term.Reason != "OOMKilled" {
			t.Fatalf("at %s: %+v", at, cs)
		}
		if !plan.next.IsZero() {
			t.Fatalf("at %s a recovered container needs no further look, next=%v", at, plan.next)
		}
	}
	if crashLimit(testPod("app:1", map[string]string{annCrashes: "x"})) != 0 {
		t.Fatal("an unreadable limit means no limit")
	}
}
