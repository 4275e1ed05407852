"""A chat in Russian end to end (news.i18n): a user whose Telegram is in Russian gets every
reply, push, page and digest in Russian; /language switches; a group keeps the language of the
member who first used the bot; the command menu and descriptions exist in both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.fakes.feed_server import rss
from tests.harness import listed, poll_now, running_bot, with_desks

IVAN, ANNA = 3001, 3002
GROUP, ADMIN, MEMBER = -100900, 3101, 3102
RU = {"language_code": "ru"}


def story(n: int, title: str, *, age: timedelta = timedelta(minutes=5)) -> dict:
    return {
        "title": title,
        "link": f"https://news.example.ru/{n}",
        "guid": f"g{n}",
        "description": f"<p>{title}. Подробности — в самой статье.</p>",
        "pubDate": datetime.now(UTC) - age,
    }


@pytest.fixture
def ru_settings(settings, feeds, tmp_path):
    urls = [
        feeds.feed(f"/r{i}.xml", rss(f"Лента {i}", [story(100 + i, f"Старая новость {i}")]))
        for i in range(2)
    ]
    return with_desks(settings, tmp_path, urls)


@pytest.fixture
async def bot(ru_settings, telegram):
    async with running_bot(ru_settings, telegram) as running:
        await poll_now(running)  # the backlog: stored, not pushed
        yield running
    assert running.errors == []
    assert telegram.violations == []


async def test_a_russian_user_is_answered_in_russian_from_the_first_command(bot):
    welcome = await bot.ask("/start", chat_id=IVAN, **RU)
    assert welcome.plain_text.startswith("Новости технологий по брендам")
    assert "/subscribe бренд — подписаться на бренд или ключевое слово" in welcome.plain_text
    assert "/language ru|en — язык, на котором я пишу в этом чате" in welcome.plain_text
    subscribed = await bot.ask("/subscribe xiaomi", chat_id=IVAN, **RU)
    assert subscribed.plain_text == "✅ Подписка оформлена: Xiaomi"
    keyword = await bot.ask('/subscribe "складной смартфон"', chat_id=IVAN, **RU)
    assert "незнакомый мне бренд: буду искать эту фразу" in keyword.plain_text
    listed_ = await bot.ask("/list", chat_id=IVAN, **RU)
    assert listed_.plain_text.startswith("Подписки этого чата (2):")


async def test_pushes_pages_and_the_digest_are_in_russian(bot, telegram, feeds):
    await bot.ask("/subscribe xiaomi", chat_id=IVAN, **RU)
    feeds.feed("/r0.xml", rss("Лента 0", [story(1, "Xiaomi представила новый смартфон")]))
    feeds.feed("/r1.xml", rss("Лента 1", [story(2, "Xiaomi представила новый смартфон!")]))
    await poll_now(bot)
    (push,) = [m for m in telegram.sent_to(IVAN) if "представила" in m.plain_text]
    assert "#xiaomi" in push.plain_text
    assert "Также пишут: Desk 1" in push.plain_text  # the event's other outlet, in Russian
    month = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
    assert any(f" {m} " in push.plain_text for m in month.split())  # "1 декабря 2026, 09:00 UTC"

    page = await bot.ask("/latest xiaomi", chat_id=IVAN, **RU)
    assert page.plain_text.startswith("Свежие новости: Xiaomi")
    assert listed(page)[0].startswith("Xiaomi представила новый смартфон")

    found = await bot.ask("/search смартфон", chat_id=IVAN, **RU)
    assert found.plain_text.startswith("Поиск: «смартфон»")
    nothing = await bot.ask("/search квантовый холодильник", chat_id=IVAN, **RU)
    assert nothing.plain_text == "По запросу «квантовый холодильник» ничего не найдено."

    await bot.send("/digest сейчас", chat_id=IVAN, **RU)
    await bot.runtime.sender.drained()
    digest = telegram.sent_to(IVAN)[-1]
    assert digest.plain_text.startswith("Ежедневная сводка · ")
    assert "Xiaomi" in digest.plain_text


async def test_errors_and_did_you_mean_are_in_russian(bot):
    wrong_hour = await bot.ask("/digest 25:00", chat_id=IVAN, **RU)
    assert wrong_hour.plain_text.startswith("Часа 25 в сутках нет: часы идут от 0 до 23.")
    typo = await bot.ask("/subscribe xiaomy", chat_id=IVAN, **RU)
    assert typo.plain_text == "❓ «xiaomy»: может быть, Xiaomi?"
    assert typo.reply_markup["inline_keyboard"][0][0]["text"] == ("Подписаться на Xiaomi")
    unknown = await bot.ask("/frobnicate", chat_id=IVAN, **RU)
    assert unknown.plain_text.startswith("Я не знаю команду «/frobnicate».")
    mode = await bot.ask("/mode турбо", chat_id=IVAN, **RU)
    assert mode.plain_text == "Режима «турбо» нет. Используйте /mode мгновенно|сводка|оба|выкл."


async def test_settings_take_russian_words(bot):
    mode = await bot.ask("/mode сводка", chat_id=IVAN, **RU)
    assert mode.plain_text.startswith("Режим доставки: сводка — одно сообщение в день")
    assert (await bot.runtime.storage.chats.get(IVAN)).mode.value == "digest"
    off = await bot.ask("/digest выкл", chat_id=IVAN, **RU)
    assert off.plain_text.startswith("Ежедневная сводка выключена.")
    quiet = await bot.ask("/quiet с 23:00 до 07:00 отложить", chat_id=IVAN, **RU)
    assert quiet.plain_text.startswith("✅ Тихие часы: 23:00–07:00 UTC — уведомления ждут")
    assert (await bot.ask("/quiet выкл", chat_id=IVAN, **RU)).plain_text.startswith(
        "✅ Тихие часы отключены"
    )
    zone = await bot.ask("/timezone Новосибирск", chat_id=IVAN, **RU)
    assert zone.plain_text.startswith("Часовой пояс: Asia/Novosibirsk (Новосибирск, сейчас ")
    images = await bot.ask("/preview выкл", chat_id=IVAN, **RU)
    assert images.plain_text == "✅ Уведомления приходят текстом, без картинки."


async def test_a_chat_switches_language_with_the_command_and_the_buttons(bot, telegram):
    shown = await bot.ask("/language", chat_id=ANNA)
    assert shown.plain_text.startswith("I write to this chat in English.")
    buttons = [b["text"] for row in shown.reply_markup["inline_keyboard"] for b in row]
    assert buttons == ["• English", "Русский"]  # each language named in itself
    switched = await bot.ask("/language русский", chat_id=ANNA)
    assert switched.plain_text == "✅ Теперь язык этого чата — Русский."
    assert (await bot.ask("/help", chat_id=ANNA)).plain_text.startswith("Новости технологий")
    menu = telegram.my_commands({"type": "chat", "chat_id": ANNA})
    assert {"command": "latest", "description": "Свежие новости: /latest apple"} in menu

    status = await bot.ask("/language", chat_id=ANNA)
    await bot.press(status, "lang:en")
    assert telegram.message_state(ANNA, status.message_id).plain_text.startswith(
        "I write to this chat in English."
    )
    assert (await bot.ask("/list", chat_id=ANNA)).plain_text.startswith("This chat follows")
    unknown = await bot.ask("/language klingon", chat_id=ANNA)
    assert (
        unknown.plain_text
        == "I don't speak “klingon”. I can write in en (English) and ru (Русский)."
    )


async def test_a_group_keeps_the_language_of_who_first_used_it_and_only_admins_change_it(
    bot, telegram
):
    telegram.set_admins(GROUP, [ADMIN])
    first = await bot.ask("/list", chat_id=GROUP, chat_type="supergroup", user_id=MEMBER, **RU)
    assert first.plain_text.startswith("У этого чата пока нет подписок")
    later = await bot.ask(
        "/list", chat_id=GROUP, chat_type="supergroup", user_id=ADMIN, language_code="en"
    )
    assert later.plain_text.startswith("У этого чата пока нет подписок")
    refused = await bot.ask(
        "/language en", chat_id=GROUP, chat_type="supergroup", user_id=MEMBER, **RU
    )
    assert refused.plain_text.startswith("Извините, менять подписки")
    changed = await bot.ask(
        "/language en", chat_id=GROUP, chat_type="supergroup", user_id=ADMIN, **RU
    )
    assert changed.plain_text == "✅ From now on I write to this chat in English."


async def test_the_menu_and_descriptions_are_published_in_both_languages(bot, telegram):
    english = {c["command"]: c["description"] for c in telegram.my_commands()}
    russian = {c["command"]: c["description"] for c in telegram.my_commands(language_code="ru")}
    assert english.keys() == russian.keys()  # command names stay Latin
    assert english["subscribe"] == "Follow a brand or keyword: /subscribe xiaomi"
    assert russian["subscribe"] == "Подписаться на бренд или слово: /subscribe xiaomi"
    assert {c["description"] for c in telegram.my_commands(language_code="kk")} == set(
        russian.values()
    )  # Kazakh users read Russian (news.i18n rule 7)
    assert telegram.descriptions[""].startswith("Tech news by brand.")
    assert telegram.descriptions["ru"].startswith("Новости технологий по брендам.")
    assert telegram.short_descriptions["ru"].startswith("Новости технологий по брендам:")


async def test_a_group_starts_in_the_language_of_who_added_the_bot(bot, telegram):
    await bot.ask("/start", chat_id=ADMIN, **RU)  # the adder's Telegram is in Russian
    await bot.handled(telegram.bot_added(GROUP - 1, "supergroup", by_user_id=ADMIN))
    reply = await bot.ask(
        "/list", chat_id=GROUP - 1, chat_type="supergroup", user_id=MEMBER, language_code="en"
    )
    assert reply.plain_text.startswith("У этого чата пока нет подписок")
