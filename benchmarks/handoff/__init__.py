"""Handoff benchmark: 50 agents and 500 customers waiting or in a handoff, through a real gateway.

`make bench-handoff` runs `python -m benchmarks.handoff` from the repository root.

- The gateway is the real one (`python -m bot gateway`, its own process) on a fresh SQLite
  profile database (--postgres: a fresh PostgreSQL one); a stand-in engine (another
  process) answers "I want a human" with the bot's handoff payload and takes the pause,
  resume and execute calls a handoff makes.
- 500 customers open web chats over the widget's WebSocket and ask for a person.
  50 agents sign in (argon2, sessions, CSRF as in the console), each keeps the queue page
  open over the console WebSocket, and claims 5 customers, one tab per conversation:
  250 conversations are with an agent, 250 wait.
- Measured, with everybody connected: each of the 250 pairs exchanges messages, each
  side every ~10 s (--think; live chat is typically slower, 20-60 s), so ~50 messages/s;
  each waiting customer adds a line every ~30 s (--waiting-every), and agents keep
  claiming from the queue, so it moves. A customer's message is timed from the WebSocket
  send to the agent's tab receiving it; an agent's reply from the HTTP POST to the
  customer's WebSocket receiving it. `--think 5` doubles the rate (a stress run).

Figures are printed last, as one JSON line (milliseconds). Target: p99 < 200 ms both ways.

    python -m benchmarks.handoff                     # the full scenario
    python -m benchmarks.handoff --redis             # live events through Redis pub/sub
    python -m benchmarks.handoff --agents 5 --customers 50 --rounds 3   # a quick run
"""
