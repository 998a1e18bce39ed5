from kvote.people.models import Language, User


def user_language_set(*, actor: User, language: str) -> None:
    """Save the actor's language choice; unknown codes are ignored."""
    if language in Language.values and actor.language != language:
        actor.language = language
        actor.save(update_fields=["language"])
