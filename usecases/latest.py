"""/latest's pages: a brand, a keyword, or everything a chat follows; newest first, one story
per cluster, `limit` at a time, paged by cursor (storage.archive.page_of).

The keyword rule is news.matching's, the one that decides pushes and the digest:
1. Stories tagged with the keyword at ingest (it was followed then) are read from the index
   the ingest wrote (story_keywords).
2. Older stories, stored before anyone followed the keyword, are found through the FTS index
   (news.related.keyword_query narrows to the phrase and its plural forms) and each one is
   then decided by the rule (news.matching.names_keyword), so "foldable phone" finds
   "two foldable phones" and "app" does not find "apple".
Both lists are merged newest first. The FTS walk looks at most SCAN_ROUNDS batches per page,
so a keyword whose candidates the rule mostly rejects still answers promptly. The price, for
such a keyword only (one whose FTS words are looser than the rule: "c++" searches the word
"c"): an old story it was never tagged with, behind more than SCAN_ROUNDS x limit rejected
candidates, can be missed. Stories stored while the keyword was followed never are (rule 1).
"""

from __future__ import annotations

from news.matching import names_keyword
from storage import Storage
from storage.archive import Cursor, Page, Row, page_of

SCAN_ROUNDS = 8


def _wanted(limit: int) -> int:
    return limit * 3 + 1  # enough rows for `limit` clusters and the "more" check, usually


async def keyword_rows(
    storage: Storage, keyword: str, limit: int, before: Cursor | None
) -> list[Row]:
    """Rules 1 and 2: up to `limit` rows about the keyword, newest first."""
    archive = storage.archive
    rows = set(await archive.keyword_rows(keyword, limit, before))
    cursor = before
    confirmed = 0
    for _ in range(SCAN_ROUNDS):
        candidates = await archive.keyword_candidates(keyword, limit, cursor)
        for c in candidates:
            if names_keyword(keyword, c.title, c.text):
                rows.add((c.id, c.published_at, c.cluster_id))
                confirmed += 1
        if len(candidates) < limit or confirmed >= limit:
            break
        cursor = (candidates[-1].published_at, candidates[-1].id)
    return sorted(rows, key=lambda r: (r[1], r[0]), reverse=True)[:limit]


async def for_brand(storage: Storage, brand: str, limit: int, before: Cursor | None = None) -> Page:
    return await storage.archive.latest_for_brand(brand, limit, before)


async def for_keyword(
    storage: Storage, keyword: str, limit: int, before: Cursor | None = None
) -> Page:
    return page_of(await keyword_rows(storage, keyword, _wanted(limit), before), limit)


async def for_chat(
    storage: Storage, chat_id: int, limit: int, before: Cursor | None = None
) -> Page:
    """The newest stories about anything the chat follows, brands and keywords alike."""
    followed = await storage.subscriptions.for_chat(chat_id)
    brands = [s.value for s in followed if s.kind.value == "brand"]
    rows: set[Row] = set()
    if brands:
        rows.update(await storage.archive.brand_rows(brands, _wanted(limit), before))
    for s in followed:
        if s.kind.value == "keyword":
            rows.update(await keyword_rows(storage, s.value, _wanted(limit), before))
    return page_of(sorted(rows, key=lambda r: (r[1], r[0]), reverse=True), limit)
