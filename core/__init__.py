"""Core of Pressroom: settings, database engine, embedded broker, outbox and base errors.

Every other room may import from here; this room imports no other room.
"""
