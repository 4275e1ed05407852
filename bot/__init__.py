"""newsbot: tech news by brand, in Telegram."""

__version__ = "0.1.0"
