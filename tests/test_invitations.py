"""An account created by someone else gets its password only through the one-time link."""

import pytest
from apps.accounts.invitations import create_invited_user, invitation_url

@pytest.mark.django_db
def test_invitation_link_sets_the_password_once(client):
    user = create_invited_user(username="13912345678", real_name="张三", phone="13912345678")
    url = invitation_url(user).split("8000", 1)[1]
    response = client.get(url, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "Qwer!2345zz", "new_password2": "Qwer!2345zz"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Qwer!2345zz")
    assert client.get(url, follow=True).context["validlink"] is False
