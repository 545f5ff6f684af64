"""Refusals: what is wrong, then what to do instead.

The conversation's refusals come in two parts: what is wrong (`..._text`, or a constant),
then what to do instead (`..._HINT`); `refusal_text` joins them. The constants of every
topic are kept here together, so a hint reads the same wherever it is given.
"""

from __future__ import annotations

from chatops.errors import Refusal


def refusal_text(error: Refusal) -> str:
    """A refusal as one or two sentences: what is wrong, then what to do instead."""
    return f"{error.message}\n{error.hint}".strip() if error.hint else error.message


NOT_THIS_CHANNEL = "I don't take requests in this channel."
NOT_THIS_CHANNEL_HINT = "Ask in one of the channels the policy allows."
EMPTY_MESSAGE = "The message is empty."
BELOW_ZERO_HINT = ("For fewer replicas than now say `1 fewer` or `down by 1` (or `-1` alone); "
                   "for a count, give it: `to 2`.")


def below_zero_text(raw: str) -> str:
    """A count asked for "to -1": below zero, never read as one fewer."""
    return f"{raw} is below zero: a replica count is 0 or more."


EMPTY_MESSAGE_HINT = "Try `help`, or e.g. `show pods in dev`."
EXPLICIT_ONLY = "I only understand explicit commands here."
EXPLICIT_ONLY_HINT = "Example: run show_pods namespace=dev"
OUTSIDE_SCOPE = ("That is outside what I can do: I only run the reviewed runbooks. `help` "
                 "lists them.")
CANCELLED_QUESTION = "Cancelled my question to you; nothing was changed."
QUESTION_STILL_WAITS = "My question above still waits for your answer (or say `cancel`)."
WHICH_FIX = "Which of the suggested fixes should I plan?"
NOTHING_TO_CANCEL = "There is nothing to cancel here."
NOTHING_WAITING = "There is no request waiting for a decision here."
NOT_UNDERSTOOD = ("I did not understand that, so I did nothing. To decide on a request, use its "
                  "buttons or say `approve` or `deny`; `help` lists what I can do.")
THEIR_DECISION = ("That tells of someone else's decision, so I decided nothing: a decision "
                  "counts only as its approver's own (their button, or their `approve "
                  "r-...`).")
NOTHING_TO_UNDO = ("There is no completed change in this thread to undo. To roll a deployment "
                   "back to its previous revision, name it: `roll back checkout-api in "
                   "prod`.")
NO_UNDO_HINT = ("To go back to an earlier version, ask for `rollback_deployment`; to change "
                "something else, ask for that change.")
DECIDE_IN_OWN_THREAD_HINT = "Decide on it in its own thread, or with its buttons."
MAY_NOT_REQUEST_HINT = ("Ask someone the policy allows, or an admin to map your chat user to "
                        "a cluster identity.")
ONLY_REQUESTER_EDITS = "Only the person who asked can edit this request."
ALERT_CHANNEL_HINT = "Add the alert channel to the policy's channels."
NO_CHANGE_NOTE = "the dry-run shows no change: the cluster already looks like this"
READ_RUN_DONE = "done"
RUN_ID_HINT = "Run ids look like r-1a2b3c4d."
READ_NEW_DIFF_HINT = "Read the new diff on the request's message, then approve it."
OWN_BUTTONS_HINT = "Use the buttons on the request's own message."
ADOPT_HINT = "Ask someone the policy allows to request it."
ASK_AGAIN_HINT = "Ask again for a fresh plan."
IDENTITY_MISMATCH_RESULT = "Not run: the identity stored with it is not the requester's."
