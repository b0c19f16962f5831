"""The monthly bulletin in Telegram: admins' review, and sending to the channel and subscribers."""
