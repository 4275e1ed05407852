"""The schema as an append-only list of numbered migrations.

Never edit a migration that has shipped: add a new one. `Storage.open` applies the ones a
database has not seen yet, each in its own transaction together with its row in
`schema_migrations`, so a crash mid-upgrade leaves the database at the previous version.
Times are stored as integer Unix seconds (UTC): compact, cheap to compare and sort.
"""

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE chats (
            id            INTEGER PRIMARY KEY,  -- Telegram chat id
            type          TEXT    NOT NULL,     -- private, group, supergroup, channel
            title         TEXT,
            language_code TEXT,
            timezone      TEXT    NOT NULL,     -- IANA name
            mode          TEXT    NOT NULL DEFAULT 'both'
                          CHECK (mode IN ('instant', 'digest', 'both', 'off')),
            active        INTEGER NOT NULL DEFAULT 1,  -- 0 once the bot is blocked or removed
            created_at    INTEGER NOT NULL,
            updated_at    INTEGER NOT NULL
        );

        CREATE TABLE subscriptions (
            id         INTEGER PRIMARY KEY,
            -- ON UPDATE CASCADE: a group upgraded to a supergroup keeps its subscriptions
            chat_id    INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
            kind       TEXT    NOT NULL CHECK (kind IN ('brand', 'keyword')),
            value      TEXT    NOT NULL,  -- brand key, or the keyword casefolded
            label      TEXT    NOT NULL,  -- what the user sees
            created_at INTEGER NOT NULL,
            UNIQUE (chat_id, kind, value)
        );
        -- Fan-out asks "which chats follow brand X": answer it from an index.
        CREATE INDEX subscriptions_by_value ON subscriptions (kind, value);
        """,
    ),
]
