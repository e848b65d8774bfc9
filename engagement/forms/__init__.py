"""The engagement app's forms: one module per entity."""
