"""The domain: brands, matching, text rules and rendering. Free of Telegram and SQL."""
