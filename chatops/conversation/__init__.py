"""The conversation service: threads, slot filling, approvals, exactly-once runs, audit."""

from chatops.conversation.service import ConversationService, ServiceConfig

__all__ = ["ConversationService", "ServiceConfig"]
