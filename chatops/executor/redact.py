"""Secret redaction for text that leaves the executor (log lines, event messages).

Pod logs and event messages are written by applications, and applications print secrets:
connection strings, bearer tokens, cloud keys. Everything the executor returns as free text
goes through `redact` first, so a diagnosis posted to Slack never leaks one.
"""

from __future__ import annotations

import re

MASK = "[REDACTED]"

# Order matters: whole private-key blocks and JWTs go before the generic key=value rule, so
# the generic rule does not leave half a token behind.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?"
                r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)", re.DOTALL),
     "[REDACTED PRIVATE KEY]"),
    # A JWT is three base64url segments, the first two starting with `eyJ` ('{"' encoded).
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), MASK),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), rf"\1 {MASK}"),
    # user:password@host in any URL scheme (postgres://, https://, amqp://, redis://).
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]+):[^\s@/]+@"), rf"\1:{MASK}@"),
    # AWS access key ids have a fixed prefix and length.
    (re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"), MASK),
    # AWS secret access keys: 40 base64 characters, recognised by the name next to them.
    (re.compile(r"(?i)(aws_?secret_?(?:access_?)?key\s*[=:]\s*[\"']?)[A-Za-z0-9/+=]{40}"),
     rf"\1{MASK}"),
    # Long-lived provider tokens with recognisable prefixes (GitHub, Slack).
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9-]{10,})"), MASK),
    # key=value / key: value pairs whose key names a secret; quoted values are masked whole.
    (re.compile(
        r"(?i)\b([\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key"
        r"|private[_-]?key|client[_-]?secret|credentials?)[\w.-]*"
        r"[\"']?\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;&\"'}]+)"),
     rf"\1{MASK}"),
)


# Every pattern above needs one of these substrings to match; most log lines and event
# messages contain none, and one search is much cheaper than nine substitutions.
_HINT = re.compile(
    r"(?i)bearer|basic|://|eyJ|PRIVATE KEY|passw|pwd|secret|token|key|credential"
    r"|gh[pousr]_|xox[abprs]-|AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA")


def redact(text: str) -> str:
    """Return `text` with bearer tokens, URL passwords, AWS keys, JWTs, private keys and
    `password=`/`token=` style values replaced by a marker."""
    if not _HINT.search(text):
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_lines(lines: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Redact each line; a private key split over lines is masked from its BEGIN line on."""
    out: list[str] = []
    in_key = False
    for line in lines:
        if in_key:
            if re.search(r"-----END [A-Z0-9 ]*PRIVATE KEY", line):
                in_key = False
            out.append(MASK)
            continue
        if re.search(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY", line) and "-----END" not in line:
            in_key = True
        out.append(redact(line))
    return tuple(out)
