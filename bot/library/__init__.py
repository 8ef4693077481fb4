"""The domain: importing, search, tagging, notes, selection. No Telegram in here.

Functions take the session first, keyword-only, and never commit: the caller owns the
transaction (``bot.db.unit_of_work``).
"""
