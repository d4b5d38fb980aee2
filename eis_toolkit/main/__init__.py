"""The public home page and each person's dashboard."""
