from tests.matchmaking.conftest import fund, fund_contact, make_post, park, park_contact, post_data

__all__ = ["fund", "fund_contact", "make_post", "park", "park_contact", "post_data"]
