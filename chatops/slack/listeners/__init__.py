"""The Bolt app's listeners, one module per topic: `commands` (/ops), `events` (mentions,
messages, alert bots), `actions` (Approve, Deny, Edit), `views` (the Edit modal). Each has a
`register(app, parts, ...)` that `chatops.slack.app.build_app` calls; nothing registers at
import time."""
