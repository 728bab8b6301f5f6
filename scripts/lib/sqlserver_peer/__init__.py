"""A test double of Microsoft SQL Server speaking TDS 7.4 (see README.md)."""
