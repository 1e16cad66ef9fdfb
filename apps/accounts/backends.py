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
