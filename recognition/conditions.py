"""Which conditions of a recognition the opportunity, as its provider describes it, cannot meet.

An agreement may require an identity-verified assessment, a minimum grade or a recent
credential. When the catalogue record says otherwise (every assessment unverified, a pass/fail
grading scheme, a session that ended too long ago) a learner reading "recognised by X" would
enrol and be refused; the opportunity page says so beside the recognition instead.
"""

import calendar
import re
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _

from descriptors.models import LearningOpportunity
from recognition.models import AgreementItem

PASS_FAIL = re.compile(r"pass\s*/\s*fail|pass-fail|passed/failed|superato|apto|bestanden", re.I)


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    # The 31st of a shorter month is its last day.
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def recognition_unmet_conditions(
    item: AgreementItem, opportunity: LearningOpportunity, today: date
) -> list[str]:
    """The item's conditions that the opportunity as described cannot meet, in words.

    Reads ``opportunity.assessments`` (prefetch ``assessments__supervision`` to keep it to no
    query)."""
    assessments = list(opportunity.assessments.all())
    unmet = []
    if item.requires_identity_verification:
        if not assessments:
            unmet.append(
                _("It requires an identity-verified assessment, and no assessment is described.")
            )
        elif not any(assessment.identity_verified for assessment in assessments):
            unmet.append(
                _(
                    "It requires an identity-verified assessment, and the assessment described "
                    "is taken without identity verification."
                )
            )
    if item.minimum_grade and assessments:
        schemes = [assessment.grading_scheme for assessment in assessments]
        if all(scheme and PASS_FAIL.search(scheme) for scheme in schemes):
            unmet.append(
                _(
                    "It requires a minimum grade of %(grade)s, and the assessment is graded "
                    "pass/fail only."
                )
                % {"grade": item.minimum_grade}
            )
    months = item.max_credential_age_months
    # Only a micro-credential with no edition to come: a learner can still take a new one.
    last = opportunity.headline_edition
    ended = last.end_date if last is not None and last.is_past else None
    if months and ended and _months_later(ended, months) < today:
        unmet.append(
            _(
                "It accepts credentials at most %(months)s months old, and the session described "
                "ended on %(date)s."
            )
            % {"months": months, "date": formats.date_format(ended, "DATE_FORMAT")}
        )
    return unmet
