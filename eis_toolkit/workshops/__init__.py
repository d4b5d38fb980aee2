"""Hot-seat workshops: review rounds, reviewer assignments, reviews and the live session."""
