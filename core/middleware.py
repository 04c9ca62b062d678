from django.conf import settings
from django.http import QueryDict
from django.utils import translation


class LanguageMiddleware:
    """Bokmål unless the user has chosen another language (the language cookie; a logged-in person's account
    overrides it, AccountLanguageMiddleware); the browser's Accept-Language header is not used, so that
    everyone meets the portal in Norwegian first."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class AccountLanguageMiddleware:
    """A logged-in person's language is the one kept on their account (`User.language`), chosen on any device;
    it replaces the cookie's (LanguageMiddleware) once authentication has run. The browser's cookie is set to
    it, so the pages after logging out stay in the same language."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        user = getattr(request, "user", None)
        kept = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if kept not in self.available:
            return self.get_response(request)
        translation.activate(kept)
        request.LANGUAGE_CODE = kept
        response = self.get_response(request)
        response.headers["Content-Language"] = kept
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != kept and (
            settings.LANGUAGE_COOKIE_NAME not in response.cookies
        ):
            set_language_cookie(response, kept)
        return response


def set_language_cookie(response, language: str) -> None:
    """The language cookie as Django's set_language view writes it (name, age, path and flags from settings)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class NullCharacterMiddleware:
    """Query parameters lose NUL characters before any view reads them: no text column can hold one (PostgreSQL
    refuses it, and a search for it answered 500), and no search or filter means one. Forms refuse NUL in posted
    text themselves (Django's ProhibitNullCharactersValidator)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [value.replace("\x00", "") for value in values])
            request.GET = QueryDict(cleaned.urlencode())
        return self.get_response(request)
