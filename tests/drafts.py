"""Stories as a feed's parsed entries (news.models.StoryDraft), for tests that store them
through the ingest use case without a feed server."""

from __future__ import annotations

import hashlib

from news.models import StoryDraft


def drafts(titles: list[str], *, newest: int, step: int = 60) -> list[StoryDraft]:
    """One draft per title, `step` seconds apart going back from `newest`; each with a link,
    a guid and a short text that repeats its title."""
    return [
        StoryDraft(
            identity=f"guid:{i}",
            link=f"https://x.test/{i}",
            title=title,
            title_key=title,
            text=f"{title}. The rest of the story.",
            author=None,
            image_url=None,
            language="en",
            published_at=newest - i * step,
            content_hash=hashlib.sha1(title.encode()).hexdigest(),
        )
        for i, title in enumerate(titles)
    ]
