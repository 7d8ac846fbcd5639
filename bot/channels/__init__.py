"""The customer-facing channels, one package each, with everything that channel needs.

- `web`: the embeddable chat widget (static/), its signed sessions and its WebSocket;
- `telegram`: python-telegram-bot handlers, chats, replies, and the `set-webhook` command;
- `rest`: the server-to-server API, its integrations' keys and their command line.

Each has a `setup(app)` that bot.app calls. Every channel hands a customer's message to
bot.conversations, and cross-channel links go through bot.linking.
"""
