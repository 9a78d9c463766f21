"""Indexes the web pages need on tables other modules own: the audit page filters its log by
who and by action, newest first, and lists who and which actions the log holds; on a log of
millions of events each is otherwise a scan of the whole table."""

from __future__ import annotations

from sqlalchemy import Index

from marsad.store.models import AuditEvent

AUDIT_BY_ACTOR = Index("ix_audit_log_actor_at", AuditEvent.actor, AuditEvent.at)
AUDIT_BY_ACTION = Index("ix_audit_log_action_at", AuditEvent.action, AuditEvent.at)
