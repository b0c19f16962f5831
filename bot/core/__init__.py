"""The domain: models and pure rules, with no Telegram and no SQL."""
