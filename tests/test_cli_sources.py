"""`newsbot poll --once` and `newsbot sources …` as an operator runs them."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest

from news.opml import OpmlSource, parse_opml, write_opml
from tests.fakes.feed_server import FeedServer, rss
from tests.test_cli import clean_env


async def newsbot(*args: str, env: dict[str, str], cwd) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode, out.decode(), err.decode()


@pytest.fixture
async def server():
    async with FeedServer() as s:
        yield s


@pytest.fixture
def opml(tmp_path, server):
    good = server.feed(
        "/good.xml", rss("Good Feed", [{"title": "Xiaomi opens a lab", "link": "https://x.test/1"}])
    )
    broken = server.status("/broken.xml", 500)
    page = server.html_page("/page")
    path = tmp_path / "feeds.opml"
    # The URLs are written with odd but valid spellings: the JSON must echo them exactly.
    sources = [
        OpmlSource(good + "?a=1", "Good"),
        OpmlSource(broken, "Broken"),
        OpmlSource(page, None),
    ]
    path.write_text(write_opml(sources), encoding="utf-8")
    return path, [s.url for s in sources]


@pytest.fixture
def env(tmp_path, opml):
    return clean_env(NEWSBOT_DATABASE=str(tmp_path / "db.sqlite3"), NEWSBOT_SOURCES=str(opml[0]))


async def test_poll_once_json_reports_every_source_and_exits_0(env, opml, tmp_path):
    code, out, err = await newsbot("poll", "--once", "--json", env=env, cwd=tmp_path)
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert sorted(line["url"] for line in lines) == sorted(opml[1])
    by_url = {line["url"]: line for line in lines}
    good, broken, page = (by_url[u] for u in opml[1])
    assert (good["status"], good["new"], good["error"], good["title"]) == ("ok", 1, None, "Good")
    assert (broken["status"], broken["new"]) == ("error", 0) and "HTTP 500" in broken["error"]
    assert page["status"] == "error" and "HTML page" in page["error"]
    assert all(set(line) == {"url", "title", "status", "new", "error", "seconds"} for line in lines)
    assert all(isinstance(line["seconds"], float | int) for line in lines)

    # Polled again at once: nothing is due, nothing is printed.
    code, out, _ = await newsbot("poll", "--once", "--json", env=env, cwd=tmp_path)
    assert code == 0 and out == ""


@pytest.mark.parametrize("workers", ["0", "2"])
async def test_poll_once_reads_feeds_in_worker_processes_or_a_thread_alike(workers, env, tmp_path):
    code, out, err = await newsbot(
        "poll", "--once", "--json", env=env | {"NEWSBOT_PARSE_WORKERS": workers}, cwd=tmp_path
    )
    assert code == 0 and "Traceback" not in err, err
    statuses = sorted((line["status"], line["new"]) for line in map(json.loads, out.splitlines()))
    assert statuses == [("error", 0), ("error", 0), ("ok", 1)]


async def test_poll_once_table_without_json(env, tmp_path):
    code, out, _ = await newsbot("poll", "--once", env=env, cwd=tmp_path)
    assert code == 0
    assert "STATUS" in out and "3 sources polled" in out and "1 new stories, 2 failed" in out


async def test_poll_with_a_broken_opml_exits_2(tmp_path):
    bad = tmp_path / "bad.opml"
    bad.write_text("<html><body>not opml</body></html>")
    env = clean_env(NEWSBOT_DATABASE=str(tmp_path / "db.sqlite3"), NEWSBOT_SOURCES=str(bad))
    code, _, err = await newsbot("poll", "--once", env=env, cwd=tmp_path)
    assert code == 2 and "NEWSBOT_SOURCES" in err and "Traceback" not in err


async def test_sources_add_list_remove_import_export(env, tmp_path, opml, server):
    extra = server.feed("/extra.xml", rss("Extra", []))
    code, out, _ = await newsbot(
        "sources", "add", extra, "--title", "Extra Desk", env=env, cwd=tmp_path
    )
    assert code == 0 and out.startswith("Added: #")
    code, out, _ = await newsbot("sources", "add", extra, env=env, cwd=tmp_path)
    assert out.startswith("Already there")
    code, out, err = await newsbot("sources", "add", "not a url", env=env, cwd=tmp_path)
    assert code == 2 and "not an http(s) URL" in err

    code, out, _ = await newsbot("sources", "list", env=env, cwd=tmp_path)
    assert code == 0 and "Extra Desk" in out and out.count("\n") >= 1
    source_id = next(line.split()[0] for line in out.splitlines() if "Extra Desk" in line)

    code, out, _ = await newsbot("sources", "remove", source_id, env=env, cwd=tmp_path)
    assert code == 0 and "Removed" in out
    code, _, err = await newsbot("sources", "remove", "9999", env=env, cwd=tmp_path)
    assert code == 1 and "no source with id 9999" in err

    code, out, _ = await newsbot("sources", "export", env=env, cwd=tmp_path)
    exported = [s.url for s in parse_opml(out.encode())]
    assert extra not in exported  # removed stays removed

    other = tmp_path / "other.opml"
    other.write_text(write_opml([OpmlSource(extra, "Extra again")]), encoding="utf-8")
    code, out, _ = await newsbot("sources", "import", str(other), env=env, cwd=tmp_path)
    assert code == 0 and "1 updated" in out  # an explicit import brings it back
    code, out, _ = await newsbot("sources", "export", env=env, cwd=tmp_path)
    assert extra in [s.url for s in parse_opml(out.encode())]


async def test_reading_commands_leave_the_database_byte_for_byte_unchanged(env, tmp_path):
    code, _, err = await newsbot("poll", "--once", env=env, cwd=tmp_path)  # made by the bot
    assert code == 0, err
    database = tmp_path / "db.sqlite3"
    before = database.read_bytes()
    shell = {k: v for k, v in env.items() if k != "NEWSBOT_SOURCES"}  # a shell without it
    for command in (("sources", "list"), ("sources", "export"), ("latest", "xiaomi"),
                    ("search", "lab"), ("clusters",), ("health",)):  # fmt: skip
        code, out, err = await newsbot(*command, env=shell, cwd=tmp_path)
        assert code in (0, 1) and "Traceback" not in err, (command, err)
    assert database.read_bytes() == before
    code, out, _ = await newsbot("sources", "list", env=shell, cwd=tmp_path)
    assert len([line for line in out.splitlines() if "<http" in line]) == 3  # not the 24 shipped


async def test_the_shipped_list_goes_only_into_a_new_database(env, tmp_path):
    await newsbot("poll", "--once", env=env, cwd=tmp_path)
    shell = {k: v for k, v in env.items() if k != "NEWSBOT_SOURCES"}
    code, _, err = await newsbot("poll", "--once", "--all", "-v", env=shell, cwd=tmp_path)
    assert code == 0 and "Sources: the 3 in the database" in err
    _, out, _ = await newsbot("sources", "list", env=shell, cwd=tmp_path)
    assert len([line for line in out.splitlines() if "<http" in line]) == 3
    fresh = shell | {"NEWSBOT_DATABASE": str(tmp_path / "new.sqlite3")}
    _, _, err = await newsbot("sources", "add", "https://example.org/feed", "-v", env=fresh,
                              cwd=tmp_path)  # fmt: skip
    _, out, _ = await newsbot("sources", "list", env=fresh, cwd=tmp_path)
    assert len([line for line in out.splitlines() if "<http" in line]) == 1  # add syncs nothing


async def test_nothing_due_says_when_and_all_polls_everything(env, tmp_path):
    await newsbot("poll", "--once", env=env, cwd=tmp_path)
    code, out, err = await newsbot("poll", "--once", env=env, cwd=tmp_path)
    assert code == 0 and out == ""
    assert "nothing due (the next in" in err and "use --all" in err
    code, out, err = await newsbot("poll", "--once", "--all", env=env, cwd=tmp_path)
    assert code == 0 and "3 sources polled" in out


async def test_cli_commands_log_warnings_only_unless_verbose(env, tmp_path):
    code, _, err = await newsbot("poll", "--once", env=env, cwd=tmp_path)
    assert code == 0 and " INFO " not in err and "Creating the database" not in err
    code, _, err = await newsbot("poll", "--once", "--all", "--verbose", env=env, cwd=tmp_path)
    assert " INFO " in err and "Sources: 3 in" in err


async def test_an_import_says_what_it_skipped_and_why(env, tmp_path, server):
    good = server.feed("/imported.xml", rss("Imported", []))
    path = tmp_path / "mixed.opml"
    path.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        f'<outline text="ok" xmlUrl="{good}"/>'
        '<outline text="js" xmlUrl="javascript:alert(1)"/>'
        '<outline text="file" xmlUrl="file:///etc/passwd"/>'
        f'<outline text="again" xmlUrl="{good}"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    code, out, _ = await newsbot("sources", "import", str(path), env=env, cwd=tmp_path)
    assert code == 0 and "1 added" in out and "3 skipped" in out
    assert "javascript:alert(1): not an http(s) URL" in out
    assert "file:///etc/passwd: not an http(s) URL" in out and "listed twice" in out


async def test_latest_says_what_it_did_not_find_and_refuses_two_brands(env, tmp_path):
    await newsbot("poll", "--once", env=env, cwd=tmp_path)
    code, out, err = await newsbot("latest", "apple", "samsung", env=env, cwd=tmp_path)
    assert code == 2 and "names 2 brands" in err and out == ""
    code, out, err = await newsbot("latest", "qwertyzzz", "--json", env=env, cwd=tmp_path)
    assert code == 0 and out == "" and "no stories about 'qwertyzzz'" in err
    code, out, _ = await newsbot("latest", "xiaomi", env=env, cwd=tmp_path)
    assert code == 0 and "Xiaomi opens a lab" in out


async def test_exit_codes_are_0_ok_1_failure_2_usage(env, tmp_path):
    assert (await newsbot("sources", "list", env=env, cwd=tmp_path))[0] == 2  # no database yet
    assert (await newsbot("poll", "--once", env=env, cwd=tmp_path))[0] == 0
    assert (await newsbot("sources", "remove", "12345", env=env, cwd=tmp_path))[0] == 1
    assert (await newsbot("latest", "xiaomi", "-n", "0", env=env, cwd=tmp_path))[0] == 2
    assert (await newsbot("frobnicate", env=env, cwd=tmp_path))[0] == 2
    assert (await newsbot("health", env=env, cwd=tmp_path))[0] == 1  # the bot never ran
