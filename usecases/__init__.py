"""Use cases: one flow each, read top to bottom, between the adapters and storage.

    ingest.py   a polled feed body -> stories stored, tagged, pushes enqueued
    latest.py   /latest's pages (brand, keyword, a chat's subscriptions), the keyword rule
                deciding what FTS narrows to
    related.py  "Read also": computed where it is worth it (a push, a background job), read
                without writing anywhere else
    keywords.py a newly followed keyword: the digest window's stories that name it

Each takes the Storage it works on and the pure rules it needs (news/); none speaks to
Telegram or HTTP.
"""
