"""Every write of the tables app: one module per entity."""
