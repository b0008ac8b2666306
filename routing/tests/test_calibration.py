"""Claude's and the AI agent's confidence mapped to how often they turned out right."""

import pytest

from routing.calibration import MIN_ROWS, calibrated, claude_calibrations_refit
from routing.models import ClassificationLog, ConfidenceCalibration
from routing.tests.test_llm import GOOD, classify, fake, labels  # noqa: F401
from tickets.models import Queue
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _claude_said_billing(n: int, *, still_billing: int) -> None:
    billing, tech = Queue.objects.get(slug="billing"), Queue.objects.get(slug="tech")
    for i in range(n):
        ticket = TicketFactory(queue=billing if i < still_billing else tech)  # the rest moved
        ClassificationLog.objects.create(
            ticket=ticket,
            source="claude",
            queue="billing",
            probabilities={"queue": {"billing": 0.92}},
        )


def test_without_enough_outcomes_claude_is_taken_at_its_word(labels):  # noqa: F811
    _claude_said_billing(MIN_ROWS - 1, still_billing=10)
    assert claude_calibrations_refit() == []
    assert calibrated("claude", "queue", 0.92) == 0.92


def test_claude_saying_092_when_right_half_the_time_means_05(fake, labels):  # noqa: F811
    _claude_said_billing(MIN_ROWS, still_billing=MIN_ROWS // 2)
    assert claude_calibrations_refit() == ["claude queue"]
    fitted = ConfidenceCalibration.objects.get(source="claude", field="queue")
    assert (fitted.rows, fitted.accuracy) == (MIN_ROWS, 0.5)

    prediction = classify()  # Claude again says billing at 0.92

    assert prediction.confidences["queue"] == pytest.approx(0.5)
    assert prediction.probabilities["queue"] == {"billing": 0.92}  # its statement, as logged
    assert prediction.confidences["category"] == GOOD["category_confidence"]  # no map yet


def test_ai_answers_that_did_not_hold_lower_the_ai_agents_score():
    from agents.models import AIAction, AIResolutionAttempt
    from agents.resolution.calibration import reply_calibration_refit, reply_confidence

    for i in range(MIN_ROWS):
        ticket = TicketFactory(
            reopened_count=1 if i % 4 == 0 else 0, csat_score=1 if i % 4 == 1 else None
        )
        AIResolutionAttempt.objects.create(
            ticket=ticket,
            source="saved_reply",
            confidence=0.9,
            action=AIAction.RESOLVED,
            context={"stated_confidence": 0.9},
        )
    assert reply_confidence(0.9) == 0.9  # before the refit
    assert reply_calibration_refit() is True
    assert reply_confidence(0.9) == pytest.approx(0.5)  # a quarter reopened, a quarter rated 1
