"""Outgoing mail: an outbox table written in the sender's transaction, and its deliverers."""
