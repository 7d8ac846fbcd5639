"""One module per channel: parsing, identity verification and sending for that channel only."""
