from tests.matchmaking.conftest import fund, fund_contact, make_post, park, park_contact, post_data
from tests.notifications.failing_mail import request_with_mail_down

__all__ = ["fund", "fund_contact", "make_post", "park", "park_contact", "post_data", "request_with_mail_down"]
