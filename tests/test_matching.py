"""news.matching: names found as words, exclusions, ambiguous words, relevance, keywords.

Headlines are written for these tests in the style of real tech headlines; a few are titles of
the stories in ../shared/corpus. Each table follows one rule of the module docstring.
"""

from __future__ import annotations

import pytest

from news.catalogue import load_catalogue
from news.matching import Matcher, MatchResult, normalize_key, source_brand
from tests.catalogue_fixture import small_catalogue

KEYWORDS = ["foldable phone", "fusion", "складной", "折叠屏", "c++", "strasse", "robotaxi"]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_catalogue(), KEYWORDS)


def about(matcher: Matcher, title: str, text: str = "") -> set[str]:
    result = matcher.match(title, text)
    assert not result.about & result.mentions
    return set(result.about)


# --- Finding names: words, possessives, hyphens, scripts ------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # Rule 7: a brand named like a word, opening a headline with a verb or its possessive.
        ("Nothing confirms the Phone (3) launch date", {"nothing"}),
        ("Nothing представила наушники Headphone (1)", {"nothing"}),
        ("Nothing’s new phone leaks in full", {"nothing"}),
        ("Framework's next laptop is a 16-inch gaming machine", {"framework"}),
        ("X begins stripping headlines from links", {"x_twitter"}),
        ("Zoom launches an AI companion for meetings", {"zoom"}),
        ("Signal launches usernames to hide phone numbers", {"signal"}),
        # ... and nowhere else, and not the pronoun before a verb that follows it too.
        ("Nothing is certain in the chip market", set()),
        ("Nothing has changed in a year of updates", set()),
        ("Nothing beats a good mechanical keyboard", set()),
        ("There is nothing new in this update", set()),
        ("Framework for AI safety proposed by researchers", set()),
        ("X marks the spot for a new treasure hunt game", set()),
        ("nothing confirms it yet", set()),  # the catalogue's capitals
        ("Why Nothing launches phones in London", set()),  # not the headline's first word
    ],
)
def test_a_brand_named_like_a_word_counts_when_it_opens_the_headline(matcher, title, expected):
    assert about(matcher, title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # Rule 8: Slavic case endings on Latin names.
        ("Samsungа и Apple поделили рынок", {"samsung", "apple"}),
        ("Продажи Samsung'а выросли", {"samsung"}),
        ("Wydajność wyższa. Nowe sterowniki Intela przynoszą poprawę", {"intel"}),
        ("Pięciu byłych dyrektorów Ubisoftu aresztowanych", {"ubisoft"}),
        ("Smartfony Samsunga podrożeją w przyszłym tygodniu", {"samsung"}),
        ("Współpraca z Intelem przynosi efekty", {"intel"}),
        # Latin endings only in a Polish or Czech story, and not after short names.
        ("Intela is not a word in English", set()),
        ("Nowe armie robotów wchodzą do fabryk", set()),
        # Common words of the sources' languages are the brand only with its capitals.
        ("GeForce RTX 3050 podobno w przyszłym roku dostanie nową wersję", {"nvidia"}),
        ("Dwa lata temu Temu weszło do Polski", {"pinduoduo"}),
        ("Roku pokaże nowy telewizor w przyszłym roku", {"roku"}),
        ("Cuda techniki: nowy procesor zaskakuje", set()),
    ],
)
def test_slavic_case_endings_and_other_languages_common_words(matcher, title, expected):
    assert about(matcher, title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Apple's new iPad lineup leaks ahead of launch", {"apple"}),
        ("Apple’s Vision Pro gets a cheaper sibling", {"apple"}),
        ("Samsung-made chips could power the next iPhone", {"samsung", "apple"}),
        ("The iPhone-maker's quiet bet on on-device AI", {"apple"}),
        ("Apple-FBI fight heads back to court", {"apple"}),
        ("(Apple) and “Google” in quotes and brackets", {"apple", "google"}),
        ("SAMSUNG shows off its new foldables", {"samsung"}),
        ("Сяоми открывает офис в Москве", {"xiaomi"}),
        ("Пользователи Яндекса получат новый поиск", {"yandex"}),
        ("小米发布新款手机", {"xiaomi"}),
        ("华为今天发布了三折叠屏手机", {"huawei"}),
        ("苹果iPhone 17 销量大涨", {"apple"}),
        ("小米SU7交付量突破十万台", {"xiaomi"}),
        ("Nvidia’s H200 ships; AMD answers with MI355X", {"nvidia", "amd"}),
    ],
)
def test_names_are_found_as_words_in_any_script(matcher, title, expected):
    assert about(matcher, title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Galaxy S25 Ultra review: a better camera, the same design", {"samsung"}),
        ("Windows 11 update breaks some printers", {"microsoft"}),
        ("Pixel 9 Pro gets a new astrophotography mode", {"google"}),
        ("Redmi Note 14 lands in Europe", {"xiaomi"}),
        ("POCO F7 review: flagship speed on a budget", {"xiaomi"}),
        ("iPhone 16 gets two new buttons and a new camera layout", {"apple"}),
        ("iPhones are getting more expensive", {"apple"}),
        ("Xboxes are sold out again", {"microsoft"}),
        # Sub-brands and products the press names instead of their maker (issue 18).
        ("Beats Studio Pro review: better noise cancelling", {"apple"}),
        ("Powerbeats Pro 2 add a heart-rate sensor", {"apple"}),
        ("Samsung beats Apple in phone shipments", {"samsung", "apple"}),  # the verb
        ("SteamVR beta adds a new dashboard", {"valve"}),
        ("Half-Life 2 RTX remix gets a demo", {"valve"}),
        ("The half-life of a smartphone is getting longer", set()),
        ("iQOO 13 launches in India", {"vivo"}),
        ("Infinix Hot 50 launched with a slim body", {"transsion"}),
        ("Мессенджер Max набрал 50 млн пользователей", {"vk"}),
        ("Wii U, 3DS online servers to shut down in six months", {"nintendo"}),
        ("Former BioWare employees sue for better severance", {"electronic_arts"}),
        ("Galaxy SmartTag2 launched: a more durable tracker", {"samsung"}),
        ("Red Dead Redemption comes to PC", {"take_two"}),
        ("Grok memecoin surges 300% overnight", set()),  # not xAI's chatbot
        ("Grok 4 tops the benchmarks", {"xai"}),
    ],
)
def test_product_names_point_to_their_brand(matcher, title, expected):
    assert about(matcher, title) == expected


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # Names the tech press uses that the catalogue lacked.
        ("Musk's X sues a watchdog over its ad report", "", {"x_twitter"}),
        ("X Corp loses its bid to dismiss the case", "", {"x_twitter"}),
        ("Alexa gets a new voice and a subscription", "", {"amazon"}),
        ("Alexa+ arrives in the UK", "", {"amazon"}),
        ("Blink Outdoor 4 review: cheap and cheerful", "", {"amazon"}),
        ("Donkey Kong returns with a new 3D adventure", "", {"nintendo"}),
        ("Mario Kart World gets a free update", "", {"nintendo"}),
        ("雷蛇发布新款游戏鼠标", "", {"razer"}),
        ("摩拜单车退出历史舞台", "", {"meituan"}),
        # Supporting words: they count because the text names the brand.
        ("一加发布新旗舰", "刘作虎表示，新机将在海外同步销售。", {"oneplus"}),
        ("字节获新一轮融资", "字节跳动此前估值为 1800 亿美元。", {"tiktok"}),
        (
            "Gigabyte shows an overclocked GTX Titan",
            "The new GeForce card ships in May.",
            {"nvidia"},
        ),
        (
            "Regulators open an investigation into X",
            "Elon Musk's X did not comment.",
            {"x_twitter"},
        ),
        (
            "Europe fines X over blue checkmarks",
            "The platform X has 60 days to pay.",
            {"x_twitter"},
        ),
    ],
)
def test_names_the_press_uses(matcher, title, text, expected):
    assert about(matcher, title, text) == expected


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # A supporting word alone names nothing: "byte", a letter.
        ("字节和比特有什么区别", "一个字节等于八个比特。", set()),
        ("Solve for X in five minutes a day", "A maths app for kids.", set()),
        # Inside an exclude phrase it does not count even when the text names the brand.
        ("一加一等于几？", "刘作虎在采访中出了这道题。", set()),  # "one plus one"
        ("Tesla Model X recall widens", "Owners shared photos on Twitter.", {"tesla"}),
        ("iPhone X batteries get cheaper to replace", "Apple said so on Twitter.", {"apple"}),
        ("Xbox Series X sales slow", "Microsoft said so on Twitter.", {"microsoft"}),
        ("Mac OS X turns 25", "Fans celebrated on Twitter.", {"apple"}),
    ],
)
def test_supporting_words_that_mean_something_else_here(matcher, title, text, expected):
    assert about(matcher, title, text) == expected


def test_plurals_do_not_need_to_be_listed():
    small = Matcher(small_catalogue())  # lists "iPhone" only, not "iPhones"
    assert small.match("Used iPhones hold their value", "").about == {"apple"}
    assert small.match("Two Vision Pros on one desk", "").about == {"apple"}
    assert small.match("Galaxy S24s are cheap now", "").about == set()  # ends in a digit


@pytest.mark.parametrize(
    "title",
    [
        "Artificial Intelligence is booming in every office",  # Intel
        "Fresh intel on the phone market",  # exact name in lower case
        "Apps that harm kids, say researchers",  # Arm
        "Armenia launches a tech visa",  # Arm
        "Arms race in AI chips heats up",  # exact names take no plural
        "Doctors warn about arm injuries from phones",
        "How metadata leaks your location",  # Meta
        "The meta narrative of the season",
        "How to find your MAC address",  # Mac
        "Supersonic flights return",  # Sonos, Sony
    ],
)
def test_words_inside_words_and_wrong_case_do_not_match(matcher, title):
    assert matcher.match(title, "") == MatchResult(frozenset(), frozenset(), frozenset())


# --- Exclusions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Grandma's apple pie recipe",
        "The Best Apple Pie in Town",
        "Startups flock to the Big Apple",
        "Samsung Heavy Industries wins a shipbuilding order",
        "Nikola Tesla's lab becomes a museum",
        "小米粥的十种做法",
    ],
)
def test_names_inside_excluded_phrases_do_not_count(matcher, title):
    assert about(matcher, title) == set()


def test_chinese_apple_is_xiaomi_not_apple(matcher):
    # Modelled on the product issue's example: Xiaomi is the subject; Apple is only compared.
    title = "Xiaomi spoke about plans to open an office in Russia"
    text = (
        "Xiaomi intends to open a representative office in Moscow next year, the company's "
        "regional head told reporters on Tuesday. The office would handle partners and service.\n\n"
        "Often called the Chinese Apple, the company has grown quickly in the country, where "
        "its phones now outsell most rivals.\n\n"
        "Analysts expect Xiaomi to keep pressure on prices. One of them noted that a mid-range "
        "Xiaomi costs a third of a new iPhone.\n\n"
        "The company did not say how many people the office would employ."
    )
    result = matcher.match(title, text)
    assert result.about == {"xiaomi"}
    assert "apple" not in result.about


def test_an_excluded_phrase_alone_does_not_even_mention_the_brand(matcher):
    text = "The startup, which calls itself the Chinese Apple, raised $20 million on Monday."
    assert matcher.match("A hardware startup raises money", text).mentions == set()


# --- Ambiguous words --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("A galaxy far away: new images from Webb", "The galaxy is 13 billion years old."),
        ("Cleaning your windows this spring", "Open the windows and use vinegar."),
        ("Designers bet on a new office surface", "The surface resists scratches."),
    ],
)
def test_ambiguous_words_alone_match_nothing(matcher, title, text):
    assert matcher.match(title, text) == MatchResult(frozenset(), frozenset(), frozenset())


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("X changes its verification rules", "Twitter, now X, will charge for it.", {"x_twitter"}),
        ("A 4 x 4 grid of tiny screens", "Twitter users loved it.", set()),
        ("The x factor in phone design", "Twitter users argued about it.", set()),
        ("Mi 15 goes on sale in Europe", "Xiaomi set the price at 999 euros.", {"xiaomi"}),
        ("Smart homes in Spain: mi casa, tu casa", "Xiaomi sells many of the sensors.", set()),
        (
            "GM recalls 100,000 electric trucks",
            "General Motors said the fix is software.",
            {"general_motors"},
        ),
        ("Gm, builders: the morning brief", "General Motors reports results today.", set()),
    ],
)
def test_one_or_two_letter_supporting_words_need_their_capitals(matcher, title, text, expected):
    assert about(matcher, title, text) == expected


def test_ambiguous_word_counts_when_the_brand_is_named(matcher):
    text = "Microsoft said the redesigned Start menu ships to everyone in March."
    assert about(matcher, "Windows gets a new Start menu", text) == {"microsoft"}
    samsung = "Samsung will show its new foldables at the event in Brooklyn."
    assert about(matcher, "Galaxy event set for July", samsung) == {"samsung"}


# --- Relevance ----------------------------------------------------------------------------------

FILLER = (
    "Energy prices rose again this month, and households are looking for simple ways to save. "
    "Insulation, thermostats and careful use of appliances all help.\n\n"
)


def test_passing_mention_deep_in_the_text_is_a_mention(matcher):
    text = FILLER * 6 + "A smart thermostat such as the Google Nest can also help a little."
    result = matcher.match("Five ways to cut your energy bill this winter", text)
    assert result.about == set()
    assert result.mentions == {"google"}


def test_brand_named_repeatedly_from_the_lead_is_about(matcher):
    text = (
        "Nvidia will need a licence for every shipment of its H200 accelerators to China, "
        "according to the new rules published on Friday.\n\n"
        + FILLER
        + "Nvidia said it would comply. Analysts expect Nvidia to lose some revenue, while AMD, "
        "its closest rival, faces the same limits.\n\n"
        "Nvidia shares fell 2% in early trading."
    )
    result = matcher.match("What the new chip export rules mean", text)
    assert result.about == {"nvidia"}
    assert result.mentions == {"amd"}


def test_repeated_but_not_in_the_lead_is_a_mention(matcher):
    text = FILLER * 4 + "Nvidia said it would comply. Nvidia, Nvidia, Nvidia and more Nvidia."
    result = matcher.match("What the new chip export rules mean", text)
    assert result.mentions == {"nvidia"}


def test_the_title_decides_when_it_names_a_brand(matcher):
    text = (
        "Xiaomi's new phone copies the camera of the iPhone. Apple fans noticed; Apple did "
        "not comment. Apple has sued over less, and Apple lawyers are busy."
    )
    result = matcher.match("Xiaomi's new phone looks familiar", text)
    assert result.about == {"xiaomi"}
    assert result.mentions == {"apple"}


def test_shop_links_do_not_make_a_story_about_the_shop(matcher):
    text = (
        "This robot vacuum maps your home and empties itself. It is $299 at Amazon today, "
        "$150 off.\n\n$299 at Amazon\n\nIt also mops. $299 at Amazon\n\n"
        "Deals like this rarely last. $299 at Amazon"
    )
    result = matcher.match("This robot vacuum is $150 off right now", text)
    assert result.about == set()
    assert result.mentions == {"amazon"}


@pytest.mark.parametrize(
    ("title", "expected_about", "expected_mentions"),
    [
        # A shop named as the place of an offer stands aside; the maker is the news.
        ("AirPods Pro 2 are $80 off at Amazon right now", {"apple"}, {"amazon"}),
        ("Sony's best headphones hit their lowest price at Amazon", {"sony"}, {"amazon"}),
        ("Amazon Deal of the Day: a Samsung 4K monitor", {"samsung"}, {"amazon"}),
        ("This robot vacuum is 40% off at Amazon", set(), {"amazon"}),  # no maker named
        ("My favourite eBay deal of the day: a refurbished laptop", set(), {"ebay"}),
        # Not set aside: no offer, a shop's own goods, or a maker's own offer.
        ("Layoffs at Amazon reach the devices team", {"amazon"}, set()),
        ("Amazon opens a new warehouse at the airport", {"amazon"}, set()),
        ("Kindle Scribe is $100 off at Amazon", {"amazon"}, set()),
        ("The best Apple deals of the day", {"apple"}, set()),
        ("Back-to-school deals at Apple include free AirPods", {"apple"}, set()),
        # A co-founder's own venture is the venture's news.
        ("PayPal co-founder's new startup raises $40 million", set(), {"paypal"}),
        ("A Reddit Cofounder’s Fund Backs Three AI Startups", set(), {"reddit"}),
        ("Wikipedia co-founder Jimmy Wales on trust online", {"wikipedia"}, set()),
        ("PayPal co-founder's startup signs a deal with PayPal", {"paypal"}, set()),
        ("Signal’s Founder Built a Chatbot That Can’t Spy on You", set(), {"signal"}),
        ("Instagram Founders’ Artifact News App Adds AI Images", set(), {"meta"}),
        ("OpenAI founders leave to start a new lab", {"openai"}, set()),  # no possessive
        # An offer "on" a shop, as "at" one.
        ("Get these Samsung SSDs for their lowest prices ever on Amazon", {"samsung"}, {"amazon"}),
        # A foil: what the subject is compared with or follows.
        (
            "The Pixel 8 has a 7-year update guarantee. That’s better than the iPhone!",
            {"google"},
            {"apple"},
        ),
        ("Google to add Bard AI to voice assistant, following Amazon", {"google"}, {"amazon"}),
        ("Unlike Apple, Samsung will repair your phone at home", {"samsung"}, {"apple"}),
        ("Apple and Samsung trade blows over repair rules", {"apple", "samsung"}, set()),
    ],
)
def test_names_that_stand_aside_in_the_title(matcher, title, expected_about, expected_mentions):
    result = matcher.match(title, "")
    assert (result.about, result.mentions) == (expected_about, expected_mentions)


def test_the_shops_are_a_parameter():
    title = "AirPods Pro 2 are $80 off at Amazon right now"
    assert Matcher(load_catalogue(), shops=()).match(title, "").about == {"apple", "amazon"}
    assert Matcher(load_catalogue(), shops=["amazon"]).match(title, "").about == {"apple"}


def test_a_title_naming_only_a_shop_still_decides(matcher):
    # The headline names the shop as the place of the deal: the text, which names Amazon in
    # every paragraph, does not make the story Amazon's.
    text = (
        "Amazon has this camera for $60. Amazon Prime members get free shipping, and Amazon "
        "says it ships tomorrow.\n\nThe camera records in 2K. Amazon's reviews are glowing."
    )
    result = matcher.match("My Favorite Amazon Deal of the Day: This Solar Camera", text)
    assert result.about == set()
    assert result.mentions == {"amazon"}


def test_a_long_text_needs_its_brand_in_proportion(matcher):
    # Named in the lead and four times, but in 6,000 characters: background of an explainer.
    lead = "OpenAI said last year that its chatbot has 800 million users. " * 2
    tail = "OpenAI is one of many companies in this field. " * 2
    long_text = lead + FILLER * 30 + tail
    result = matcher.match("What to know before you trust an AI assistant", long_text)
    assert len(long_text) > 4 * 1000
    assert result.about == set()
    assert result.mentions == {"openai"}
    # The same four names in a short story make it the story's subject.
    short_text = lead + FILLER * 2 + tail
    assert matcher.match("What to know before you trust an AI assistant", short_text).about == {
        "openai"
    }


def test_every_brand_named_in_the_title_is_about(matcher):
    title = "Google, Facebook, Twitter, and Microsoft Plan to Support Apple"
    assert about(matcher, title) == {"google", "meta", "x_twitter", "microsoft", "apple"}


# --- The source's own brand -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text", "expected_about"),
    [
        # A brand's own blog: the company writes about its work without naming itself.
        ("A wind investment in west Texas", "Our treasury team invested $200 million.", {"google"}),
        (
            "Tips for Maps on iPhone",
            "Our app on the iPhone now shows transit.",
            {"google", "apple"},
        ),
        ("Safer Internet Day", "Google and Apple teach kids about passwords.", {"google"}),
    ],
)
def test_the_source_brand_is_about_its_own_stories(matcher, title, text, expected_about):
    result = matcher.match(title, text, source_hint="google")
    assert result.about == expected_about
    assert "google" not in result.mentions


def test_source_hint_is_optional_and_unknown_keys_are_ignored(matcher):
    story = ("A wind investment in west Texas", "Our treasury team invested $200 million.")
    assert matcher.match(*story) == matcher.match(*story, source_hint=None)
    assert matcher.match(*story).about == set()
    assert matcher.match(*story, source_hint="no_such_brand").about == set()
    assert matcher.with_keywords(["wind"]).match(*story, source_hint="google").about == {"google"}


@pytest.mark.parametrize(
    ("feed_title", "key"),
    [
        ("The Official Google Blog", "google"),
        ("Official Microsoft Blog", "microsoft"),
        ("Apple Newsroom", "apple"),
        ("Netflix Blog", "netflix"),
        ("Twitter Blog", "x_twitter"),  # a part of the display name "X (Twitter)"
        ("JD.com Newsroom", "jd_com"),
        ("The iPhone Blog", None),  # a product's name: a fan site
        ("Tim Cook Blog", None),
        ("MacRumors: Mac News and Rumors - All Stories", None),  # a news site about Apple
        ("9to5Google", None),
        ("Google News", None),  # no "official", "blog" or "newsroom"
        ("Android Developers Blog", None),  # more than a brand name: left to the operator
        ("Official Blog", None),
        ("", None),
        (None, None),
    ],
)
def test_source_brand_from_the_feed_title(feed_title, key):
    assert source_brand(load_catalogue(), feed_title) == key


# --- Keywords -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Foldable phones are back", "", {"foldable phone"}),
        ("Samsung unveils its thinnest phone yet", "It is a foldable phone.", {"foldable phone"}),
        ("Confusion over the new fusion reactor", "", {"fusion"}),
        ("The confusion continues", "", set()),
        ("Складной смартфон подешевел", "", {"складной"}),
        ("三星三折叠屏手机发布", "", {"折叠屏"}),
        ("C++26 is feature-complete", "", {"c++"}),  # a key ending in "+" needs no word end
        ("What's new in C++ 26", "", {"c++"}),
        ("Die Straße der Zukunft", "", {"strasse"}),  # keywords are casefolded: ß is ss
        ("Robotaxis come to London", "", {"robotaxi"}),
        ("Nothing here", "Nothing at all.", set()),
    ],
)
def test_keywords(matcher, title, text, expected):
    assert set(matcher.match(title, text).keywords) == expected


def test_keywords_are_found_without_any_brand(matcher):
    result = matcher.match("", "Startups race to build the first commercial fusion plant.")
    assert result == MatchResult(frozenset(), frozenset(), frozenset({"fusion"}))


def test_with_keywords_keeps_brand_results(matcher):
    other = matcher.with_keywords(["iphone", "export rules"])
    stories = [
        ("Apple's new iPad lineup leaks", "The iPad Air gets an M4 chip."),
        ("What the new chip export rules mean", "Nvidia needs a licence. " * 4),
        ("小米SU7交付量突破十万台", "雷军表示，小米汽车将继续扩产。"),
        ("Five ways to cut your energy bill", FILLER + "A Google Nest helps."),
    ]
    for title, text in stories:
        before, after = matcher.match(title, text), other.match(title, text)
        assert (after.about, after.mentions) == (before.about, before.mentions)
    assert other.match(*stories[0]).keywords == set()
    assert other.match(*stories[1]).keywords == {"export rules"}
    assert other.keywords == {"iphone", "export rules"}
    assert matcher.keywords == set(KEYWORDS)  # the original is untouched
    assert Matcher(load_catalogue()).with_keywords([]).match("Robotaxis", "").keywords == set()


# --- Edges --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("title", "text"), [("", ""), ("   ", ""), ("", "\n\n"), ("!!!", "...")])
def test_empty_or_blank_story_matches_nothing(matcher, title, text):
    assert matcher.match(title, text) == MatchResult(frozenset(), frozenset(), frozenset())


def test_text_without_title_is_matched(matcher):
    text = "Nvidia said on Monday that its next chip is on schedule. Nvidia expects " * 2
    assert matcher.match("", text).about == {"nvidia"}


def test_normalize_key():
    assert normalize_key("Samsung-made") == "samsung made"
    assert normalize_key("Apple’s") == "apple s"
    assert normalize_key("小米SU7") == "小米 su7"
    assert normalize_key("  Foldable   Phone ") == "foldable phone"
