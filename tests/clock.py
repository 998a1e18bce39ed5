"""Times for test data that mean a day: noon of a local day, so that the day an order was
placed on is the same in the portal's time zone whatever the hour the tests run at, also across
a change of summer time (now − 800 days at 22:30 UTC in winter is the next day in Oslo in
summer)."""

from datetime import datetime, time, timedelta

from django.utils import timezone


def local_noon(days_ago: int = 0) -> datetime:
    """Noon, portal time, `days_ago` days before today (portal time)."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(12)))
