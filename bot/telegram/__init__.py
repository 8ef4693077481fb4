"""The Telegram side: thin handlers that read an update, call the domain and render a reply."""
