"""Identity and access policy as data: who is who in the cluster, who may ask and approve."""

from chatops.policy.rules import Policy, PolicyError, Requester, load_policy

__all__ = ["Policy", "PolicyError", "Requester", "load_policy"]
