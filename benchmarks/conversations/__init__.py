"""Scripted customers for `make eval-conversations`, and how their conversations are scored."""
