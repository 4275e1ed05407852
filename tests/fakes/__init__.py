"""Fakes of the outside world for tests: a Telegram Bot API server (`telegram_api`) and the
rules Telegram applies to messages (`telegram_html`)."""
