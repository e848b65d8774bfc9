"""The engagement app's pages: one module per entity."""
