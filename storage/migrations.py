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
    (
        2,
        """
        CREATE TABLE sources (
            id              INTEGER PRIMARY KEY,
            url             TEXT    NOT NULL UNIQUE,  -- exactly as configured
            title           TEXT,
            site_url        TEXT,
            -- file: the operator's OPML; cli: `newsbot sources add`; chat: /addsource (untrusted:
            -- fetched only from public addresses)
            origin          TEXT    NOT NULL DEFAULT 'file' CHECK (origin IN ('file', 'cli', 'chat')),
            added_at        INTEGER NOT NULL,
            removed_at      INTEGER,  -- soft delete: a removed URL is not re-added by the OPML sync
            status          TEXT    NOT NULL DEFAULT 'new'
                            CHECK (status IN ('new', 'ok', 'not_modified', 'error')),
            last_error      TEXT,
            error_count     INTEGER NOT NULL DEFAULT 0,  -- consecutive failures
            failing_since   INTEGER,  -- start of the current failure streak
            alerted         INTEGER NOT NULL DEFAULT 0,  -- admins told about this streak
            etag            TEXT,
            last_modified   TEXT,
            last_checked_at INTEGER,
            last_success_at INTEGER,
            next_check_at   INTEGER NOT NULL DEFAULT 0,
            backlog_done    INTEGER NOT NULL DEFAULT 0  -- the first successful poll happened
        );
        CREATE INDEX sources_due ON sources (next_check_at) WHERE removed_at IS NULL;

        CREATE TABLE stories (
            id            INTEGER PRIMARY KEY,
            cluster_id    INTEGER NOT NULL,  -- the first story of its cluster (itself if first)
            link          TEXT UNIQUE,       -- canonical; the same article from two sources is one story
            title         TEXT    NOT NULL,
            title_key     TEXT    NOT NULL,  -- normalized title: same headline, same cluster
            text          TEXT    NOT NULL DEFAULT '',
            author        TEXT,
            image_url     TEXT,
            language      TEXT,
            published_at  INTEGER NOT NULL,
            first_seen_at INTEGER NOT NULL,
            updated_at    INTEGER NOT NULL,
            backlog       INTEGER NOT NULL DEFAULT 0  -- first seen in a source's first poll: never pushed
        );
        CREATE INDEX stories_by_title_key ON stories (title_key, first_seen_at);
        CREATE INDEX stories_by_published ON stories (published_at);
        CREATE INDEX stories_by_cluster ON stories (cluster_id);

        -- A story as one source carries it. Identity within a source: guid, else canonical
        -- link, else a hash of title and text; the primary key makes re-polls idempotent.
        CREATE TABLE story_sources (
            source_id     INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
            identity      TEXT    NOT NULL,
            story_id      INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
            content_hash  TEXT    NOT NULL,  -- detects an edited story cheaply
            first_seen_at INTEGER NOT NULL,
            PRIMARY KEY (source_id, identity)
        ) WITHOUT ROWID;
        CREATE INDEX story_sources_by_story ON story_sources (story_id);
        """,
    ),
    (
        3,
        """
        -- What each story is about (about = 1) or only mentions (about = 0), by brand key.
        CREATE TABLE story_brands (
            story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
            brand    TEXT    NOT NULL,
            about    INTEGER NOT NULL,
            PRIMARY KEY (story_id, brand)
        ) WITHOUT ROWID;
        CREATE INDEX story_brands_by_brand ON story_brands (brand, about, story_id);

        -- The outbox: one row per chat and story cluster, written in the transaction that
        -- stores the story, so a crash can neither lose nor double a delivery decision.
        CREATE TABLE deliveries (
            id              INTEGER PRIMARY KEY,
            chat_id         INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE ON UPDATE CASCADE,
            story_id        INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
            cluster_id      INTEGER NOT NULL,
            status          TEXT    NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            created_at      INTEGER NOT NULL,
            sent_at         INTEGER,
            error           TEXT,
            UNIQUE (chat_id, cluster_id)
        );
        CREATE INDEX deliveries_pending ON deliveries (id) WHERE status = 'pending';
        """,
    ),
    (
        4,
        """
        -- Summaries are computed once, when a story is stored (empty for older rows until
        -- they are next shown).
        ALTER TABLE stories ADD COLUMN summary TEXT NOT NULL DEFAULT '';
        ALTER TABLE stories ADD COLUMN related_at INTEGER;  -- when "Read also" was computed

        -- Full-text search over titles and text, kept in step by triggers. unicode61 with
        -- diacritics folded: "Huawei" finds "HUAWEI", "resume" finds "résumé".
        CREATE VIRTUAL TABLE stories_fts USING fts5 (
            title, text, content = 'stories', content_rowid = 'id',
            tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER stories_fts_insert AFTER INSERT ON stories BEGIN
            INSERT INTO stories_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        CREATE TRIGGER stories_fts_delete AFTER DELETE ON stories BEGIN
            INSERT INTO stories_fts (stories_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
        END;
        CREATE TRIGGER stories_fts_update AFTER UPDATE OF title, text ON stories BEGIN
            INSERT INTO stories_fts (stories_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO stories_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        INSERT INTO stories_fts (stories_fts) VALUES ('rebuild');

        -- /latest walks this index newest first without touching the stories table.
        ALTER TABLE story_brands ADD COLUMN published_at INTEGER NOT NULL DEFAULT 0;
        UPDATE story_brands SET published_at =
            (SELECT published_at FROM stories WHERE stories.id = story_brands.story_id);
        CREATE INDEX story_brands_latest ON story_brands (brand, about, published_at, story_id);

        -- "Read also": up to three related stories per story, computed when it is stored.
        CREATE TABLE related_stories (
            story_id   INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
            related_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
            position   INTEGER NOT NULL,
            PRIMARY KEY (story_id, related_id)
        ) WITHOUT ROWID;
        """,
    ),
    (
        5,
        """
        -- The daily digest. digest_time is local wall-clock HH:MM in the chat's time zone;
        -- next_digest_at is the UTC instant it next goes out (NULL: the minute tick computes
        -- it, as for chats that existed before this migration). last_digest_at is the
        -- scheduled occurrence last served; digest_story_id the newest story id a digest
        -- (scheduled or /digest now) covered, so the next one starts right after it.
        ALTER TABLE chats ADD COLUMN digest_time TEXT NOT NULL DEFAULT '09:00';
        ALTER TABLE chats ADD COLUMN digest_quiet INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE chats ADD COLUMN next_digest_at INTEGER;
        ALTER TABLE chats ADD COLUMN last_digest_at INTEGER;
        ALTER TABLE chats ADD COLUMN digest_story_id INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX chats_digest_due ON chats (next_digest_at)
            WHERE active = 1 AND mode IN ('digest', 'both');

        -- A digest covers stories first seen in a window: read it from an index.
        CREATE INDEX stories_by_first_seen ON stories (first_seen_at);

        -- The outbox gains a second kind of row: a digest message, its text rendered when the
        -- digest was composed (in the transaction that moves the chat's schedule on), so the
        -- same paced, restart-safe sender delivers pushes and digests. SQLite cannot relax
        -- NOT NULL in place, hence the rebuild; nothing references this table.
        CREATE TABLE deliveries_new (
            id              INTEGER PRIMARY KEY,
            chat_id         INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE ON UPDATE CASCADE,
            kind            TEXT    NOT NULL DEFAULT 'story' CHECK (kind IN ('story', 'digest')),
            story_id        INTEGER REFERENCES stories (id) ON DELETE CASCADE,
            cluster_id      INTEGER,
            body            TEXT,     -- digest: the message, Telegram HTML
            digest_at       INTEGER,  -- digest: the occurrence it serves; /digest now: -(its time)
            part            INTEGER,  -- digest: 0, 1, ... when split across messages
            status          TEXT    NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            created_at      INTEGER NOT NULL,
            sent_at         INTEGER,
            error           TEXT,
            CHECK ((kind = 'story' AND story_id IS NOT NULL AND cluster_id IS NOT NULL)
                OR (kind = 'digest' AND body IS NOT NULL AND digest_at IS NOT NULL
                    AND part IS NOT NULL)),
            -- NULLs are distinct in UNIQUE, so each constraint binds only its own kind.
            UNIQUE (chat_id, cluster_id),
            UNIQUE (chat_id, digest_at, part)
        );
        INSERT INTO deliveries_new (id, chat_id, kind, story_id, cluster_id, status, attempts,
                                    next_attempt_at, created_at, sent_at, error)
        SELECT id, chat_id, 'story', story_id, cluster_id, status, attempts, next_attempt_at,
               created_at, sent_at, error
        FROM deliveries;
        DROP TABLE deliveries;
        ALTER TABLE deliveries_new RENAME TO deliveries;
        CREATE INDEX deliveries_pending ON deliveries (id) WHERE status = 'pending';
        """,
    ),
    (
        6,
        """
        -- Followed keywords a story names, found at ingest by the same rule that decides
        -- pushes (news.matching), beside the brand tags: the digest reads them instead of
        -- matching the day again, and /latest KEYWORD walks them newest first.
        CREATE TABLE story_keywords (
            keyword      TEXT    NOT NULL,
            story_id     INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
            published_at INTEGER NOT NULL,
            PRIMARY KEY (keyword, published_at, story_id)
        ) WITHOUT ROWID;
        CREATE INDEX story_keywords_by_story ON story_keywords (story_id);
        """,
    ),
    (
        7,
        """
        -- The Telegram message a push was sent as: a later outlet of the same event edits it.
        ALTER TABLE deliveries ADD COLUMN message_id INTEGER;
        -- "Which chats were pushed this event?", asked when a story joins one.
        CREATE INDEX deliveries_by_cluster ON deliveries (cluster_id) WHERE kind = 'story';

        -- Edits waiting to be made to a sent push (one per push at a time: later outlets of
        -- the event ride along); the row is deleted once the edit is made or given up.
        CREATE TABLE edits (
            delivery_id INTEGER PRIMARY KEY REFERENCES deliveries (id) ON DELETE CASCADE,
            due_at      INTEGER NOT NULL,
            attempts    INTEGER NOT NULL DEFAULT 0,
            error       TEXT,
            created_at  INTEGER NOT NULL
        );
        CREATE INDEX edits_due ON edits (due_at);
        """,
    ),
    (
        8,
        """
        -- Quiet hours (news/quiet.py): minutes after local midnight; NULL for none. While
        -- quiet, messages to the chat go without a notification.
        ALTER TABLE chats ADD COLUMN quiet_start INTEGER;
        ALTER TABLE chats ADD COLUMN quiet_end INTEGER;
        """,
    ),
    (
        9,
        """
        -- /quiet ... hold (news/quiet.py rule 6): pushes wait for the end of the quiet hours.
        ALTER TABLE chats ADD COLUMN quiet_hold INTEGER NOT NULL DEFAULT 0;
        -- A held chat's pending pushes are read back by chat (bot.sender), once a minute
        -- while held: only the pending rows, not the chat's whole history.
        CREATE INDEX deliveries_pending_by_chat ON deliveries (chat_id, id)
            WHERE status = 'pending';
        """,
    ),
    (
        10,
        """
        -- Small facts about the database itself: when it was last opened for writing (the
        -- start's write probe, storage.database rule 4).
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    ),
    (
        11,
        """
        -- /preview on|off (news/render.py preview_for): a push shows its story's image above
        -- the text; on unless the chat turned it off.
        ALTER TABLE chats ADD COLUMN previews INTEGER NOT NULL DEFAULT 1;
        """,
    ),
    (
        12,
        """
        -- /language (news.i18n): the language the bot writes to the chat in, set when the
        -- chat is first seen (its first user's Telegram language) and by /language. NULL for
        -- chats from before: they read in the language their language_code starts in.
        ALTER TABLE chats ADD COLUMN language TEXT;
        """,
    ),
    (
        13,
        """
        -- A digest of the last feed document a source's poll ingested (fetch.poller): the same
        -- bytes again, from a server that sends no ETag or Last-Modified, are not parsed again.
        ALTER TABLE sources ADD COLUMN body_hash TEXT;
        """,
    ),
    (
        14,
        """
        -- The fingerprints of the entries of the last document a source's poll ingested
        -- (news.feeds rule 7): an entry the next document has unchanged is not normalized.
        ALTER TABLE sources ADD COLUMN entry_hashes BLOB;
        """,
    ),
]
