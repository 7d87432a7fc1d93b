"""Adapters to the outside: Zoom, Windows servers, local folders."""
