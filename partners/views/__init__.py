"""The partners app's pages: one module per entity."""
