"""The conversation service: threads, slot filling, approvals, exactly-once runs, audit.

Surfaces import what they need from here, never a stage's module (`.importlinter`)."""

from chatops.conversation.scheduling import LIST_WORDS as SCHEDULE_LIST_WORDS
from chatops.conversation.service import (
    ConversationService,
    ConversationStores,
    ServiceConfig,
)

__all__ = ["SCHEDULE_LIST_WORDS", "ConversationService", "ConversationStores",
           "ServiceConfig"]
