"""NEWSBOT_METRICS_LISTEN: the Prometheus endpoint (bot/metrics.py), scraped as the bot works."""

from __future__ import annotations

import dataclasses
import socket

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.settings import SettingsError, load_settings
from tests.fakes.feed_server import rss
from tests.harness import poll_now, running_bot, with_desks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def scrape(port: int) -> dict[tuple[str, tuple], float]:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{port}/metrics")
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            samples[s.name, tuple(sorted(s.labels.items()))] = s.value
    return samples


async def test_the_metrics_move_as_the_bot_polls_pushes_and_answers(
    settings, telegram, feeds, tmp_path
):
    port = free_port()
    url = feeds.feed("/d.xml", rss("Desk", [{"title": "Old", "link": "https://x.test/0"}]))
    desks = dataclasses.replace(with_desks(settings, tmp_path, [url]),
                                metrics_listen=("127.0.0.1", port))  # fmt: skip
    async with running_bot(desks, telegram) as bot:
        await poll_now(bot)
        await bot.ask("/subscribe xiaomi", chat_id=1001)
        before = await scrape(port)
        feeds.feed("/d.xml", rss("Desk", [{"title": "Xiaomi opens a lab in Paris",
                                           "link": "https://x.test/1", "guid": "g1"}]))  # fmt: skip
        await poll_now(bot)
        await bot.runtime.heartbeat.beat()
        after = await scrape(port)

        def moved(name: str, **labels) -> float:
            key = (name, tuple(sorted(labels.items())))
            return after.get(key, 0) - before.get(key, 0)

        assert moved("newsbot_polls_total", result="ok") == 1
        assert moved("newsbot_stories_new_total") == 1
        assert moved("newsbot_stories_by_brand_total", brand="xiaomi") == 1
        assert moved("newsbot_sends_total", result="ok") == 1
        assert after["newsbot_sends_total", (("result", "429"),)] == 0  # every result exists
        assert moved("newsbot_fetch_seconds_count") == 1
        assert after["newsbot_update_seconds_count", ()] >= 1  # the /subscribe, reply included
        assert after["newsbot_outbox_pending", ()] == 0
        assert after["newsbot_database_size_bytes", ()] > 0
        assert after["newsbot_last_successful_poll_timestamp_seconds", ()] > 0
    with pytest.raises(httpx.ConnectError):  # the endpoint stops with the bot
        await scrape(port)


@pytest.mark.parametrize("value", ["9464", "localhost", "127.0.0.1:99999", ":9464", "a:b"])
def test_a_listen_address_that_is_not_one_is_one_line_naming_the_setting(value, tmp_path):
    with pytest.raises(SettingsError, match="NEWSBOT_METRICS_LISTEN"):
        load_settings({"NEWSBOT_METRICS_LISTEN": value}, tmp_path / "none.env")


def test_metrics_are_off_unless_set_and_read_host_and_port(tmp_path):
    assert load_settings({}, tmp_path / "none.env").metrics_listen is None
    assert load_settings({"NEWSBOT_METRICS_LISTEN": "127.0.0.1:9464"},
                         tmp_path / "none.env").metrics_listen == ("127.0.0.1", 9464)  # fmt: skip
    assert load_settings({"NEWSBOT_METRICS_LISTEN": "[::1]:9464"},
                         tmp_path / "none.env").metrics_listen == ("::1", 9464)  # fmt: skip
