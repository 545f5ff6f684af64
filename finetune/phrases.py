"""Hand-written phrasings for the meta intents and the out-of-scope class.

Runbook intents learn from the catalogue's own examples; these classes have no runbook
file, so their training phrases live here. Out-of-scope phrases may carry slot markup
(`[checkout](deployment)`) so that they are filled with the same names as the runbook
templates: the model must learn that "create a NetworkPolicy for checkout" is out of
scope *because of the request*, not because of an unfamiliar name.
"""

from __future__ import annotations

META_PHRASES: dict[str, tuple[str, ...]] = {
    "help": (
        "help", "help me", "what can you do", "what can you do?", "what do you do",
        "how do i use this", "how does this bot work", "show me the commands",
        "list commands", "what commands are there", "which runbooks do you have",
        "list runbooks", "show runbooks", "what are my options", "usage", "how do i ask you",
        "i'm lost", "what can i ask you", "help please", "can you help", "commands?",
        "what are you able to do", "what actions do you support", "show help",
        "how do i talk to you", "what kind of things can you do for me", "?", "menu",
        "what runbooks exist", "any docs on how to use you", "tell me what you can do",
        "what operations are supported", "instructions", "what are the commands",
    ),
    "cancel": (
        "cancel", "cancel that", "cancel it", "never mind", "nevermind", "nvm", "stop",
        "abort", "forget it", "forget that", "scratch that", "don't bother", "stop that",
        "cancel the request", "abort this", "actually no, cancel", "call it off",
        "drop it", "cancel please", "stop, don't do it", "halt", "cancel the operation",
        "let's not", "never mind that", "cancel my request", "kill this request",
        "abort abort", "i changed my mind", "forget what i asked", "stop the request",
        "no wait, cancel", "cancel everything",
        "scrap that", "scrap it", "scrap my last request", "ignore my last request",
        "ignore that request", "withdraw the request", "please cancel the pending request",
        "actually, cancel that request, we fixed it another way",
        "forget the request above, it's not needed anymore", "don't run the request after all",
        "cancel, the other team is handling it", "never mind, someone already did it",
        "hold on, cancel that one, wrong cluster", "stop, cancel the request please",
    ),
    "confirm": (
        "yes", "y", "yep", "yeah", "yup", "sure", "ok", "okay", "go ahead", "do it",
        "confirm", "confirmed", "approve", "approved", "lgtm", "ship it", "sounds good",
        "go for it", "proceed", "yes please", "yes do it", "correct", "that's right",
        "affirmative", "make it so", "please proceed", "yes go ahead", "run it", "execute",
        "go", "fine, do it", "k", "👍", "yes, that one", "right", "exactly", "absolutely",
        "send it", "let's do it", "i confirm",
        "yes, i checked with the team, go ahead", "ok that's the right one, go ahead",
        "yes, the change window is open, please proceed", "confirmed, go ahead and run it",
        "yep, that's what i meant, do it", "looks right to me, proceed",
        "yes - i double checked the numbers, go ahead", "sure, ship it, the team agreed",
        "yes please, we talked about it on the call", "alright, go ahead with it",
        "i've reviewed it, approved", "that's correct, please go ahead",
    ),
    "deny": (
        "no", "n", "nope", "nah", "don't", "do not", "deny", "denied", "reject", "rejected",
        "no thanks", "don't do it", "not that", "wrong", "that's wrong", "no, not that one",
        "negative", "no way", "please don't", "hold off", "don't run it", "not now",
        "absolutely not", "no no no", "that's not what i meant", "incorrect", "decline",
        "👎", "nope, wrong one", "i said no", "not this one",
        "no thanks, leave it", "leave it as it is", "no, leave it alone", "no thanks",
        "no, don't touch it", "nah, leave it for now", "no, keep it the way it is",
        "no - that's not what i want, don't run it", "don't, we'll wait for the team",
        "no, not yet, hold off until the team agrees", "let's not do that, leave it",
    ),
    "undo": (
        "undo", "undo that", "undo it", "undo the last change", "revert that",
        "revert what you just did", "put it back", "put it back how it was",
        "undo the last action", "roll back what you just did", "reverse that",
        "undo your last change", "change it back", "restore the previous state",
        "go back to how it was", "undo please", "undo the last thing", "revert the last step",
        "reverse the last operation", "take that back", "undo what i just did",
        "can you undo that", "oops undo", "revert it", "back it out",
    ),
}

OOS_PHRASES: tuple[str, ...] = (
    # Small talk and chit-chat.
    "hi", "hello", "hey there", "good morning", "thanks", "thank you", "thanks a lot",
    "how are you", "how's it going", "who are you", "are you a robot", "tell me a joke",
    "what's the weather like", "what time is it", "what's for lunch", "good night",
    "you're awesome", "i love you", "lol", "haha", "ping", "test", "testing 123",
    "is anyone there", "happy friday", "what day is it", "who made you", "sing a song",
    "what's the meaning of life", "are you sentient", "cool", "nice work", "bye",
    "can you order pizza", "book a meeting room for 3pm", "what's on my calendar",
    "remind me to call mom", "translate hello into french", "write me a poem",
    "what's the capital of france", "who won the game last night", "recommend a movie",
    "my laptop is slow", "the wifi in the office is down", "my vpn keeps disconnecting",
    "reset my password for jira", "the printer is broken", "order me a new keyboard",
    # Kubernetes work outside the catalogue.
    "create a networkpolicy for [checkout-api](deployment) in [prod](namespace)",
    "add a network policy that blocks egress from [payments](namespace)",
    "create an rbac role for the dev team in [staging](namespace)",
    "give alice admin on [prod](namespace)",
    "create a rolebinding for the ci service account",
    "add a clusterrole that can read secrets",
    "create a statefulset for postgres in [data](namespace)",
    "scale the statefulset [kafka](deployment) to [5](replicas)",
    "helm install prometheus into [monitoring](namespace)",
    "helm upgrade [grafana](deployment) to the latest chart",
    "install the nginx ingress controller with helm",
    "run a policy audit on the cluster", "audit our pod security policies",
    "check if all pods comply with the pod security standard",
    "delete the namespace [staging](namespace)", "delete namespace [prod](namespace)",
    "create a namespace called [team-x](namespace)",
    "exec into the pod [checkout-api-7d9f8b6c5-x2kqp](pod)",
    "exec into [redis-0](pod) and run redis-cli", "open a shell in [web-frontend](deployment)",
    "kubectl exec -it [api-6f7c9d8b4-k2m9x](pod) -- bash",
    "port forward [grafana](deployment) to localhost 3000",
    "copy a file out of [worker-3](pod)",
    "delete the [checkout-api](deployment) deployment",
    "delete deployment [payments](deployment) in [prod](namespace)",
    "create a new deployment for [billing-api](deployment)",
    "apply this yaml for me", "kubectl apply -f deploy.yaml",
    "edit the configmap for [checkout-api](deployment)",
    "update the secret db-password in [prod](namespace)",
    "show me the secret values in [payments](namespace)", "print the database password",
    "create a pvc of 100gi", "resize the persistent volume for postgres",
    "upgrade the cluster to kubernetes 1.31", "upgrade the control plane",
    "add a node to the cluster", "delete node [worker-3](node) from the cluster",
    "create a new node pool with gpus", "terminate the ec2 instance behind [node-4](node)",
    "create an ingress for [web-frontend](deployment)",
    "change the service type to loadbalancer", "expose [calc-app](deployment) on port 8080",
    "add a dns record for api.example.com", "renew the tls certificate for example.com",
    "install istio", "enable mtls in [prod](namespace)", "set up argo cd",
    "create a job that runs the migration", "run the database migration",
    "trigger the [nightly-backup](cronjob) now",
    "create a cronjob that runs every hour",
    "change the schedule of [db-backup](cronjob) to midnight",
    "set resource limits on [checkout-api](deployment) to 2 cpu",
    "increase the memory request for [payments](deployment)",
    "add an env var to [web-frontend](deployment)",
    "add a label team=payments to [checkout-api](deployment)",
    "taint [node-1](node) with gpu=true:NoSchedule",
    "label [worker-2](node) as ssd",
    "create a pod disruption budget for [redis-cache](deployment)",
    "set up a service mesh", "deploy the new version from the main branch",
    "merge my pull request", "open a jira ticket for this outage",
    "page the on-call for [payments](namespace)", "create an incident in pagerduty",
    "silence the alert for [calc-app](deployment) in alertmanager",
    "write a prometheus alert rule for high latency", "create a grafana dashboard",
    "what's the p99 latency of [checkout-api](deployment) in datadog",
    "show me the cost of the cluster this month", "how much is our aws bill",
    "what's our gcp spend", "reduce our cloud costs", "buy more reserved instances",
    "how do i write a bash loop", "how do i grep for a string recursively",
    "what does chmod 755 do", "explain kubernetes to me", "what is a pod",
    "what's the difference between a deployment and a statefulset",
    "how do i install kubectl", "write me a dockerfile for a python app",
    "build the docker image", "push the image to the registry",
    "ssh into [node-3](node)", "reboot [ip-10-0-1-23.ec2.internal](node)",
    "run rm -rf / on [worker-1](node)", "drop the production database",
    "restore the database from backup", "rotate the aws access keys",
    "give me cluster admin", "make me an admin", "disable rbac",
    "turn off the firewall", "delete all pods in every namespace",
    "delete everything in [prod](namespace)", "wipe the cluster",
    "migrate [payments](deployment) to another cluster", "create a new cluster in gke",
    "switch context to the staging cluster", "what clusters do we have",
    "update my kubeconfig", "generate a kubeconfig for bob",
    "what's the status of the github actions build", "rerun the failed ci job",
    "show me the terraform plan", "run terraform apply",
    "create an s3 bucket", "send an email to the team", "post this in #general",
    "summarize this channel", "what did i miss", "schedule a deploy for friday",
    "who is on call this week", "what is the sla for [checkout-api](deployment)",
    "create a horizontal pod autoscaler crd", "install keda",
    "patch the crd for [cert-manager](deployment)", "debug my python script",
    "my laptop is slow", "reset my password", "i need vpn access",
)

# Hard negatives: requests that reuse runbook wording and real names but ask for something
# no runbook does. Creating workloads must never map onto a mutating runbook (set_image,
# scale, restart), however much it sounds like "roll out" or "deploy".
OOS_HARD_NEGATIVES: tuple[str, ...] = (
    # Creating or copying workloads.
    "spin up a second instance of [checkout](deployment) running [v2.1](image) next to the old one",
    "create a canary deployment of [payments-api](deployment) with image [payments:1.4](image)",
    "clone [web-frontend](deployment) into a new deployment called web-frontend-blue",
    "duplicate [orders](deployment) in [staging](namespace) with tag [3.0.1](image)",
    "deploy a fresh copy of [billing](deployment) as billing-v2 in [prod](namespace)",
    "launch a new deployment called [api-next](deployment) from [ghcr.io/acme/api:v3](image)",
    "kubectl create deployment [nginx](deployment) --image [nginx:1.27](image) -n [dev](namespace)",
    "deploy [redis:7.2](image) as a brand new app in [staging](namespace)",
    "install [postgres](deployment) in the [data](namespace) namespace",
    "set up a new service for [search](deployment) on port 8080",
    "stand up another environment for [checkout](deployment) to test [2.0](image)",
    "create a blue/green copy of [cart](deployment) with version [1.9](image)",
    "run [busybox:1.36](image) as a one-off pod in [dev](namespace)",
    "start a debug pod with nicolaka/netshoot in [prod](namespace)",
    "bring up a staging copy of [auth](deployment)",
    "add a sidecar container to [checkout](deployment)",
    "add a second container running [envoy:v1.30](image) to [api-gateway](deployment)",
    "make a new deployment just like [payments](deployment) but on [v5](image)",
    "deploy the new [search](deployment) service for the first time",
    "create a preview environment for [web](deployment) from the feature branch",
    "fork [worker](deployment) into worker-canary running [1.4.0](image)",
    "roll out an extra copy of [cart](deployment) on tag [2.2](image) beside the current one",
    "i need a parallel deployment of [orders](deployment) using [orders:4.1](image) for testing",
    "could you create [billing-next](deployment) in [payments](namespace) with image "
    "[billing:3.0](image)",
    "deploy a new instance of [redis-cache](deployment) for the ml team",
    "create a job from the [nightly-backup](cronjob) cronjob",
    "create a cronjob that runs every hour in [batch](namespace)",
    "add a new cronjob called [cleanup](cronjob) to [dev](namespace)",
    "run a copy of [checkout](deployment) with version [5.0](image) so we can compare",
    # Manifests, Helm, GitOps.
    "write the yaml for a deployment of [checkout](deployment) with [3](replicas) replicas",
    "generate a helm chart for [billing](deployment)",
    "give me a manifest for [redis](deployment)",
    "helm install [grafana](deployment) in [monitoring](namespace)",
    "helm rollback my release to the previous chart",
    "template out the chart for [auth](deployment)",
    "write a kustomize overlay for [prod](namespace)",
    "convert this docker-compose file to kubernetes",
    "sync the argocd app for [web-frontend](deployment)",
    "open a pr that bumps [checkout](deployment) to [1.5](image) in the gitops repo",
    # Policy, network and configuration changes.
    "allow traffic from [web](deployment) to [payments](deployment)",
    "open port 443 on [api-gateway](deployment)",
    "block egress from [checkout](deployment) in [prod](namespace)",
    "add a readiness probe to [auth](deployment)",
    "add an env var LOG_LEVEL=debug to [billing](deployment)",
    "change the configmap of [web-frontend](deployment) in [staging](namespace)",
    "add a toleration to [worker](deployment)",
    "pin [cart](deployment) to the highmem nodes with a node selector",
    "add a pod disruption budget for [checkout](deployment)",
    "label [node-3](node) with gpu=true", "taint [worker-2](node) with dedicated=batch",
    "enforce the restricted pod security level in [prod](namespace)",
    "add a resource quota to [team-a](namespace)", "set a limit range in [dev](namespace)",
    "add an annotation to [payments](deployment)",
    "mount the secret db-creds into [orders](deployment)",
    "switch [checkout](deployment) to use the new database url",
    "turn on debug logging for [auth](deployment)",
    "change the liveness probe timeout of [search](deployment) to 10s",
    "update the network policy so [cart](deployment) can reach redis",
    # Namespaces, secrets, access.
    "make a new namespace for the ml team", "create namespace [perf-test](namespace)",
    "rename namespace [qa](namespace)",
    "create a secret with the stripe key in [payments](namespace)",
    "rotate the tls secret for [web](deployment)",
    "decode the secret api-token in [prod](namespace)",
    "give bob read access to [staging](namespace)",
    "bind the view role to the ci service account in [dev](namespace)",
    "who has admin in [prod](namespace)", "create a service account for the deploy bot",
    "add my ssh key to [worker-4](node)",
    # General Kubernetes questions.
    "what is a deployment", "how does a readiness probe work",
    "what's the difference between requests and limits", "explain crashloopbackoff to me",
    "what does oomkilled mean", "how do rolling updates work", "what is a daemonset",
    "how do i write a liveness probe", "what's the default restart policy of a pod",
    "how many pods can a node run", "what's a sidecar container",
    "how does the hpa decide when to scale", "what is a namespace for",
    "why would a pod be stuck in pending in general", "what does cordoning a node do",
    "is it better to use a statefulset or a deployment for redis",
    "what's the kubectl command to get pods", "how do i roll back a helm release",
    # Statements and chit-chat with no request.
    "fyi i restarted [checkout](deployment) by hand an hour ago",
    "just a heads up, [billing](deployment) gets scaled down tonight by the batch team",
    "i already rolled back [cart](deployment) myself",
    "thanks, that fixed it!", "great job bot", "morning all, coffee anyone?",
    "the incident is resolved, thanks everyone", "i'll write the postmortem tomorrow",
    "lol that was scary", "ok cool", "nice, the graphs look normal again",
    "[checkout](deployment) is back to normal now, thanks", "brb, lunch",
)


# General questions and creation requests, as frames x topics: the model must learn the
# *shape* ("how do X differ from Y", "which command shows X", "create an X for Y with
# numbers"), not a list of sentences. Each frame is paired with a few topics (a stride
# through the list), so every topic and every frame is seen without a full cross product.
_QUESTION_FRAMES: tuple[str, ...] = (
    "how do {a} differ from {b}?", "what's the difference between {a} and {b}?",
    "is it better to use {a} or {b}?", "what is the best practice for {a}?",
    "should we use {a} at all?", "when would you recommend {a}?", "can you explain {a}?",
    "how do {a} work under the hood?", "what are {a} good for?",
    "in general, what do people do about {a} on latency sensitive services?",
    "i keep hearing about {a}, are they worth it?", "any guidance on {a} for java services?",
    "what's a sensible default for {a}?", "do we even need {a} in dev clusters?",
    "why do some teams avoid {a}?",
)
_QUESTION_TOPICS: tuple[str, ...] = (
    "liveness probes", "startup probes", "readiness gates", "cpu limits", "memory limits",
    "cpu requests", "pod disruption budgets", "horizontal pod autoscalers", "node affinity",
    "taints and tolerations", "init containers", "sidecar containers", "statefulsets",
    "daemonsets", "rolling updates", "blue/green deployments", "network policies",
    "resource quotas", "priority classes", "pod security standards", "image pull policies",
    "ephemeral containers", "topology spread constraints", "vertical pod autoscalers",
    "requests and limits", "immutable image tags", "cronjob concurrency policies",
    "headless services", "service meshes", "operators",
)
_COMMAND_FRAMES: tuple[str, ...] = (
    "which kubectl command shows {c}?", "what's the kubectl command for {c}?",
    "how would i look up {c} myself with kubectl?", "remind me how to get {c} from the cli",
    "what flag does kubectl need to print {c}?", "is there a kubectl plugin for {c}?",
)
_COMMAND_TOPICS: tuple[str, ...] = (
    "the revisions of a daemonset", "the events of a namespace",
    "the logs of a previous container", "which node a pod runs on",
    "the images every pod runs", "pods that are not ready", "the status of a rollout",
    "resource usage per container", "the cronjobs of a namespace", "cordoned nodes",
)
_VERSION_QUESTIONS: tuple[str, ...] = (
    "is kubernetes {v} still supported on {p}?", "when does {p} drop support for {v}?",
    "does {p} already offer kubernetes {v}?", "what changed in kubernetes {v}?",
    "is it safe to upgrade to {v} yet?",
)
_CREATE_VERBS: tuple[str, ...] = (
    "create", "set up", "add", "provision", "make", "configure", "spin up", "please create",
    "can you set up", "i need", "could you add", "we need", "go ahead and create",
)
_CREATE_OBJECTS: tuple[str, ...] = (
    "an hpa for [checkout](deployment) in [shop](namespace), min 2 max 10",
    "a horizontal autoscaler on [search](deployment) between 3 and 12 pods",
    "a persistent volume claim of 50Gi for [kafka-0](pod)",
    "a 100Gi volume for [postgres](deployment) in [data](namespace)",
    "a new namespace called team-sandbox with a quota of 8 cpus and 32Gi",
    "a resource quota of 20 cpu and 64Gi memory on [analytics](namespace)",
    "an ingress for [web](deployment) on shop.example.com",
    "a service of type loadbalancer for [api](deployment) on port 443",
    "a configmap with the feature flags for [orders](deployment)",
    "a secret holding the smtp password in [comms](namespace)",
    "a network policy so only [web](deployment) can reach [payments](deployment)",
    "a redis instance with 2Gi of memory next to [cart](deployment)",
    "a second replica set of [billing](deployment) on image [billing:2.0](image)",
    "a cronjob in [batch](namespace) that runs the cleanup every night at 2",
    "a service account with edit rights on [staging](namespace) for the ci",
    "a priority class for the critical workloads in [prod](namespace)",
    "a limit range with 500m cpu and 1Gi memory defaults in [dev](namespace)",
    "a pod disruption budget of 2 for [auth](deployment)",
    "a debug pod with 4 cpus in [ml](namespace)",
    "a new node pool with 3 gpu nodes",
)
_HELM_CREATES: tuple[str, ...] = (
    "helm upgrade --install [search](deployment) ./charts/search -n [discovery](namespace)",
    "helm install bitnami/postgresql --version 15.2.0 -n [data](namespace)",
    "helm upgrade --install [cart](deployment) oci://registry.acme.io/charts/cart "
    "--set image.tag=[3.4.1](image)",
    "please helm install ingress-nginx with 2 replicas in [edge](namespace)",
    "helm install the kafka chart with 3 brokers and 100Gi disks in [streaming](namespace)",
    "kubectl create deployment [probe](deployment) --image=[busybox:1.36](image) "
    "--replicas=2",
    "kubectl autoscale deployment [web](deployment) --min=2 --max=10 -n [prod](namespace)",
    "kubectl create namespace [perf](namespace)",
    "kubectl create quota team-q --hard=cpu=10,memory=20Gi -n [dev](namespace)",
)


def _paired(frames: tuple[str, ...], topics: tuple[str, ...], per_frame: int,
            field: str, second: str | None = None) -> tuple[str, ...]:
    out = []
    for i, frame in enumerate(frames):
        for j in range(per_frame):
            k = (i * 7 + j * 3) % len(topics)
            values = {field: topics[k]}
            if second is not None:
                values[second] = topics[(k + 5) % len(topics)]
            out.append(frame.format(**values))
    return tuple(dict.fromkeys(out))


OOS_GENERATED: tuple[str, ...] = (
    *_paired(_QUESTION_FRAMES, _QUESTION_TOPICS, 4, "a", "b"),
    *_paired(_COMMAND_FRAMES, _COMMAND_TOPICS, 3, "c"),
    *(frame.format(v=v, p=p) for frame in _VERSION_QUESTIONS
      for v, p in (("1.29", "eks"), ("1.31", "aks"), ("1.28", "openshift"))),
    *(f"{verb} {_CREATE_OBJECTS[(i * 3 + j) % len(_CREATE_OBJECTS)]}"
      for i, verb in enumerate(_CREATE_VERBS) for j in range(3)),
    *_HELM_CREATES,
)
