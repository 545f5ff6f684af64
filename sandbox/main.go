// Command ktc is the chatops sandbox: a real Kubernetes control plane (embedded etcd, the upstream
// kube-apiserver, kube-controller-manager and kube-scheduler) plus a fake kubelet, in one binary.
//
// It dispatches on its first argument, busybox style:
//
//	ktc up --state DIR [--nodes N]        run the whole cluster until SIGTERM
//	ktc kubeconfig --state DIR --user U [--group G]... [--out FILE]
//	ktc kube-apiserver|kube-controller-manager|kube-scheduler [upstream flags]
//	ktc version
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/component-base/cli"
	"k8s.io/component-base/version"
	apiapp "k8s.io/kubernetes/cmd/kube-apiserver/app"
	cmapp "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	schedapp "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

// k8sVersion is what the fake nodes report as kubelet version; it follows the -X ldflags.
var k8sVersion = version.Get().GitVersion

const usage = `usage: ktc <command> [flags]

commands:
  up                        run etcd, the control plane and a fake kubelet until SIGTERM
  kubeconfig                mint a client-cert kubeconfig for a user and groups
  kube-apiserver            the upstream kube-apiserver
  kube-controller-manager   the upstream kube-controller-manager
  kube-scheduler            the upstream kube-scheduler
  version                   print the Kubernetes version this binary was built from
`

func main() {
	cmd := filepath.Base(os.Args[0])
	args := os.Args[1:]
	if cmd == "ktc" || cmd == "main" || len(cmd) > 4 && cmd[:4] == "ktc-" {
		if len(args) == 0 {
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "kube-apiserver":
		os.Args = append([]string{cmd}, args...)
		os.Exit(cli.Run(apiapp.NewAPIServerCommand()))
	case "kube-controller-manager":
		os.Args = append([]string{cmd}, args...)
		os.Exit(cli.Run(cmapp.NewControllerManagerCommand()))
	case "kube-scheduler":
		os.Args = append([]string{cmd}, args...)
		os.Exit(cli.Run(schedapp.NewSchedulerCommand()))
	case "up":
		os.Exit(runUp(args))
	case "kubeconfig":
		os.Exit(runKubeconfig(args))
	case "version":
		fmt.Println(version.Get().GitVersion)
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "ktc: unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
}
