"""Action plans: from a published workshop's findings to tracked actions and measured change
(DESIGN.md, *Action plans and progress*; docs/action-plans.md)."""
