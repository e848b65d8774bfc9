"""Every write of the partners app: one module per entity."""
