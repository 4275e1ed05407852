"""The errors newsbot raises on purpose, under one base, so an edge catches one type.

    NewsbotError                the base: its message is one line an operator or user reads
    ├── SettingsError           bot.settings: a setting is missing or malformed
    ├── CatalogueError          news.catalogue: the brand catalogue cannot be used
    ├── OpmlError               news.opml: an OPML file cannot be read
    ├── StorageError            storage.database: the database cannot be used (newer schema)
    ├── UnsafeUrl               news.addresses: an address newsbot will not fetch (SSRF guard)
    └── DigestArgumentError     news.digest_command: a /digest or /timezone argument it
                                cannot use (news.replies words it for the chat)

The CLI (bot.cli) turns any NewsbotError into its one line and exit code 2. Failures of the
outside world that are expected (a feed that does not answer, Telegram refusing a message)
are not exceptions at all past their edge: they come back as values (fetch.http.FetchResult,
the poller's PollReport, the sender's outcomes). Each error is also a ValueError (StorageError
a RuntimeError), as it was before this base existed.
"""

from __future__ import annotations


class NewsbotError(Exception):
    """Something newsbot refuses or cannot do, said in one line."""
