"""One exception type for the rules a service refuses to break.

Each app declares its codes as a TextChoices; the web layer shows `message`, the API returns
`{"code", "message"}`.
"""

from django.db import models


class ServiceError(Exception):
    def __init__(self, code: models.TextChoices | str, message: str) -> None:
        super().__init__(message)
        self.code = str(code)
        self.message = message

    def __str__(self) -> str:
        return self.message
