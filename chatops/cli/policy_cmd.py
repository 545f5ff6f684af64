"""`chatops policy validate`: check a policy file before the bot is started with it;
`chatops policy rbac`: the least-privilege RBAC of the bot's service account for it."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import yaml

from chatops.cli.settings_cmd import load_settings
from chatops.model import Identity, ParamValue, Risk
from chatops.policy import Policy, PolicyError, load_policy
from chatops.settings import Settings

if TYPE_CHECKING:
    from chatops.alerts import AlertRules
    from chatops.policy.identity_rbac import IdentityRoles, Request

EXIT_INVALID = 2


def _count(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"


def summary(policy: Policy) -> list[str]:
    """A few lines saying what `policy` allows, for a person to check at a glance."""
    lines = [", ".join((_count(len(policy.people), "identity", "identities"),
                        _count(len(policy.chat_groups), "chat group"),
                        _count(len(policy.channel_namespaces), "channel namespace")))]
    lines.append("channels: " + (", ".join(sorted(policy.channels)) if policy.channels
                                 else "all"))
    for risk in Risk:
        asks = ", ".join(policy.request.get(risk, ())) or "nobody"
        approvers = ", ".join(policy.approve.get(risk, ())) or "nobody"
        needed = policy.approvals_needed(risk)
        own = " (or the requester)" if policy.may_self_approve(risk) else ""
        approval = (f"{_count(needed, 'approval')} by {approvers}{own}" if needed
                    else "no approval needed")
        lines.append(f"{risk.value}: requested by {asks}; {approval}")
    lines.append(f"approvals expire after {policy.expiry.total_seconds() / 60:g} minutes")
    allow = policy.unmapped_allow.value if policy.unmapped_allow else "nothing"
    groups = ", ".join(policy.unmapped_groups) or "no groups"
    lines.append(f"unmapped people: up to {allow}, as {policy.unmapped_user} in {groups}")
    return lines


@click.group()
def policy() -> None:
    """Check the policy file: identities, and who may request and approve what."""


@policy.command(short_help="Check a policy file (exit 2 naming the bad key).")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--alert-rules", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              default=None, help="The alert rules file, for the bot's own identities "
                                 "(default: $CHATOPS_ALERT_RULES, else the packaged rules).")
def validate(file: Path | None, alert_rules: Path | None) -> None:
    """Check the policy FILE (default: $CHATOPS_POLICY, else the active profile's) as
    `chatops serve` would read it.

    Prints `ok` and a summary and exits 0, or prints `FILE: key.path: reason` and exits 2.
    The file is read strictly: unknown or duplicate keys, unknown risk levels or
    principals, and any Kubernetes user or group starting with system: are errors, and so
    is a person (or the unmapped user) acting as the alert rules' diagnostics or preview
    user.
    """
    settings = load_settings(policy_path=file, alert_rules_path=alert_rules)
    path = settings.policy_path
    if path is None:
        click.echo("chatops policy validate: name the policy FILE or set CHATOPS_POLICY "
                   "(`chatops demo` writes a demo policy).", err=True)
        raise SystemExit(EXIT_INVALID)
    try:
        parsed = load_policy(path)
    except PolicyError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(EXIT_INVALID) from exc
    _check_apart(settings, parsed, _alert_rules(settings))
    click.echo(f"ok: {path}")
    for line in summary(parsed):
        click.echo(f"  {line}")


def _alert_rules(settings: Settings) -> AlertRules:
    """The alert rules file `serve` would read."""
    from chatops.alerts import AlertRulesError, load_rules
    from chatops.runbook.catalogue import load_catalogue

    try:
        return load_rules(settings.alert_rules_path, load_catalogue())
    except AlertRulesError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(EXIT_INVALID) from exc


def _check_apart(settings: Settings, parsed: Policy, rules: AlertRules) -> None:
    """Exit 2 when a person may act as one of the bot's own identities."""
    from chatops.cli.wiring import SetupError, check_bot_identities

    try:
        check_bot_identities(settings, parsed, rules)
    except SetupError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(EXIT_INVALID) from exc


def _bot_identities(rules: AlertRules) -> list[Identity]:
    """The alert diagnostics and preview identities, and the identities the automatic rules
    run as (`as:`)."""
    autos = [rule.auto.identity for rule in rules.rules if rule.auto is not None]
    return [rules.identity, rules.preview_identity, *autos]


def executor_requests(verb: str, params: Mapping[str, ParamValue]) -> tuple[Request, ...]:
    """The Kubernetes requests `verb` makes with `params` (the executor's `ACCESS` table)."""
    from chatops.executor.access import ACCESS
    from chatops.executor.registry import Params

    return ACCESS[verb](Params(params))


def identity_roles(rules: AlertRules) -> IdentityRoles:
    """What the packaged runbooks need the diagnostics and preview identities to do."""
    from chatops.policy.identity_rbac import identity_roles as roles_for
    from chatops.runbook.catalogue import load_catalogue

    return roles_for(load_catalogue(), executor_requests, diagnostics=rules.identity,
                     preview=rules.preview_identity)


def default_identity_documents(name: str = "chatops") -> list[dict[str, Any]]:
    """The diagnostics and preview identities' roles for the packaged alert rules and
    runbooks (`chatops demo` and the tests' demo world apply them)."""
    from chatops.alerts import load_rules
    from chatops.policy.rbac import Install, identity_documents
    from chatops.runbook.catalogue import load_catalogue

    roles = identity_roles(load_rules(None, load_catalogue()))
    return identity_documents(roles, Install(name=name))


def _yaml_documents(docs: list[dict[str, Any]]) -> str:
    return "---\n".join(yaml.safe_dump(doc, sort_keys=False) for doc in docs)


@policy.command(short_help="Print the bot's least-privilege RBAC for a policy (YAML).")
@click.option("--policy", "file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              default=None, help="The policy file (default: $CHATOPS_POLICY, else the active "
                                 "profile's; none: the read-only default).")
@click.option("--alert-rules", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              default=None, help="The alert rules file, for the diagnostics and preview "
                                 "identities (default: $CHATOPS_ALERT_RULES, else the packaged "
                                 "rules).")
@click.option("--namespace", default="chatops", show_default=True,
              help="The bot's namespace (its Role, Lease and checkpoint ConfigMap).")
@click.option("--service-account", default="chatops", show_default=True,
              help="The bot's service account, the subject of both bindings.")
@click.option("--name", default=None,
              help="Name of the ClusterRole (NAME-impersonator) and Role (NAME) "
                   "[default: the service account's name].")
@click.option("--lease", default=None, help="The leader-election Lease, as CHATOPS_LEASE_NAME "
              "[default: NAME].")
@click.option("--checkpoint-configmap", default=None,
              help="The audit checkpoint ConfigMap [default: NAME-audit-checkpoint; '' for "
                   "none].")
@click.option("--helm-values", is_flag=True,
              help="Print the Helm chart's rbac values (deploy/helm/chatops) instead.")
def rbac(file: Path | None, alert_rules: Path | None, namespace: str,  # noqa: PLR0917
         service_account: str, name: str | None, lease: str | None,
         checkpoint_configmap: str | None, helm_values: bool) -> None:
    """Print the RBAC the bot's service account needs for the policy, for `kubectl apply -f -`.

    A ClusterRole to impersonate exactly the users and groups the policy maps people to
    and the bot's diagnostics and preview identities (resourceNames; never serviceaccounts
    or system: names), and a Role in NAMESPACE for its Lease and audit checkpoint
    ConfigMap; nothing on workloads for the service account itself. For the bot's own
    identities, from the runbooks: NAME-diagnostics (read-only: get/list/watch on what the
    read runbooks read, pods/log) bound to the diagnostics user, and NAME-preview (the
    change requests the write runbooks' dry runs make, and reads of what they touch) bound
    to the preview user. No wildcards.
    Warnings (e.g. unmapped people who get a user per chat id) go to stderr, and into the
    output as comments.
    """
    from chatops.cli.wiring import SetupError, build_policy
    from chatops.policy.rbac import Install, impersonation, rbac_documents
    from chatops.policy.rbac import helm_values as values_for

    settings = load_settings(policy_path=file, alert_rules_path=alert_rules)
    try:
        parsed = build_policy(settings)
    except SetupError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(EXIT_INVALID) from exc
    rules = _alert_rules(settings)
    _check_apart(settings, parsed, rules)
    imp = impersonation(parsed, _bot_identities(rules))
    roles = identity_roles(rules)
    name = name or service_account
    install = Install(namespace=namespace, service_account=service_account, name=name,
                      lease=lease or name,
                      checkpoint_configmap=(f"{name}-audit-checkpoint"
                                            if checkpoint_configmap is None
                                            else checkpoint_configmap or None))
    source = settings.policy_path or "the read-only default policy (no CHATOPS_POLICY)"
    click.echo(f"# Rendered by `chatops policy rbac` from {source}.")
    for warning in imp.warnings:
        click.echo(f"chatops policy rbac: warning: {warning}", err=True)
        for line in textwrap.wrap(f"WARNING: {warning}", 96):
            click.echo(f"# {line}")
    if helm_values:
        click.echo(yaml.safe_dump(values_for(imp, roles), sort_keys=False), nl=False)
        return
    click.echo(_yaml_documents(rbac_documents(imp, install, roles)), nl=False)
