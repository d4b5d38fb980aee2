"""The practice catalogue: good practices, their taxonomies, peer ratings, recommendations."""
