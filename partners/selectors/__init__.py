"""Reads of the partners app that cross relations: one module per entity."""
