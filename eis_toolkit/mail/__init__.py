"""E-mail: an outbox table that never loses a message, SMTP or ``.eml`` files, notifications.

``outbox.queue(...)`` adds a message in the caller's transaction; once that transaction commits,
the messages are sent (``init_app`` hooks the end of each request). A failed send leaves the row
queued with its error; ``eis notify send`` retries it (docs/mail.md).
"""
