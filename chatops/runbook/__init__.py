"""The runbook engine: schema, typed slots, verb set, catalogue loading and rendering.

It imports neither Slack nor Kubernetes: a runbook is data, rendered into a `Plan`.
"""
