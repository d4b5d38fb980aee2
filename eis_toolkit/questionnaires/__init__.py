"""Questionnaires: the YAML file format (``schema``), versioned as ``key@version``."""
