"""The demo world: workloads to seed a sandbox with, and the policy that goes with them."""

from chatops.demo.world import DEMO_POLICY, demo_documents, demo_namespaces

__all__ = ["DEMO_POLICY", "demo_documents", "demo_namespaces"]
