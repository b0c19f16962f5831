"""The notices' button families, declared apart so that sending, views and replies share them."""

from __future__ import annotations

from bot.notices import service
from handlers.kit import callbacks

NOTICE_DRAFT = callbacks.prefix("bc", "/broadcast's steps and a sent notice's reach")
NOTICE = callbacks.prefix(service.PREFIX, "under a notice: understood, comment, cancel")
SUBSCRIPTION = callbacks.prefix("sub", "/subscribe's topics and offices")
