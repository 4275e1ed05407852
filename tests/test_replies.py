"""Reply texts: valid Telegram HTML whatever the input, and within Telegram's limits."""

import tomllib

from news.catalogue import load_catalogue, parse_catalogue
from news.replies import brands_list
from news.telegram_html import visible_length
from tests.fakes.telegram_html import check_html


def test_shipped_catalogue_fits_one_message():
    (message,) = brands_list(load_catalogue())
    assert check_html(message) is None


def test_a_huge_operator_catalogue_is_split_into_valid_messages():
    brands = "".join(
        f'[[brand]]\nkey = "b{i}"\nname = "Brand <{i}> & Co {"x" * 40}"\ncategory = "all"\n'
        for i in range(400)
    )
    catalogue = parse_catalogue(tomllib.loads('[categories]\nall = "All"\n' + brands))
    messages = brands_list(catalogue)
    assert len(messages) > 1
    for message in messages:
        assert check_html(message) is None
        assert visible_length(message) <= 4096
    text = "\n".join(messages)
    assert all(f"Brand &lt;{i}&gt; &amp; Co" in text for i in range(400))
