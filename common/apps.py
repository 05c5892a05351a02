from django.apps import AppConfig


class CommonConfig(AppConfig):
    """What several apps share and no domain owns (CONVENTIONS "Where things live").
    It imports none of our other apps."""

    name = "common"
    verbose_name = "Common"
