"""After `lianmeng restore`: can the secret ballots of open motions still be matched to their seats?

A seat that votes again on an open secret motion replaces its ballot, found by
``services.ballot_key(motion, seat)``, an HMAC under SECRET_KEY (docs/backup.md). Restored under another
key, the old ballot is no longer found: a changed vote would be counted next to the old one.
"""

from __future__ import annotations

from lianmeng.governance.models import Ballot, Motion, MotionStatus, SecretBallot, Vote
from lianmeng.governance.services import ballot_key


def after_restore() -> list[str]:
    """A warning naming the open secret motions whose ballots this SECRET_KEY cannot find, if any."""
    broken: list[str] = []
    for motion in Motion.objects.filter(ballot=Ballot.SECRET, status=MotionStatus.OPEN).order_by("pk"):
        expected = {
            ballot_key(motion.pk, seat_id)
            for seat_id in Vote.objects.filter(motion=motion).values_list("seat_id", flat=True)
        }
        stored = set(SecretBallot.objects.filter(motion=motion).values_list("ballot_key", flat=True))
        if stored - expected:
            broken.append(f"《{motion.title}》")
    if not broken:
        return []
    return [
        f"Secret ballots of {len(broken)} open motion(s) ({', '.join(broken[:5])}) were keyed with "
        "another SECRET_KEY: a representative who changes a vote would be counted twice. Set SECRET_KEY to "
        "the key of the site that wrote the backup and restore again (docs/backup.md). Tallies of closed "
        "motions are not affected."
    ]
