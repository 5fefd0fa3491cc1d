"""After `lianmeng restore`: do the API tokens still work under this SECRET_KEY?

A token records a keyed digest of its user's password hash (``ApiToken.stamp_for``, salted_hmac under
SECRET_KEY); under another key no stamp matches and every such token is refused.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from lianmeng.accounts.models import ApiToken


def after_restore() -> list[str]:
    """A warning counting the active API tokens that this SECRET_KEY no longer accepts, if any."""
    now = timezone.now()
    active = (
        ApiToken.objects.filter(revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .exclude(password_stamp="")
        .select_related("user")
    )
    refused = sum(1 for token in active.iterator() if not token.matches_password(token.user))
    if not refused:
        return []
    return [
        f"{refused} active API token(s) no longer match under this SECRET_KEY and will be refused. Set "
        "SECRET_KEY to the key of the site that wrote the backup, or issue new tokens (docs/backup.md)."
    ]
