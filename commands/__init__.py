"""Chat commands: one module per command; its docstring is its help text."""
