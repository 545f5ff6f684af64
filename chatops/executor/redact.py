"""Secret redaction for text that leaves the executor (log lines, event messages).

Pod logs and event messages are written by applications, and applications print secrets:
connection strings, bearer tokens, cloud keys. Everything the executor returns as free text
goes through `redact` first, so a diagnosis posted to Slack never leaks one.

The rule families follow gitleaks' default rule set (`config/gitleaks.toml` in
github.com/gitleaks/gitleaks; each rule below names the gitleaks rule ids it is modelled on),
with two differences that suit chat: a secret-named key masks its value whatever the value
looks like (a short password is still a password), and the structure around a secret
(header name, scheme, key, quotes, URL host) is kept so the line still reads. Azure storage
connection strings are not in gitleaks' default set; that rule follows Yelp/detect-secrets'
`AzureStorageKeyDetector`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

MASK = "[REDACTED]"

_Replacement = str | Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class _Rule:
    name: str
    """The family, with the gitleaks rule ids it follows."""
    pattern: re.Pattern[str]
    replacement: _Replacement


# Words that follow "password:" or "token:" in prose, not secrets ("token: expired",
# "DB_PASSWORD is not set", "failed to read secret: permission denied"). The word must be
# the whole value: whitespace, a value terminator or the end follows it, perhaps after one
# `.`, `:` or `)` ("token: expired.", `"password": null,`), so `the-Pr0d-pass!` and
# `no-one-knows-42` are values, not prose.
_PROSE = (r"(?!(?:is|are|was|were|be|been|not|no|none|null|nil|undefined|missing|empty|unset"
          r"|required|invalid|expired|revoked|true|false|yes|enabled|disabled|set|changed|reset"
          r"|updated|rotated|found|ok|failed|provided|present|permission|access|denied"
          r"|forbidden|unauthorized|error|timeout|timed|unable|cannot|could|the|a|an|for|from"
          r"|to|in|of|and|or|with|must|should|will|has|have|needs|env|environment"
          r"|variable|context|connection|dial|eof|unexpected|unknown|x509|incorrect|wrong"
          r"|mismatch|malformed|too|already)(?=[.:)]?(?:[\s,;&\"'`}\\]|$)))")

# Keys whose last part says the value is about a secret, not the secret itself
# (`secretName: db-creds`, `api_key_file=/etc/keys/api`, `token_url=https://...`);
# gitleaks' generic-api-key allowlist has the same idea. Not `id`: Vault's `secret_id` is
# a credential.
_NOT_A_VALUE = frozenset({
    "name", "names", "ref", "file", "path", "dir", "url", "uri", "endpoint", "length", "len",
    "size", "ttl", "type", "kind", "version", "count", "expiry", "expires", "expiration",
    "seconds", "mount", "env", "policy", "format",
})
_KEY_PARTS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z0-9]+(?![a-z])")


def _names_a_value(key: str) -> bool:
    """False for keys like `secretName` or `TOKEN_FILE` whose value is not the secret."""
    parts = _KEY_PARTS.findall(key)
    return not parts or parts[-1].lower() not in _NOT_A_VALUE


# A key that names a secret (gitleaks generic-api-key, database-password): password, pass,
# passwd, pwd, secret, token, api key, access key, private key, credentials, auth; with
# prefixes and suffixes (DB_PASSWORD, client_secret, x-auth-token, apiKey). `pass`, `pwd`
# and `auth` must stand alone so `bypass`, `author` and `authentication` do not match.
# Quantifiers are bounded, and the key's tail is possessive (`{0,30}+`: a separator must
# follow it, so giving characters back never helps), to keep long lines linear.
_SENSITIVE_KEY = (r"[\w.-]{0,40}?(?:passw(?:or)?d|passphrase|secret|token|api[_.-]?key"
               r"|access[_.-]?key|private[_.-]?key|credentials?"
               r"|(?<![a-z])(?:pass|pwd|auth)(?![a-z]))[\w.-]{0,30}+")
_MASKED = re.escape(MASK)
# Separators, with their Unicode lookalikes (full-width `：` and `＝`, small `﹕` and `﹦`,
# ratio `∶`, modifier-letter colon `꞉`): a log in CJK text writes `PASSWORD：hunter2`.
_COLON = "[:\uff1a\ufe55\u2236\ua789]"
_EQUALS = "[=\uff1d\ufe66]"
_COLON_OR_EQUALS = rf"(?:{_COLON}|{_EQUALS})"
_SEP = rf"(?:{_EQUALS}>|{_COLON}{_EQUALS}|{_EQUALS}|{_COLON})"
# A quoted value; a backslash escapes the next character, so `"has \"quote\" inside"` is one
# value. The plain forms after it catch a value that ends in a lone backslash.
_QUOTED = (r"\\\"(?:(?!\\\").){0,200}\\\"|\"(?:[^\"\\\n]|\\.){0,200}\"|\"[^\"\n]{0,200}\""
           r"|'(?:[^'\\\n]|\\.){0,200}'|'[^'\n]{0,200}'")
# A bare word; an apostrophe inside a word (`don't`) is part of it, a closing quote is not.
_WORD = rf"{_PROSE}(?:[^\s,;&\"'`}}\\]|'(?=\w))+"
# After `key: ` an unquoted value runs to the end of the line (`passphrase: correct horse
# battery staple`), but not past a closing quote, backslash or brace, into trailing blanks,
# into a next `name=` or `name: ` pair (`password: hunter2, host=db`), or past a `: ` (the
# next link of a Go error chain). Each step looks ahead a bounded distance: linear time.
_NEXT_PAIR = r"[\w.-]{1,40}+(?:=|:\s)"
_LINE = (rf"{_PROSE}[^\s\"'`}}\\:,;](?:[^\s\"'`}}\\:,;]|'(?=\w)|:(?!\s|$)"
         rf"|[,;](?![ \t]*+(?:{_NEXT_PAIR}|[\s\"'`}}\\]|$))"
         rf"|[ \t]++(?!{_NEXT_PAIR})(?=[^\s\"'`}}\\:])){{0,200}}+")
# A value: already masked, escaped-quoted (JSON inside a string), quoted, or a bare word.
_VALUE = rf"(?:{_MASKED}|{_QUOTED}|{_WORD})"


def _keep_quotes(value: str) -> str:
    """MASK in place of `value`, inside the same quotes."""
    for quote in ('\\"', '"', "'"):
        if len(value) >= 2 * len(quote) and value.startswith(quote) and value.endswith(quote):
            return f"{quote}{MASK}{quote}"
    return MASK


def _mask_value(match: re.Match[str]) -> str:
    return match["head"] + _keep_quotes(match["value"])


def _mask_keyed(match: re.Match[str]) -> str:
    if not _names_a_value(match["key"]):
        return match[0]
    return _mask_value(match)


def _mask_wordy(match: re.Match[str]) -> str:
    """Mask a quoted value, or a bare one with a letter and a non-letter in it: after a
    lower-case name and a blank, a plain word or a count is prose (`session_token expires`,
    `max_tokens 4096`)."""
    value = match["value"]
    if value != MASK and value[0] not in "\"'\\":
        bare = value.rstrip(".,:;)")
        if not (any(c.isalpha() for c in bare) and not bare.isalpha()):
            return match[0]
    return _mask_keyed(match)


def _entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _mask_random(match: re.Match[str]) -> str:
    """Mask the value only if it looks random: long, letters and digits, high entropy."""
    value = match["value"].strip("\"'")
    looks_random = (len(value) >= 16 and any(c.isdigit() for c in value)
                    and any(c.isalpha() for c in value) and _entropy(value) >= 3.5)
    if not looks_random or not _names_a_value(match["key"]):
        return match[0]
    return match["head"] + _keep_quotes(match["value"])


# Schemes whose credentials are several comma-separated parameters: mask to the line end.
_MULTI_PARAM = r"(?:digest|oauth|aws4-hmac-sha256|signature|hoba|mutual|vapid)"
_SCHEMES = (r"(?:bearer|basic|token|apikey|api-key|key|sso-key|negotiate|ntlm|jwt|bot"
            r"|splunk|pat|dpop)")


def _mask_authorization(match: re.Match[str]) -> str:
    head = match["name"] + match["sep"]
    if match["multi"]:
        return f"{head}{match['multi']} {MASK}"
    # An unknown scheme word is masked with the credential: it might be the credential.
    scheme = f"{match['scheme']} " if match["scheme"] else ""
    return f"{head}{scheme}{MASK}"


def _mask_cookie(match: re.Match[str]) -> str:
    value = match["value"]
    if "=" not in value:
        # A bare value is the cookie itself, unless it is prose ("cookie: missing").
        prose = re.match(_PROSE, value, re.IGNORECASE) is None
        return match[0] if prose else match["name"] + match["sep"] + MASK
    pairs = r"(^|;\s*)([^=;\s]+)=([^;]*)"
    if match["name"].lower() == "set-cookie":
        # Only the first pair is the cookie; the rest are attributes (Path, Expires).
        masked = re.sub(pairs, rf"\1\2={MASK}", value, count=1)
    else:
        masked = re.sub(pairs, rf"\1\2={MASK}", value)
    return match["name"] + match["sep"] + masked


def _rule(name: str, pattern: str, replacement: _Replacement, flags: int = 0) -> _Rule:
    return _Rule(name, re.compile(pattern, flags), replacement)


# Order matters: whole private-key blocks, JWTs and provider tokens go before the key=value
# rules, so a key=value rule does not leave half a token behind, and the header rules go
# before key=value so `Authorization: Bearer x` keeps its scheme word.
_RULES: tuple[_Rule, ...] = (
    _rule("private key block (private-key)",
          r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----.*?"
          r"(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|$)",
          "[REDACTED PRIVATE KEY]", re.DOTALL),
    # A JWT is three base64url segments, the first two starting with `eyJ` ('{"' encoded).
    _rule("JSON web token (jwt)",
          r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*", MASK),
    _rule("Slack webhook URL (slack-webhook-url)",
          r"(?i)\b(hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9+/_-]{8,}",
          rf"\1{MASK}"),
    _rule("GitHub tokens (github-pat, github-oauth, github-app-token, github-refresh-token,"
          " github-fine-grained-pat)",
          r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{22,})", MASK),
    _rule("GitLab tokens (gitlab-pat, gitlab-runner-authentication-token, gitlab-rrt, ...)",
          r"\b(?:gl(?:pat|dt|rt|ptt|ft|imt|agent|oas|soat|ffct|cbt)-[\w-]{20,}"
          r"|GR1348941[\w-]{20,})", MASK),
    _rule("Slack tokens (slack-bot-token, slack-user-token, slack-app-token,"
          " slack-legacy-*, slack-config-*)",
          r"\b(?:xox[abposre]-[A-Za-z0-9-]{10,}|xoxe\.xox[bp]-[A-Za-z0-9-]{10,}"
          r"|xapp-\d-[A-Za-z0-9-]{10,})", MASK),
    _rule("Stripe keys (stripe-access-token)",
          r"\b(?:(?:sk|rk)_(?:test|live|prod)_|whsec_)[A-Za-z0-9]{10,}", MASK),
    _rule("Google API keys and OAuth (gcp-api-key)",
          r"\b(?:AIza[\w-]{35}|ya29\.[\w-]{20,}|GOCSPX-[\w-]{20,})", MASK),
    _rule("SendGrid (sendgrid-api-token)", r"\bSG\.[\w-]{16,32}\.[\w-]{16,64}", MASK),
    _rule("Twilio (twilio-api-key)", r"\bSK[0-9a-fA-F]{32}\b", MASK),
    _rule("npm (npm-access-token)", r"\bnpm_[A-Za-z0-9]{36}\b", MASK),
    # Legacy OpenAI keys have no dashes after `sk-`, so `sk-learn-worker-...` pod names stay.
    _rule("OpenAI / Anthropic style (openai-api-key, anthropic-api-key)",
          r"\bsk-(?:(?:proj|svcacct|admin|ant-[a-z]+\d*)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{20,}\b)",
          MASK),
    # Vault: `hvs.` service, `hvb.` batch, `hvr.` recovery tokens; before Vault 1.10 a
    # service token was `s.` and 24 letters and digits (gitleaks skips all-letter ones).
    _rule("HashiCorp Vault tokens (vault-service-token, vault-batch-token)",
          r"\b(?:hv[sbr]\.[\w-]{24,300}|s\.(?=[A-Za-z]{0,23}\d)[A-Za-z0-9]{24}\b"
          r"|b\.AAAAAQ[\w-]{24,300})", MASK),
    _rule("DigitalOcean tokens (digitalocean-pat, digitalocean-access-token,"
          " digitalocean-refresh-token)",
          r"\bdo[por]_v1_[a-fA-F0-9]{64}\b", MASK),
    _rule("AWS access key ids (aws-access-token)",
          r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b",
          MASK),
    _rule("Authorization headers (curl-auth-header)",
          rf"(?i)\b(?P<name>(?:proxy-)?authorization)"
          rf"(?P<sep>\\?[\"']?[ \t]*{_COLON_OR_EQUALS}[ \t]*(?:\[(?!REDACTED\]))?\\?[\"']?)"
          rf"(?:(?P<multi>{_MULTI_PARAM})[ \t]+[^\r\n]*"
          rf"|(?:(?P<scheme>{_SCHEMES})[ \t]+|[A-Za-z][\w-]{{0,30}}[ \t]+(?=[^\s\"',;\]\\]{{8}}))?"
          rf"(?:{_MASKED}|[^\s\"',;\]\\]+))",
          _mask_authorization),
    # A bare "Bearer <token>" outside a header; a plain word after it is prose
    # ("Basic authentication failed"), not a credential.
    _rule("bare bearer / basic credentials (curl-auth-header)",
          r"(?i)\b(bearer|basic)[ \t]+"
          r"(?!(?-i:[A-Z]?[a-z]+|[A-Z]+)(?![\w~+/=-]|\.\w))[A-Za-z0-9._~+/=-]{8,}",
          rf"\1 {MASK}"),
    _rule("cookies (gitlab-session-cookie)",
          rf"(?i)\b(?P<name>set-cookie|cookie)"
          rf"(?P<sep>\\?[\"']?[ \t]*{_COLON_OR_EQUALS}[ \t]*\\?[\"']?)"
          r"(?P<value>[^\r\n\"'\\]+)",
          _mask_cookie),
    # user:password@host in any URL scheme (postgres://, https://, amqp://, redis://). An
    # unencoded password may hold `/`, `:` and `@` (`p@ss:w/rd`, base64's `/` and `+`), so
    # the password runs to the last `@` before any `?` or `#` (`?email=bob@x` is a query),
    # or, with no `@` before them, to the last `@` of all (`p#ss@host`). An `@` later in a
    # path is masked with it: some path is hidden, no password leaks. The user may hold an
    # `@` (an e-mail address). `host:8443/path@x` is a host, a port and a path: a password
    # does not start with up to five digits and a `/`, `?` or `#`.
    _rule("URL userinfo (generic-api-key, sidekiq-sensitive-url)",
          r"(?i)\b([a-z][a-z0-9+.-]{0,30}://[^\s:/\"'`<>\\\[\]]{0,200}+)"
          r":(?!\d{1,5}(?:[/?#]|$))(?:[^\s\"'`<>\\?#]{1,200}@|[^\s\"'`<>\\]{1,200}@)",
          rf"\1:{MASK}@"),
    _rule("URL query parameters (generic-api-key)",
          rf"(?i)(?P<head>[?&](?P<key>{_SENSITIVE_KEY}|key|sig|signature|session|sessionid"
          rf"|jwt)=)(?P<value>[^&#\s\"'<>]+)",
          _mask_keyed),
    _rule("Azure storage connection strings (detect-secrets AzureStorageKeyDetector)",
          r"(?i)\b((?:AccountKey|SharedAccessKey|SharedAccessSignature)=)[^;\s\"']+",
          rf"\1{MASK}"),
    # key=value, key: value, "key": "value", key := value, key => value.
    # After `key: ` (a colon and a blank, as YAML and most config dumps write it) an
    # unquoted value is the rest of the line; after `=` or a bare `:` it is one word.
    _rule("secret-named keys (generic-api-key, database-password)",
          rf"(?i)(?P<head>(?<![\w.-])(?P<key>{_SENSITIVE_KEY})\\?[\"']?[ \t]*"
          rf"(?:(?P<spaced>{_COLON})[ \t]+|{_SEP}[ \t]*))"
          rf"(?P<value>{_MASKED}|{_QUOTED}|(?(spaced){_LINE}|{_WORD}))",
          _mask_keyed),
    _rule("command-line flags (generic-api-key)",
          rf"(?i)(?P<head>(?<![\w-])--(?P<key>{_SENSITIVE_KEY})[ \t]+)(?P<value>{_VALUE})",
          _mask_keyed),
    # MYSQL_ROOT_PASSWORD hunter2: env dumps and `env | sort` output without `=`.
    _rule("ENV-style NAME value (generic-api-key)",
          r"(?P<head>\b(?P<key>(?=[A-Z0-9]*_)[A-Z0-9_]{0,40}(?:PASSWORD|PASSWD|SECRET|TOKEN"
          r"|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)[A-Z0-9_]{0,30}+)[ \t]+)"
          rf"(?P<value>{_VALUE})",
          _mask_keyed),
    # aws_secret_access_key wJalr...: a lower-case snake_case name, blanks, a value. In
    # lower case this is also prose (`session_token expires`), so `_mask_wordy` keeps a plain
    # word or a number.
    _rule("snake_case name value (generic-api-key, aws-secret-access-key)",
          rf"(?i)(?P<head>(?<![\w.-])(?P<key>(?=\w{{0,70}}_){_SENSITIVE_KEY})[ \t]+)"
          rf"(?P<value>{_VALUE})",
          _mask_wordy),
    # Short password flags of database and ssh clients: `mysql -psecret` / `-p'secret'`
    # (attached only: `mysql -p db` prompts), `mongosh -p secret`, `sshpass -p secret`,
    # `redis-cli -a secret`. Elsewhere `-p` is a port or `--parents`, so the command is
    # required on the same line, before any `|`, `;` or `&`.
    _rule("database and ssh client password flags (generic-api-key)",
          rf"(?P<head>\b(?:(?:mysql|mariadb)[\w-]{{0,12}}\b[^\n|;&]{{0,200}}?[ \t]-p"
          rf"|(?:mongo|mongosh|sshpass)\b[^\n|;&]{{0,200}}?[ \t]-p[ \t]*"
          rf"|redis-cli\b[^\n|;&]{{0,200}}?[ \t]-a[ \t]*))"
          rf"(?P<value>{_MASKED}|{_QUOTED}|[^\s;&|\"'`]+)",
          _mask_value),
    # Names too common to always mask (`key`, `signing_key`, `hmac`): only a random-looking
    # value is masked, as gitleaks' generic-api-key does with its entropy threshold.
    _rule("high-entropy value next to a key-like name (generic-api-key)",
          r"(?i)(?P<head>(?<![\w.-])(?P<key>[\w.-]{0,40}?(?:key|hmac|salt|sig|session|cookie)"
          rf"[\w.-]{{0,30}}+)\\?[\"']?[ \t]*{_SEP}[ \t]*)"
          r"(?P<value>\"[^\"\n]{16,200}\"|'[^'\n]{16,200}'|[A-Za-z0-9+/=_.~-]{16,200})",
          _mask_random),
)


# Every rule above needs one of these substrings to match; most log lines and event
# messages contain none, and one search is much cheaper than twenty substitutions.
# tests/security/test_redaction.py checks that every family's sample passes it.
_HINT = re.compile(
    r"(?i:bearer|basic|auth|cookie|://|PRIVATE KEY|pass|pwd|secret|token|key|credential"
    r"|sig|hmac|salt|session|jwt|gh[pousr]_|github_pat_|gl[a-z]{1,6}-"
    r"|GR1348941|xox|xapp-|hooks\.slack|sk_|rk_|whsec_|sk-|ya29\.|GOCSPX-|npm_|hv[sbr]\."
    r"|do[por]_v1_|mysql|mariadb|mongo|redis-cli)"
    r"|\bs\.[A-Za-z0-9]{24}|b\.AAAAAQ"
    r"|eyJ|AIza|SG\.|SK[0-9a-fA-F]|A3T|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA")


def redact(text: str) -> str:
    """Return `text` with secrets replaced by a marker: auth headers, cookies, URL and
    query credentials, private keys, JWTs, cloud and SaaS tokens, and the values of
    `password=` / `"token": "..."` / `DB_PASSWORD value` style pairs."""
    if not _HINT.search(text):
        return text
    for rule in _RULES:
        text = rule.pattern.sub(rule.replacement, text)
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
