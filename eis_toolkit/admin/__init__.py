"""Admin pages: people and regions."""
