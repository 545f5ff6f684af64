"""Tests of the deployment artefacts: the Helm chart, rendered and applied to the sandbox."""
