"""Customs Feedback Bot: a Telegram channel between Customs and the trade community."""

__version__ = "0.3.0"
