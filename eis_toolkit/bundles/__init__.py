"""Bundles: one YAML or JSON file describing a programme's data (DESIGN.md, Bundle file).

``validate.py`` checks a parsed bundle against what is known, naming each problem by its field
path; ``load.py`` writes a valid bundle in one transaction, creating or updating what it names.
"""
