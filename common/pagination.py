from rest_framework.pagination import PageNumberPagination

from common.site import rebase


class Pagination(PageNumberPagination):
    """{count, next, previous, results}; `page` and `page_size` (up to 500)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    # Links on SITE_URL, not on the request's Host: lists of the programme are cached for everyone.
    def get_next_link(self) -> str | None:
        return rebase(super().get_next_link())

    def get_previous_link(self) -> str | None:
        return rebase(super().get_previous_link())
