"""Every model of the toolkit, imported in one place for Alembic, the CLI and the tests."""
from .actions.models import Action, ActionPlan, ActionStatus, BackgroundKind, PlanComment, PlanStatus, ProgressReport
from .accounts.models import Programme, Region, Role, User, UserRole, UserSession, programme_region
from .assessments.models import Answer, Assessment, AssessmentStatus, EvidenceFile
from .audit import AuditEvent
from .cache import DataVersion
from .catalogue.models import (Practice, PracticeEdition, PracticeRating, PracticeStatus, Term, Vocabulary,
                               practice_term)
from .mail.models import NotificationOptOut, OutboxMessage, Reminder
from .questionnaires.models import Dimension, Question, Questionnaire
from .workshops.models import (Nomination, Review, ReviewerAssignment, ReviewScore, ReviewStatus,
                               SiteVisit, Workshop, WorkshopStatus, workshop_hot_seat)

__all__ = [
    "Action", "ActionPlan", "ActionStatus", "BackgroundKind", "PlanComment", "PlanStatus", "ProgressReport",
    "Answer", "Assessment", "AssessmentStatus", "AuditEvent", "DataVersion", "Dimension", "EvidenceFile",
    "Nomination", "NotificationOptOut", "OutboxMessage", "Practice", "Reminder", "PracticeEdition", "PracticeRating", "PracticeStatus", "Programme", "Question",
    "Questionnaire", "Region", "Review", "ReviewScore", "ReviewStatus", "ReviewerAssignment",
    "Role", "SiteVisit", "Term", "User", "UserRole", "UserSession", "Vocabulary", "Workshop", "WorkshopStatus",
    "practice_term", "programme_region", "workshop_hot_seat",
]
