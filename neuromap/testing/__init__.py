"""Testing helpers for neuromap and for tools built on it (requires hypothesis)."""
