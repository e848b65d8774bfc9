"""Reads of the engagement app that cross relations: one module per entity."""
