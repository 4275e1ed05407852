"""The vocabulary of site boilerplate, in one place: what cleaning (news.text) drops from a
story and what a summary (news.summary) never picks compile from these same lists.

Each list is lower-case; entries are regular-expression fragments unless said otherwise.
English, Russian, German, French and Chinese, as the shipped sources write them.
- LINK_VERBS: labels of a link to more reading that act ("Read more", "Continue reading",
  "Читайте также", "Weiterlesen", "Lire aussi"). Longer forms first: the first alternative
  that matches wins, and cleaning reads what follows the match.
- LINK_NOUNS: labels that name ("Related", "See also", "Mehr zum Thema", "По теме", "Tags");
  they count only alone or before a colon, dash or arrow, as "More than ..." is a sentence.
- CJK_LINK_LABELS: Chinese labels (plain strings), matched as prefixes: no word boundary.
- COMMENT_PHRASES: plain strings of comment forms ("Leave a Reply", "Your email address will
  not be published"); everything after one is the page's footer.
- FOOTER_PHRASES: plain strings of reprint footers ("The post X appeared first on Y").
- CJK_FOOTER: Chinese reprint notices ("本文由…原创发布", "转载请注明").
"""

from __future__ import annotations

LINK_VERBS: tuple[str, ...] = (
    r"read more",
    r"read \d+ (?:more|remaining) (?:paragraphs|words)",
    r"read the rest(?: of (?:this|the) (?:entry|article|story|post))?",
    r"read (?:the )?full (?:article|story|post|review|text)",
    r"read (?:also|too|next)",
    r"also read",
    r"continue reading",
    r"keep reading",
    r"view (?:the )?full (?:article|story|post)",
    r"full story",
    r"learn more",
    r"to read (?:this|the) (?:full )?(?:article|story|post)(?: in full)?"
    r"(?:,? (?:please )?click here)?",
    r"click here to (?:read|continue|view|see)",
    r"click here",
    r"read (?:on|the full|full)",
    r"читайте (?:также|тоже|еще|ещё)",
    r"читать (?:далее|дальше|полностью|также)",
    r"подробнее",
    r"смотрите также",
    r"см\. также",
    r"lesen sie (?:auch|mehr|hier)",
    r"lies auch",
    r"weiterlesen",
    r"weiter lesen",
    r"mehr lesen",
    r"zum (?:vollständigen )?artikel",
    r"(?:à |a )?lire (?:aussi|également|la suite|plus)",
    r"(?:à |a )?voir aussi",
)

LINK_NOUNS: tuple[str, ...] = (
    r"related (?:roundups?|forums?|topics?|guides?)",
    r"related(?: (?:articles?|stories|story|posts?|reading|links?|content|coverage|news))?",
    r"see also",
    r"more on (?:this|that|this story|the topic|this topic)",
    r"more (?:from|stories|news)(?: \w+)?",
    r"more",
    r"further reading",
    r"recommended(?: reading)?",
    r"also on \w+",
    r"mehr zum thema",
    r"mehr dazu",
    r"siehe auch",
    r"auch interessant",
    # Site taxonomy trailers ("Tag: iPhone", MacRumors' "Buyer's Guide: iPad (Buy Now)").
    r"tags?",
    r"filed under",
    r"buyer['’]s guide",
    r"schlagworte",
    r"теги",
    r"метки",
    r"по теме(?: также)?",
    r"sur le même sujet",
)

CJK_LINK_LABELS: tuple[str, ...] = (
    "阅读更多",
    "阅读全文",
    "阅读原文",
    "查看原文",
    "查看全文",
    "点击查看",
    "延伸阅读",
    "相关阅读",
    "推荐阅读",
    "更多阅读",
    "原文链接",
    "相关文章",
    "相关链接",
    "精彩视频推荐",
    "精彩推荐",
    "标签",
)

COMMENT_PHRASES: tuple[str, ...] = (
    "leave a reply",
    "leave a comment",
    "your email address will not be published",
    "required fields are marked",
    "cancel reply",
    "save my name, email",
    "must be logged in to post a comment",
    "post a comment",
    "добавить комментарий",
    "оставить комментарий",
    "не будет опубликован",
    "обязательные поля помечены",
    "отменить ответ",
    "ihre e-mail-adresse wird nicht veröffentlicht",
    "erforderliche felder sind",
    "kommentar schreiben",
    "kommentar verfassen",
    "kommentar hinterlassen",
    "laisser un commentaire",
    "ne sera pas publiée",
    "les champs obligatoires sont",
    "发表评论",
    "电子邮件地址不会被公开",
    "必填项已用",
)

FOOTER_PHRASES: tuple[str, ...] = (
    "appeared first on",
    "first appeared on",
    "originally appeared on",
    "originally appeared in",
    "originally published on",
    "originally published in",
    "originally published at",
    "was first published on",
    "was first published in",
)

CJK_FOOTER = (
    r"本文(?:由|为|系|来自).{0,80}(?:原创|首发|发布)|转载请(?:注明|联系|添加|保留)|"
    r"未经(?:授权|许可)，?不得(?:转载|摘编)"
)


def has_any(text: str, words: tuple[str, ...]) -> bool:
    """Whether any of `words` is in `text` (a loop of substring tests: cheaper than a regex)."""
    for word in words:  # noqa: SIM110 - faster than any() with a generator
        if word in text:
            return True
    return False
