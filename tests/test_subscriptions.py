"""Subscribing and unsubscribing, end to end: the real Application over HTTP to a fake Bot API."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from tests.conftest import OPERATOR_ID
from tests.fakes.telegram_html import html_to_plain
from tests.harness import running_bot

GROUP = -100123
ADMIN = 501
MEMBER = 502


async def followed(bot, chat_id=1001):
    return [
        (s.kind.value, s.value) for s in await bot.runtime.storage.subscriptions.for_chat(chat_id)
    ]


@pytest.mark.parametrize("command", ["/start", "/help"])
async def test_welcome_explains_the_commands(bot, command):
    reply = await bot.ask(command)
    for word in ("/subscribe", "/unsubscribe", "/subscriptions", "/brands", "/latest", "digest"):
        assert word in reply.plain_text


async def test_subscribe_to_one_brand_then_list_it(bot):
    reply = await bot.ask("/subscribe xiaomi")
    assert "Subscribed: Xiaomi" in reply.plain_text
    assert await followed(bot) == [("brand", "xiaomi")]
    listing = await bot.ask("/subscriptions")
    assert "Xiaomi" in listing.plain_text


async def test_several_brands_case_insensitive_and_already_followed(bot):
    await bot.ask("/subscribe xiaomi")
    reply = await bot.ask("/subscribe Apple SAMSUNG xiaomi")
    assert "Subscribed: Apple, Samsung" in reply.plain_text
    assert "Already following: Xiaomi" in reply.plain_text
    assert sorted(await followed(bot)) == [
        ("brand", "apple"),
        ("brand", "samsung"),
        ("brand", "xiaomi"),
    ]


async def test_aliases_and_multiword_names_resolve_to_the_brand(bot):
    reply = await bot.ask("/subscribe lei jun, vision pro")
    # and says how it read the names
    assert "Subscribed: Xiaomi (from “lei jun”), Apple (from “vision pro”)" in reply.plain_text
    assert sorted(await followed(bot)) == [("brand", "apple"), ("brand", "xiaomi")]


async def test_subscribe_without_argument_shows_usage(bot):
    reply = await bot.ask("/subscribe")
    assert "/subscribe BRAND" in reply.plain_text
    assert "xiaomi" in reply.plain_text
    assert await followed(bot) == []


async def test_quoted_phrase_becomes_one_keyword(bot):
    reply = await bot.ask('/subscribe "foldable phone"')
    assert "not a known brand" in reply.plain_text and "foldable phone" in reply.plain_text
    assert await followed(bot) == [("keyword", "foldable phone")]


async def test_unknown_word_becomes_a_keyword_said_plainly(bot):
    reply = await bot.ask("/subscribe fusion")
    assert "“fusion” is not a known brand: I will match the word in headlines" in reply.plain_text
    assert await followed(bot) == [("keyword", "fusion")]
    phrase = await bot.ask('/subscribe "solid state"')
    assert "I will match the phrase in headlines" in phrase.plain_text  # not "the word"


async def test_many_keywords_are_one_line_not_one_sentence_each(bot):
    reply = await bot.ask("/subscribe " + " ".join(f"kw{i}x" for i in range(20)))
    assert reply.plain_text.count("not a known brand") == 0
    assert "20 keywords, matched in headlines and text" in reply.plain_text
    assert len(reply.plain_text) < 400


@pytest.mark.parametrize(
    ("typo", "brand", "key"), [("xiaomy", "Xiaomi", "xiaomi"), ("samsng", "Samsung", "samsung")]
)
async def test_typo_asks_did_you_mean_and_one_tap_subscribes(bot, typo, brand, key):
    reply = await bot.ask(f"/subscribe {typo}")
    assert f"did you mean {brand}?" in reply.plain_text
    assert await followed(bot) == []  # the typo is not silently followed
    data = dict((text, data) for text, data in reply.buttons())[f"Subscribe to {brand}"]
    await bot.press(reply, data)
    assert await followed(bot) == [("brand", key)]
    assert bot.telegram.calls_to("answerCallbackQuery")
    assert f"Subscribed: {brand}" in html_to_plain(bot.telegram.edits[-1].params["text"])


async def test_typo_can_still_be_followed_as_a_keyword(bot):
    reply = await bot.ask("/subscribe xiaomy")
    keyword_button = [data for text, data in reply.buttons() if text.startswith("Keyword")]
    await bot.press(reply, keyword_button[0])
    assert await followed(bot) == [("keyword", "xiaomy")]


@pytest.mark.parametrize(
    ("argument", "reason"),
    [("x" * 65, "too long"), ("a", "too short"), ("<>", "letters or digits")],
)
async def test_bad_keywords_are_refused_clearly(bot, argument, reason):
    reply = await bot.ask(f"/subscribe {argument}")
    assert "Not added" in reply.plain_text and reason in reply.plain_text
    assert await followed(bot) == []


async def test_too_many_names_at_once_are_refused(bot):
    reply = await bot.ask("/subscribe " + " ".join(f"word{i}" for i in range(30)))
    assert "at most 20" in reply.plain_text
    assert await followed(bot) == []


async def test_unsubscribe_by_name_several_at_once(bot):
    await bot.ask("/subscribe xiaomi apple fusion")
    reply = await bot.ask("/unsubscribe Redmi, fusion, nokia")
    assert "Unsubscribed: Xiaomi, “fusion”" in reply.plain_text
    assert "Not in this chat's list: “nokia”" in reply.plain_text
    assert await followed(bot) == [("brand", "apple")]


async def test_unsubscribe_without_argument_offers_buttons(bot):
    await bot.ask("/subscribe xiaomi fusion")
    menu = await bot.ask("/unsubscribe")
    buttons = dict(menu.buttons())
    assert set(buttons) == {"✖ Xiaomi", "✖ “fusion”"}
    await bot.press(menu, buttons["✖ Xiaomi"])
    assert await followed(bot) == [("keyword", "fusion")]
    edited = bot.telegram.edits[-1].params
    assert "Xiaomi" not in str(edited.get("reply_markup"))
    assert (
        bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]
        == "Unsubscribed from Xiaomi"
    )


async def test_a_stale_unsubscribe_button_is_harmless(bot):
    await bot.ask("/subscribe xiaomi fusion")
    menu = await bot.ask("/unsubscribe")
    await bot.ask("/unsubscribe xiaomi")  # removed another way meanwhile
    await bot.press(menu, dict(menu.buttons())["✖ Xiaomi"])
    assert bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"] == "Already removed"
    assert await followed(bot) == [("keyword", "fusion")]


@pytest.mark.parametrize(
    "data",
    ["unsub:99999999999999999999999", "unsub:", "unsub:-5", "unsub:x", "open:99999999999999999999",
     "open:", "more:b:1:2", "more:b:99999999999999999999999:1:5:apple", "search:x:words",
     "search:99999999999999999999:apple", "latest:apple:99999999999999999999999", "sub:b:"],
)  # fmt: skip
async def test_a_forged_button_gets_an_answer_and_changes_nothing(bot, data):
    await bot.ask("/subscribe xiaomi")
    menu = await bot.ask("/unsubscribe")
    update = bot.telegram.user_presses(menu, data, forged=True)
    await bot.handled(update)
    assert bot.telegram.unanswered_callback_queries == []
    assert await followed(bot) == [("brand", "xiaomi")]


async def test_unsubscribe_menu_when_nothing_is_followed(bot):
    reply = await bot.ask("/unsubscribe")
    assert "follows nothing yet" in reply.plain_text and not reply.buttons()


async def test_list_alias_marks_keywords(bot):
    await bot.ask('/subscribe apple "foldable phone"')
    reply = await bot.ask("/list")
    assert "Brands: Apple" in reply.plain_text
    assert "Keywords: “foldable phone”" in reply.plain_text


async def test_brands_shows_the_catalogue_compactly(bot):
    replies = await bot.send("/brands")
    text = "\n".join(r.plain_text for r in replies)
    assert len(replies) == 1
    for name in ("Apple", "Xiaomi", "Yandex", "Nvidia", "Tesla", "Phones"):
        assert name in text


@pytest.mark.parametrize("text", ["/frobnicate", "hello bot", "Привет"])
async def test_unknown_commands_and_plain_text_point_to_help(bot, text):
    reply = await bot.ask(text)
    assert "/help" in reply.plain_text


@pytest.mark.parametrize("text", ["/subscribe@OtherBot samsung", "/frobnicate@OtherBot"])
async def test_a_command_for_another_bot_gets_no_answer_from_us(bot, text):
    assert await bot.send(text) == []
    assert await followed(bot) == []
    me = bot.app.bot.username
    assert "Subscribed" in (await bot.ask(f"/subscribe@{me} samsung")).plain_text


async def test_a_company_name_with_its_suffix_follows_the_brand_alone(bot):
    reply = await bot.ask("/subscribe Samsung Electronics, Apple Inc., fold\u200bable")
    assert await followed(bot) == [
        ("brand", "apple"), ("brand", "samsung"), ("keyword", "foldable")
    ]  # fmt: skip
    assert "Electronics" not in reply.plain_text and "Inc." not in reply.plain_text


@pytest.mark.parametrize("text", ["xiaomi", "Сяоми", "xiaomy"])
async def test_a_brand_name_sent_as_text_offers_to_follow_it_or_show_it(bot, text):
    reply = await bot.ask(text)
    assert "Xiaomi" in reply.plain_text
    buttons = dict(reply.buttons())
    assert set(buttons) == {"Follow Xiaomi", "Latest about Xiaomi"}
    await bot.press(reply, buttons["Follow Xiaomi"])
    assert await followed(bot) == [("brand", "xiaomi")]


async def test_a_brand_name_as_text_in_a_group_is_not_answered(bot):
    assert await bot.send("xiaomi", chat_id=-100900) == []


async def test_unsubscribe_all_asks_first_then_removes_everything(bot):
    await bot.ask('/subscribe xiaomi apple "foldable phone"')
    question = await bot.ask("/unsubscribe all")
    assert "all 3 subscriptions" in question.plain_text
    assert len(await followed(bot)) == 3  # nothing removed yet
    await bot.press(question, dict(question.buttons())["✖ Yes, all 3"])
    assert await followed(bot) == []
    assert (
        "Unsubscribed from all 3"
        in bot.telegram.message_state(1001, question.message_id).plain_text
    )


async def test_a_misspelt_unsubscribe_offers_the_brand_it_meant(bot):
    await bot.ask("/subscribe xiaomi")
    reply = await bot.ask("/unsubscribe xiaomy")
    assert (
        "Not in this chat's list: “xiaomy”" in reply.plain_text
        and "Did you mean Xiaomi" in reply.plain_text
    )
    await bot.press(reply, dict(reply.buttons())["✖ Xiaomi"])
    assert await followed(bot) == []


@pytest.mark.parametrize("word", ["the", "le", "app"])
async def test_a_keyword_that_would_match_everything_is_asked_about_first(bot, word):
    reply = await bot.ask(f"/subscribe xiaomi {word}")
    assert "would match almost every story" in reply.plain_text
    assert await followed(bot) == [("brand", "xiaomi")]  # the rest is followed at once
    await bot.press(reply, dict(reply.buttons())[f"Follow “{word}” anyway"])
    assert ("keyword", word) in await followed(bot)


async def test_two_chats_never_see_each_others_subscriptions(bot):
    await bot.ask("/subscribe xiaomi", chat_id=1)
    await bot.ask("/subscribe fusion", chat_id=2)
    mine = await bot.ask("/subscriptions", chat_id=1)
    theirs = await bot.ask("/subscriptions", chat_id=2)
    assert "Xiaomi" in mine.plain_text and "fusion" not in mine.plain_text
    assert "fusion" in theirs.plain_text and "Xiaomi" not in theirs.plain_text


@pytest.mark.parametrize(
    "argument",
    [
        "<b>",
        "&",
        "<script>alert(1)</script>",
        "AT&T <i>bold</i>",
        "a" * 3000,
        " ".join(["ab"] * 1500),
        "🔥 emoji 🚀",
        "Сяоми смартфон",
        '"); DROP TABLE subscriptions; --',
    ],
)
async def test_hostile_input_is_answered_with_valid_html(bot, argument):
    reply = await bot.ask(f"/subscribe {argument}")
    assert reply.text  # the fake validated the HTML, the length and the buttons
    # Whatever was stored is a clean keyword or brand; the table still works.
    for kind, value in await followed(bot):
        assert kind in ("brand", "keyword") and 2 <= len(value) <= 64


# --- groups -----------------------------------------------------------------------------------


def in_group(user_id):
    return {
        "chat_id": GROUP,
        "chat_type": "supergroup",
        "chat_title": "Phone fans",
        "user_id": user_id,
    }


async def test_in_a_group_only_admins_change_subscriptions(bot):
    bot.telegram.set_admins(GROUP, [ADMIN])
    refused = await bot.ask("/subscribe xiaomi", **in_group(MEMBER))
    assert "only this group's admins" in refused.plain_text
    assert await followed(bot, GROUP) == []
    done = await bot.ask("/subscribe xiaomi", **in_group(ADMIN))
    assert "Subscribed: Xiaomi" in done.plain_text
    # Reading is for everyone.
    listing = await bot.ask("/subscriptions", **in_group(MEMBER))
    assert "Xiaomi" in listing.plain_text
    refused = await bot.ask("/unsubscribe xiaomi", **in_group(MEMBER))
    assert "only this group's admins" in refused.plain_text
    assert await followed(bot, GROUP) == [("brand", "xiaomi")]


async def test_bot_operator_may_change_any_group(bot):
    bot.telegram.set_admins(GROUP, [ADMIN])
    reply = await bot.ask("/subscribe apple", **in_group(OPERATOR_ID))
    assert "Subscribed: Apple" in reply.plain_text


async def test_non_admin_cannot_use_buttons_in_a_group(bot):
    bot.telegram.set_admins(GROUP, [ADMIN])
    await bot.ask("/subscribe xiaomi", **in_group(ADMIN))
    menu = await bot.ask("/unsubscribe", **in_group(MEMBER))  # showing the menu is harmless
    await bot.press(menu, dict(menu.buttons())["✖ Xiaomi"], user_id=MEMBER)
    assert await followed(bot, GROUP) == [("brand", "xiaomi")]
    answer = bot.telegram.calls_to("answerCallbackQuery")[-1].params
    assert "admins" in answer["text"]


async def test_group_chatter_gets_no_answer(bot):
    replies = await bot.send("anyone tried the new Pixel?", **in_group(MEMBER))
    assert replies == []
    replies = await bot.send("/weather", **in_group(MEMBER))  # maybe another bot's command
    assert replies == []
    reply = await bot.ask(f"/weather@{bot.app.bot.username}", **in_group(MEMBER))
    assert "/help" in reply.plain_text


async def test_group_upgraded_to_supergroup_keeps_its_subscriptions(bot):
    old, new = -4001, -1004001
    bot.telegram.set_admins(old, [ADMIN])
    await bot.ask("/subscribe xiaomi", chat_id=old, chat_type="group", user_id=ADMIN)
    bot.telegram.migrate(old, new)  # Telegram announces it with two service messages
    listing = await bot.ask("/subscriptions", chat_id=new, user_id=ADMIN)
    assert "Xiaomi" in listing.plain_text
    assert await followed(bot, old) == []


async def test_reply_to_a_migrated_group_moves_it_too(bot):
    old, new = -4002, -1004002
    bot.telegram.set_admins(old, [ADMIN])
    await bot.ask("/subscribe apple", chat_id=old, chat_type="group", user_id=ADMIN)
    bot.telegram.migrate(old, new, announce=False)  # the announcement was missed
    assert await bot.send("/subscriptions", chat_id=old, chat_type="group", user_id=ADMIN) == []
    assert await followed(bot, new) == [("brand", "apple")]
    bot.errors.clear()  # the harness saw ChatMigrated; the bot handled it as data


# --- chats that go away -----------------------------------------------------------------------


async def test_blocked_chat_is_marked_inactive_not_an_error(bot):
    await bot.ask("/subscribe xiaomi")
    bot.telegram.block(1001)
    assert await bot.send("/subscriptions") == []
    chat = await bot.runtime.storage.chats.get(1001)
    assert not chat.active
    assert await followed(bot) == [("brand", "xiaomi")]  # kept for when they come back
    bot.errors.clear()  # the harness saw the Forbidden; the bot handled it as data


async def test_start_reactivates_a_chat(bot):
    await bot.ask("/subscribe xiaomi")
    bot.telegram.block(1001)
    await bot.send("/help")  # the reply is refused: the chat goes inactive
    assert not (await bot.runtime.storage.chats.get(1001)).active
    bot.errors.clear()
    bot.telegram.unblock(1001)
    await bot.ask("/start")
    assert (await bot.runtime.storage.chats.get(1001)).active


async def test_membership_updates_keep_the_active_flag(bot):
    await bot.ask("/subscribe xiaomi")
    await bot.handled(bot.telegram.bot_removed(1001))  # the user blocked the bot
    assert not (await bot.runtime.storage.chats.get(1001)).active
    await bot.handled(bot.telegram.bot_added(1001))  # ... and unblocked it
    assert (await bot.runtime.storage.chats.get(1001)).active
    assert await followed(bot) == [("brand", "xiaomi")]


async def test_subscriptions_survive_a_restart(settings: Settings, telegram):
    async with running_bot(settings, telegram) as first:
        await first.ask("/subscribe xiaomi fusion")
    async with running_bot(settings, telegram) as second:
        reply = await second.ask("/subscriptions")
    assert "Xiaomi" in reply.plain_text and "fusion" in reply.plain_text


async def test_command_menu_is_registered(bot):
    calls = bot.telegram.calls_to("setMyCommands")
    (everyone,) = [c for c in calls if "scope" not in c.params and "language_code" not in c.params]
    (operator,) = [c for c in calls if "scope" in c.params]
    names = {c["command"] for c in everyone.params["commands"]}
    assert {"subscribe", "unsubscribe", "subscriptions", "brands", "help"} <= names
    assert "sources" not in names  # operator commands stay out of everyone's menu
    assert operator.params["scope"] == {"type": "chat", "chat_id": OPERATOR_ID}
    assert {"sources", "addsource", "removesource"} <= {
        c["command"] for c in operator.params["commands"]
    }


async def test_refused_command_menu_does_not_stop_the_bot(settings, telegram):
    telegram.fail_method("setMyCommands", status=400, description="Bad Request: nope")
    async with running_bot(settings, telegram) as running:
        reply = await running.ask("/subscribe xiaomi")
    assert "Subscribed: Xiaomi" in reply.plain_text


async def test_the_chat_is_recorded_for_commands_to_this_bot_only(bot):
    """One write per update, and only for what is ours: chatter and commands to other bots in
    a group leave no trace; a command to this bot (bare or @-addressed) records the group."""
    group = -100777
    await bot.send("hello everyone", chat_id=group, chat_type="supergroup")
    await bot.send("/start@some_other_bot", chat_id=group, chat_type="supergroup")
    assert await bot.runtime.storage.chats.get(group) is None
    username = bot.app.bot.username
    await bot.send(f"/help@{username}", chat_id=group, chat_type="supergroup")
    recorded = await bot.runtime.storage.chats.get(group)
    assert recorded is not None and recorded.type == "supergroup"


async def test_any_command_reactivates_a_chat_and_its_pushes(bot):
    """A chat that blocked the bot and comes back with /latest, not /start, is active again."""
    await bot.ask("/subscribe xiaomi")
    bot.telegram.block(1001)
    await bot.send("/help")  # refused: the chat goes inactive
    assert not (await bot.runtime.storage.chats.get(1001)).active
    bot.errors.clear()
    bot.telegram.unblock(1001)
    await bot.send("/subscriptions")
    assert (await bot.runtime.storage.chats.get(1001)).active
