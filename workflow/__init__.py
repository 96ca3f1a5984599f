"""The release workflow: people, releases and their revisions, the state machine with its
four-eyes guards, the audit log, and the events each step emits."""
