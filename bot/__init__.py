"""Commonplace: a Telegram bot that brings a reader's book highlights back into their life."""

__version__ = "0.1.0"
