"""The Microsoft Teams adapter: the only package that imports the Microsoft 365 Agents SDK."""
