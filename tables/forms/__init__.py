"""The tables app's forms: one module per entity."""
