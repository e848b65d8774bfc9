"""The partners app's forms: one module per entity."""
