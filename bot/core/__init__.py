"""The kernel every capability shares: pure models and rules, with no Telegram and no SQL."""
