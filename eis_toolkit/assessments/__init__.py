"""Self-assessments: a region's answers to a questionnaire version for a workshop."""
