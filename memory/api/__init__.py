"""The interface layer: one module per area, each with a small ABC and the views it hands out.

A public method checks its input once (memory.api.validation), then calls the area's
storage step, which the SQL store (memory.sql) and the fake (memory.fake) implement.
`ProfileStore` (memory.api.store) is composed of the customer-facing areas; staff and
handoffs are stores of their own on the same database.
"""
