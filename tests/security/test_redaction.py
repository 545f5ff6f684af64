"""Secret redaction, family by family (security issue item 8).

Each positive case is one family of secret that applications print into pod logs and
event messages; the families follow gitleaks' default rules (`config/gitleaks.toml`). The
negative cases are ordinary log lines that must stay readable.

Provider tokens are assembled from pieces (`"sk" + "_live_"`) so that secret scanners run
over this repository do not flag the test data; all values are made up.
"""

from __future__ import annotations

import time

import pytest

from chatops.executor.redact import _HINT, _RULES, MASK, redact, redact_lines

HEX32 = "8f14e45fceea167a5a36dedd4bea2543"
ALNUM36 = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
JWT = ("eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ."
       "c2lnbmF0dXJlLXBhcnQtaGVyZQ")
PEM = ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nIBAAKCAQEAx9f\n"
       "-----END RSA PRIVATE KEY-----")
OPENSSH = ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
           "-----END OPENSSH PRIVATE KEY-----")
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SLACK_HOOK = "T0AAAAAAA/B0BBBBBBBBB/" + "XxXxXxXxXxXxXxXxXxXxXxXx"
GOOGLE = "AI" + "zaSyD-fake0123456789abcdefghijklmnopq"
SENDGRID = "SG" + ".ngeVfQFYQlKU0ufo8x5d1A.TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr"
TWILIO = "S" + "K" + HEX32
NPM = "npm" + "_" + ALNUM36
OPENAI = "sk" + "-" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56"
OPENAI_PROJ = "sk" + "-proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12_Mn34-Op56Qr78St90"
VAULT_SERVICE = "hv" + "s." + "CAESIJlU9JMYEhOPYv4KEYNZpiq2uPYWGEhJ9pTtmVJjNNxaGh4KHGh2cy5TVkRwTXZ1QnBRN2VKN3d6cXhUOGFaRTY"
VAULT_BATCH = "hv" + "b." + "AAAAAQKHnX4dGgPH9qZET46oNtlwTvIwXxHGqGICBaBRw753XG_5m_QHssZCoh13sj4uKisGCSOEWIgeyemg5o0LPMKbi5c13GJ0CEKsm7Ds6vxqguAN_5ir-DRC3uACdavCoHRCSr9p-Sv8cf2hMQ"
VAULT_LEGACY = "s" + "." + "Qm9vZ2llV29vZ2llMTIzNDU2"
DO_HEX64 = HEX32 + HEX32[::-1]
AZURE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

# (family, text, what must disappear)
POSITIVES: list[tuple[str, str, tuple[str, ...]]] = [
    # HTTP auth headers
    ("auth-bearer", "GET /api Authorization: Bearer abcdef0123456789abcdef",
     ("abcdef0123456789abcdef",)),
    ("auth-basic", "Authorization: Basic dXNlcjpwYXNzd29yZA==", ("dXNlcjpwYXNzd29yZA==",)),
    ("auth-token", "Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
     ("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",)),
    ("auth-digest", 'Authorization: Digest username="bob", realm="api", nonce="dcd98b71", '
                    'response="6629fae49393a05397450978507c4ef1"',
     ("6629fae49393a05397450978507c4ef1", "dcd98b71")),
    ("auth-any-scheme", "authorization=s3cr3t-opaque-value", ("s3cr3t-opaque-value",)),
    ("auth-unknown-scheme", "Authorization: Custom abc123xyz", ("abc123xyz",)),
    ("auth-json", '{"headers": {"Authorization": "Bearer abcdef0123456789"}}',
     ("abcdef0123456789",)),
    ("proxy-auth", "Proxy-Authorization: Basic Ym9iOmh1bnRlcjI=", ("Ym9iOmh1bnRlcjI=",)),
    ("bearer-bare", "calling upstream with bearer Zm9vYmFyYmF6cXV4MTIz", ("Zm9vYmFyYmF6cXV4MTIz",)),
    ("x-api-key", "X-Api-Key: 4f3c2b1a0d9e8f7a6b5c", ("4f3c2b1a0d9e8f7a6b5c",)),
    ("x-auth-token", "x-auth-token: a1b2c3d4e5f6a7b8", ("a1b2c3d4e5f6a7b8",)),
    ("private-token", "Private-Token: q8ZfWm2rT9", ("q8ZfWm2rT9",)),
    # cookies
    ("cookie", "Cookie: session=8c6976e5b5410415bde9; theme=dark", ("8c6976e5b5410415bde9",)),
    ("set-cookie", "Set-Cookie: sessionid=38afes7a8; Path=/; HttpOnly", ("38afes7a8",)),
    # key=value, key: value and JSON pairs whose key names a secret
    ("kv-password", "password=hunter2 user=bob", ("hunter2",)),
    ("kv-pass", "login ok pass=hunter2", ("hunter2",)),
    ("kv-passwd", "passwd: hunter2", ("hunter2",)),
    ("kv-pwd", "PWD=hunter2", ("hunter2",)),
    ("kv-prefixed", "DB_PASSWORD: letmein", ("letmein",)),
    ("kv-secret", "webhook_secret=whk99", ("whk99",)),
    ("kv-token", "token=abc123", ("abc123",)),
    ("kv-api-key", "apiKey: 'k-123'", ("k-123",)),
    ("kv-access-key", "access_key=AbCdEf123", ("AbCdEf123",)),
    ("kv-private-key", "private_key=Zm9vYmFy", ("Zm9vYmFy",)),
    ("kv-client-secret", "client_secret='abc123'", ("abc123",)),
    ("kv-credentials", "credentials=dXNlcjpwYXNz", ("dXNlcjpwYXNz",)),
    ("kv-auth", "auth=Zm9vOmJhcg", ("Zm9vOmJhcg",)),
    ("kv-json", '{"password": "p@ss w0rd"}', ("p@ss w0rd",)),
    ("kv-json-camel", '{"clientSecret":"abc123xyz"}', ("abc123xyz",)),
    ("kv-json-escaped", r'msg="{\"password\":\"hunter2\"}"', ("hunter2",)),
    ("kv-go", 'password := "hunter2"', ("hunter2",)),
    ("kv-ruby", "password => 'hunter2'", ("hunter2",)),
    ("kv-cli-flag", "exec mysql --user=root --password hunter2 shop", ("hunter2",)),
    # ENV-style NAME value / NAME=value
    ("env-space", "MYSQL_ROOT_PASSWORD hunter2", ("hunter2",)),
    ("env-tab", f"AWS_SECRET_ACCESS_KEY\t{AWS_SECRET}", (AWS_SECRET,)),
    ("env-token", "GITLAB_TOKEN qwerty12345", ("qwerty12345",)),
    ("env-apikey", "SENDGRID_APIKEY xyz987", ("xyz987",)),
    ("env-export", "export REDIS_PASSWORD=s3cret", ("s3cret",)),
    ("env-quoted", 'APP_SECRET_KEY "two words"', ("two words",)),
    # URLs
    ("url-userinfo", "connecting to postgres://app:s3cr3tP4ss@db:5432/shop", ("s3cr3tP4ss",)),
    ("url-userinfo-no-user", "redis://:hunter2@redis:6379/0", ("hunter2",)),
    ("url-query", "GET /cb?token=abc123&api_key=def456&page=2 200", ("abc123", "def456")),
    ("url-query-key", "https://maps.example/api?key=Zx81kqP0a9&q=x", ("Zx81kqP0a9",)),
    ("url-query-sig", "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=Ab3dEf%2Bgh",
     ("Ab3dEf%2Bgh",)),
    # private keys and JWTs
    ("private-key", f"loaded {PEM}", ("MIIEowIBAAKCAQEA7", "IBAAKCAQEAx9f")),
    ("private-key-openssh", OPENSSH, ("b3BlbnNzaC1rZXktdjEAAAAA",)),
    ("jwt", f"token {JWT} rejected", (JWT,)),
    # AWS
    ("aws-access-key-id", "using key AKIAIOSFODNN7EXAMPLE for s3", ("AKIAIOSFODNN7EXAMPLE",)),
    ("aws-session-key-id", "creds ASIAY34FZKBOKMUTVV7A expired", ("ASIAY34FZKBOKMUTVV7A",)),
    ("aws-secret-key", f"aws_secret_access_key={AWS_SECRET}", (AWS_SECRET,)),
    ("aws-secret-json", f'{{"SecretAccessKey": "{AWS_SECRET}"}}', (AWS_SECRET,)),
    # GitHub
    ("github-pat", f"cloning with {'gh' + 'p_' + ALNUM36}", ("gh" + "p_" + ALNUM36,)),
    ("github-oauth", f"oauth {'gh' + 'o_' + ALNUM36}", ("gh" + "o_" + ALNUM36,)),
    ("github-user-to-server", f"{'gh' + 'u_' + ALNUM36}", ("gh" + "u_" + ALNUM36,)),
    ("github-app", f"https://x-access-token:{'gh' + 's_' + ALNUM36}@github.com/o/r",
     ("gh" + "s_" + ALNUM36,)),
    ("github-refresh", f"refresh {'gh' + 'r_' + ALNUM36}", ("gh" + "r_" + ALNUM36,)),
    ("github-fine-grained", "pat github" + "_pat_11ABCDEFG0abcdefghij_" + ALNUM36 + ALNUM36,
     ("_pat_11ABCDEFG0abcdefghij",)),
    # GitLab
    ("gitlab-pat", "using " + "gl" + "pat-" + "xYz12AbC34dEf56GhI78", ("xYz12AbC34dEf56GhI78",)),
    ("gitlab-runner", "runner " + "gl" + "rt-" + "xYz12AbC34dEf56GhI78", ("xYz12AbC34dEf56GhI78",)),
    # Slack
    ("slack-bot", "slack " + "xo" + "xb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
     ("AbCdEfGhIjKlMnOpQrStUvWx",)),
    ("slack-user", "xo" + "xp-1234567890-1234567890-1234567890123-" + HEX32, (HEX32,)),
    ("slack-app", "app token " + "xa" + "pp-1-A0123456789-1234567890123-" + HEX32, (HEX32,)),
    ("slack-webhook", "posting to https://" + "hooks.slack.com/services/" + SLACK_HOOK,
     ("XxXxXxXxXxXxXxXxXxXxXxXx", "B0BBBBBBBBB")),
    # Stripe
    ("stripe-sk-live", "charge failed key=" + "sk" + "_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
     ("4eC39HqLyjWDarjtT1zdp7dc",)),
    ("stripe-sk-test", "using " + "sk" + "_test_" + "4eC39HqLyjWDarjtT1zdp7dc",
     ("4eC39HqLyjWDarjtT1zdp7dc",)),
    ("stripe-rk-live", "restricted " + "rk" + "_live_" + "51HqLyjWDarjtT1zdp7dc",
     ("51HqLyjWDarjtT1zdp7dc",)),
    ("stripe-rk-test", "restricted " + "rk" + "_test_" + "51HqLyjWDarjtT1zdp7dc",
     ("51HqLyjWDarjtT1zdp7dc",)),
    # other providers
    ("gcp-api-key", f"maps client {GOOGLE} ready", (GOOGLE,)),
    ("sendgrid", f"mailer using {SENDGRID}", (SENDGRID,)),
    ("twilio", f"twilio api key {TWILIO}", (TWILIO,)),
    ("npm", f"//registry.npmjs.org/ {NPM}", (NPM,)),
    ("openai", f"llm client {OPENAI}", (OPENAI,)),
    ("openai-project", f"llm client {OPENAI_PROJ}", (OPENAI_PROJ,)),
    ("azure-storage", "DefaultEndpointsProtocol=https;AccountName=shop;AccountKey="
                      f"{AZURE_KEY};EndpointSuffix=core.windows.net", (AZURE_KEY,)),
    # generic: a high-entropy value next to a key-ish name that is too common to mask always
    ("generic-high-entropy", f"encryption key: {HEX32}", (HEX32,)),
    ("generic-signing-key", "hmac=Zk3J9qLm2Xp8Rt4Vw7Yb", ("Zk3J9qLm2Xp8Rt4Vw7Yb",)),
    # HashiCorp Vault (vault-service-token, vault-batch-token) and DigitalOcean
    # (digitalocean-pat, digitalocean-access-token, digitalocean-refresh-token)
    ("vault-service", f"vault login ok {VAULT_SERVICE}", (VAULT_SERVICE[4:],)),
    ("vault-batch", f"using {VAULT_BATCH} for lease", (VAULT_BATCH[4:],)),
    ("vault-legacy", f"vault token {VAULT_LEGACY} renewed", (VAULT_LEGACY[2:],)),
    ("digitalocean-pat", f"doctl auth init -t {'do' + 'p_v1_' + DO_HEX64}", (DO_HEX64,)),
    ("digitalocean-oauth", f"oauth {'do' + 'o_v1_' + DO_HEX64}", (DO_HEX64,)),
    ("digitalocean-refresh", f"refresh {'do' + 'r_v1_' + DO_HEX64}", (DO_HEX64,)),
    # URL passwords with `/`, `@` and `:` in them (base64 passwords often have `/` and `+`)
    ("url-slash-in-password", "DATABASE_URL=postgres://app:Zm9v/YmFy+cXV4@db:5432/app",
     ("Zm9v", "YmFy", "cXV4")),
    ("url-slash-no-user", "redis://:s3cr3t/pw@host", ("s3cr3t", "pw@")),
    ("url-at-in-password", "amqp://guest:p@ssw0rd@host", ("ssw0rd",)),
    ("url-at-colon-slash", "mysql://user:pa@ss:w/rd@host/db", ("pa@", "ss:w", "rd@")),
    ("url-hash-in-password", "redis://:p#ss?w0rd@redis:6379", ("p#ss", "w0rd")),
    ("url-encoded-at", "mongodb+srv://u:p%40ss@cluster0.example.net/db", ("p%40ss",)),
    ("url-email-user", "smtp://alerts@example.com:app-pw-123@smtp.example.com:587",
     ("app-pw-123",)),
    # values that start with a prose word (`the`, `no`, `error`) are still secrets
    ("kv-prose-prefix", "DB_PASSWORD=the-Pr0d-pass!", ("the-Pr0d-pass!", "Pr0d")),
    ("kv-prose-prefix-colon", "password: no-one-knows-42", ("no-one-knows-42", "knows")),
    ("kv-prose-prefix-pass", "pass: error-prone-pw", ("error-prone-pw", "prone")),
    # a colon-and-space value runs to the end of the line
    ("kv-passphrase", "passphrase: correct horse battery staple", ("horse", "staple")),
    ("kv-escaped-quotes", 'password="has \\"quote\\" inside" user=bob', ("has", "quote", "inside")),
    ("kv-escaped-single", "password='it\\'s mine' user=bob", ("it", "mine")),
    ("kv-apostrophe", "password=don't-tell", ("don", "tell")),
    # Unicode lookalike separators
    ("kv-fullwidth-colon", "PASSWORD\uff1ahunter2", ("hunter2",)),
    ("kv-fullwidth-equals", "api_token\uff1dabc123", ("abc123",)),
    ("kv-small-colon", "secret\ufe55 s3cr3t-value", ("s3cr3t-value",)),
    # lower-case snake_case name, space, value (`aws configure`, config dumps)
    ("snake-space", f"aws_secret_access_key {AWS_SECRET}", (AWS_SECRET,)),
    ("snake-space-short", "db_password hunter2", ("hunter2",)),
    ("snake-space-quoted", 'client_secret "abc"', ("abc",)),
    # command-line password flags
    ("flag-equals", "exec /bin/app --password=hunter2 --user=bob", ("hunter2",)),
    ("flag-java", "java -Dspring.datasource.password=s3cret -jar app.jar", ("s3cret",)),
    ("mysql-p-quoted", "+ mysql -u root -p'secret' shop", ("secret'",)),
    ("mysql-p-attached", "mysqldump -h db -uroot -psecret123 shop", ("secret123",)),
    ("mariadb-p-dquoted", 'mariadb -uroot -p"two words" -e "select 1"', ("two words",)),
    ("sshpass-p", "sshpass -p s3cr3t ssh admin@bastion", ("s3cr3t",)),
    ("redis-cli-a", "redis-cli -h redis -a Zm9vYmFy ping", ("Zm9vYmFy",)),
    ("mongosh-p", "mongosh --host db -u admin -p hunter2 --authenticationDatabase admin",
     ("hunter2",)),
]

NEGATIVES = [
    "token bucket refilled",
    "password reset email sent to user bob@example.com",
    "key not found",
    "cache key: users/123",
    "GET /healthz 200 12ms user=bob reason=OOMKilled",
    "starting app (image nginx:1.27)",
    "Back-off restarting failed container api",
    'MountVolume.SetUp failed for volume "db-creds" : secret "db-creds" not found',
    'Successfully pulled image "nginx:1.27" in 1.2s',
    "DB_PASSWORD is not set",
    "Basic authentication failed for user bob",
    "Bearer authentication required",
    "invalid token: expired",
    "secretName: db-creds",
    "api_key_file=/etc/keys/api",
    "automountServiceAccountToken: false",
    "author=bob bypass=true",
    "session started for bob",
    "cookie consent banner shown",
    "pod sk-learn-worker-7d9f8c6b5-x2x9z started",
    "fetching https://example.com/a:b",
    "failed to read secret: permission denied",
    "GET /search?q=tokens&page=2 200",
    # a port is not a password, even with an `@` later in the path
    "fetching https://api.example.com:8443/users/bob@example.com",
    "GET https://registry.npmjs.org/@babel/core 200",
    "GET http://[::1]:8080/users/bob@example.com 404",
    "redirect to https://example.com/login?next=/u/bob@example.com",
    # a prose word is the whole value, followed by punctuation or the end
    '{"password": null, "user": "bob"}',
    "invalid token: expired.",
    "password: none, using key file",
    "api_key: missing)",
    "secret: not found in namespace prod",
    "error getting token: context deadline exceeded",
    "failed to refresh token: connection refused",
    # lower-case snake_case names followed by a plain word or a count
    "session_token expires in 5m",
    "refreshing access_token for bob",
    "usage prompt_tokens 812 max_tokens 4096",
    # `-p` is a port or `--parents` for most tools, and a bare `-p` makes mysql prompt
    "ssh -p 22 admin@bastion",
    "docker run -p 8080:80 nginx",
    "mkdir -p /var/lib/mysql",
    "mysql -h db -P 3306 -u root -p shop",
    "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.",
    # a word after `s.` is not a legacy Vault token
    "requests.abcdefghijklmnopqrstuvwx s.abcdefghijklmnopqrstuvwx",
]


@pytest.mark.parametrize(("family", "text", "secrets"), POSITIVES,
                         ids=[family for family, _, _ in POSITIVES])
def test_family_is_masked(family: str, text: str, secrets: tuple[str, ...]) -> None:
    out = redact(text)
    assert out != text, f"{family}: nothing was masked"
    for secret in secrets:
        assert secret not in out, f"{family}: {secret!r} survived in {out!r}"
    assert "REDACTED" in out


@pytest.mark.parametrize("line", NEGATIVES)
def test_ordinary_lines_stay_readable(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(("family", "text", "secrets"), POSITIVES,
                         ids=[family for family, _, _ in POSITIVES])
def test_redaction_is_idempotent(family: str, text: str, secrets: tuple[str, ...]) -> None:
    once = redact(text)
    assert redact(once) == once


def test_every_rule_is_exercised_and_reachable_through_the_hint() -> None:
    """A rule no sample matches is untested; a sample the hint misses is never redacted."""
    for _, text, _ in POSITIVES:
        assert _HINT.search(text), text
    for rule in _RULES:
        assert any(rule.pattern.search(text) for _, text, _ in POSITIVES), rule.name


def test_structure_around_secrets_is_kept() -> None:
    assert redact("Authorization: Bearer abcdef0123456789") == f"Authorization: Bearer {MASK}"
    assert redact('{"password": "hunter2"}') == f'{{"password": "{MASK}"}}'
    assert redact("postgres://app:pw1234@db/shop") == f"postgres://app:{MASK}@db/shop"
    assert redact("Cookie: a=1x; b=2y") == f"Cookie: a={MASK}; b={MASK}"
    assert redact("Set-Cookie: sid=38afes7a8; Path=/") == f"Set-Cookie: sid={MASK}; Path=/"
    assert redact("GET /cb?token=abc123&page=2") == f"GET /cb?token={MASK}&page=2"
    assert redact("MYSQL_ROOT_PASSWORD hunter2") == f"MYSQL_ROOT_PASSWORD {MASK}"


def test_structure_around_new_forms_is_kept() -> None:
    assert redact("amqp://guest:p@ssw0rd@host") == f"amqp://guest:{MASK}@host"
    assert redact("DATABASE_URL=postgres://app:Zm9v/YmFy+cXV4@db:5432/app") == (
        f"DATABASE_URL=postgres://app:{MASK}@db:5432/app")
    assert redact("mysql://user:pa@ss:w/rd@host/db") == f"mysql://user:{MASK}@host/db"
    assert redact("redis://:s3cr3t/pw@host") == f"redis://:{MASK}@host"
    assert redact("passphrase: correct horse battery staple") == f"passphrase: {MASK}"
    assert redact("passphrase: correct horse battery staple  ") == f"passphrase: {MASK}  "
    assert redact("user: bob password: hunter2 two host=db") == (
        f"user: bob password: {MASK} host=db")
    assert redact("password: hunter2 user: bob") == f"password: {MASK} user: bob"
    assert redact("{password: hunter2, user: bob}") == f"{{password: {MASK}, user: bob}}"
    assert redact('{"password": 12345, "user": "bob"}') == f'{{"password": {MASK}, "user": "bob"}}'
    assert redact("passphrase: correct horse, battery staple") == f"passphrase: {MASK}"
    assert redact("https://u:pw@host/p?email=bob@example.com") == (
        f"https://u:{MASK}@host/p?email=bob@example.com")
    assert redact('msg="passphrase: correct horse" user=bob') == (
        f'msg="passphrase: {MASK}" user=bob')
    assert redact('password="has \\"quote\\" inside" user=bob') == (
        f'password="{MASK}" user=bob')
    assert redact("PASSWORD\uff1ahunter2") == f"PASSWORD\uff1a{MASK}"
    assert redact("password=hunter2 user=bob") == f"password={MASK} user=bob"
    assert redact("+ mysql -u root -p'secret' shop") == f"+ mysql -u root -p'{MASK}' shop"
    assert redact(f"aws_secret_access_key {AWS_SECRET}") == f"aws_secret_access_key {MASK}"


@pytest.mark.parametrize("line", [
    # the URL rule: many schemes, colons, `@`s and slashes, and no end in sight
    "a://" * 25_000,
    "postgres://u:" + "p@" * 50_000,
    "postgres://u:" + "/" * 100_000 + "@",
    "x://" + ":" * 100_000,
    "x://" + "a:" * 50_000,
    "https://h:1/" * 8_500,
    "DATABASE_URL=redis://:" + "ab/" * 33_000 + " @host",
    "a://u:?" * 14_000,
    "a://u:p@h?" * 10_000,
    "a://[:" * 16_000,
    # key=value, key: value and flags
    "password: " + "a " * 50_000,
    "password: " + ("a" * 39 + " ") * 2_500,
    "password: x" + " " * 100_000 + "y",
    "password: " + "a, " * 33_000,
    "password: " + "a ,b" * 25_000,
    "password=" * 11_000,
    "token: " * 14_000,
    'password="' + '\\"' * 50_000,
    "aws_secret_access_key " * 4_500,
    "mysql " + "-x " * 33_000 + "-p",
    "Authorization: " * 6_500,
    "s." + "a" * 100_000,
    "hvs." * 25_000,
])
def test_hostile_lines_are_linear(line: str) -> None:
    """100 KB lines built to make a backtracking rule go quadratic stay fast (each takes
    about 0.1 s of CPU when every rule is linear; a quadratic one takes minutes)."""
    started = time.process_time()
    redact(line)
    assert time.process_time() - started < 1.0, line[:40]


def test_private_key_split_over_lines() -> None:
    lines = ["loading key", "-----BEGIN PRIVATE KEY-----", "MIIEvQIBADANBg", "kqhkiG9w0B",
             "-----END PRIVATE KEY-----", "listening on :8080"]
    out = redact_lines(lines)
    assert out[0] == "loading key" and out[-1] == "listening on :8080"
    assert not any("MIIE" in line or "kqhk" in line for line in out)
