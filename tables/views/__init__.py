"""The tables app's pages: one module per entity."""
