from django.contrib.auth.backends import ModelBackend

from .models import User, accounts_by_login


class UsernameOrPhoneBackend(ModelBackend):
    """Sign in with either the username or the registered mobile phone number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        user = accounts_by_login(username).first()
        if user is None:
            # Spend the same time as a real check so timing does not reveal which logins exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def login_username(request, credentials=None):
    """The account a sign-in attempt is counted against (django-axes): its username, whether the username or the
    phone number was typed, so that switching between the two does not double the allowed failures."""
    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    account = accounts_by_login(typed).values_list("username", flat=True).first()
    return account or typed.strip()
