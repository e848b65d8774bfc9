"""Reads of the tables app that cross relations: one module per entity."""
