"""Reads about the people of a company that every floor above uses."""

from django.db.models import Q, QuerySet

from kvote.people.models import Employee


def search_employees(qs: QuerySet[Employee], query: str) -> QuerySet[Employee]:
    """The one employee search (the lists, the budgets page, the recipient picker and the API):
    employees whose name contains `query`, or whose employee number starts with it; both
    regardless of case."""
    query = query.strip()
    if not query:
        return qs
    return qs.filter(Q(name__icontains=query) | Q(number__istartswith=query))
